//! User, team and API-token management (admins and owners).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::{
    domain::{
        access::{Action, Area},
        identity::{
            tokens::{self, CreateApiToken},
            users::{self, CreateUser, UpdateUser},
        },
    },
    graphql::{
        ApiContext,
        access::{Require, viewer},
        ids::Kind,
        payload::{UserError, user_errors},
        types::identity::{ApiToken, Role, Team, User},
    },
};

/// Identity management mutations.
#[derive(Default)]
pub struct IdentityMutation;

/// Input of `createUser`.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// Login e-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role; only owners can create owners.
    pub role: Role,
    /// Team.
    pub team_id: Option<ID>,
    /// Initial password (10 to 128 characters); when absent a one-time
    /// password is generated and returned once.
    pub password: Option<String>,
}

/// Result of `createUser`.
#[derive(SimpleObject, Default)]
pub struct CreateUserPayload {
    /// The new user.
    pub user: Option<User>,
    /// The generated one-time password, when none was given.
    pub temporary_password: Option<String>,
    /// Input problems; nothing was created when there are any.
    pub user_errors: Vec<UserError>,
}

/// Input of `updateUser`; absent fields stay unchanged.
#[derive(InputObject)]
pub struct UpdateUserInput {
    /// The user.
    pub id: ID,
    /// New name.
    pub name: Option<String>,
    /// New role; only owners grant or take the owner role, nobody changes
    /// their own.
    pub role: Option<Role>,
    /// New team; `null` removes the user from their team.
    pub team_id: MaybeUndefined<ID>,
}

/// Input naming one user.
#[derive(InputObject)]
pub struct UserIdInput {
    /// The user.
    pub id: ID,
}

/// Result of a user change.
#[derive(SimpleObject, Default)]
pub struct UserPayload {
    /// The user after the change.
    pub user: Option<User>,
    /// Input problems; nothing changed when there are any.
    pub user_errors: Vec<UserError>,
}

/// Input of `createTeam`.
#[derive(InputObject)]
pub struct CreateTeamInput {
    /// Name, unique in the workspace.
    pub name: String,
}

/// Result of `createTeam`.
#[derive(SimpleObject, Default)]
pub struct TeamPayload {
    /// The team.
    pub team: Option<Team>,
    /// Input problems; nothing was created when there are any.
    pub user_errors: Vec<UserError>,
}

/// Input of `createApiToken`.
#[derive(InputObject)]
pub struct CreateApiTokenInput {
    /// What the token is for.
    pub name: String,
    /// Scopes such as `contacts:read`, `deals:*`, `events:subscribe` or `admin`.
    pub scopes: Vec<String>,
    /// When it stops working; never when absent.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Result of `createApiToken`.
#[derive(SimpleObject, Default)]
pub struct CreateApiTokenPayload {
    /// The token's record.
    pub api_token: Option<ApiToken>,
    /// The secret token, shown only here and never again.
    pub token: Option<String>,
    /// Input problems; nothing was created when there are any.
    pub user_errors: Vec<UserError>,
}

/// Input naming one API token.
#[derive(InputObject)]
pub struct ApiTokenIdInput {
    /// The token.
    pub id: ID,
}

/// Result of `revokeApiToken`.
#[derive(SimpleObject, Default)]
pub struct ApiTokenPayload {
    /// The token after the change.
    pub api_token: Option<ApiToken>,
    /// Input problems.
    pub user_errors: Vec<UserError>,
}

use crate::graphql::types::id_of;

#[Object]
impl IdentityMutation {
    /// Creates (invites) a user in the workspace.
    #[graphql(guard = "Require(Area::Users, Action::Write)")]
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        input: CreateUserInput,
    ) -> async_graphql::Result<CreateUserPayload> {
        let api = ctx.data::<ApiContext>()?;
        let team_id = input
            .team_id
            .as_ref()
            .map(|id| id_of(Kind::Team, id, "team"))
            .transpose()?;
        let result = users::create_user(
            &api.db,
            viewer(ctx)?,
            CreateUser {
                email: input.email,
                name: input.name,
                role: input.role.into(),
                team_id,
                password: input.password,
            },
        )
        .await;
        Ok(match user_errors(result)? {
            Ok((user, temporary_password)) => CreateUserPayload {
                user: Some(User(user)),
                temporary_password,
                user_errors: Vec::new(),
            },
            Err(user_errors) => CreateUserPayload {
                user_errors,
                ..Default::default()
            },
        })
    }

    /// Changes a user's name, role or team.
    #[graphql(guard = "Require(Area::Users, Action::Write)")]
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        input: UpdateUserInput,
    ) -> async_graphql::Result<UserPayload> {
        let api = ctx.data::<ApiContext>()?;
        let id = id_of(Kind::User, &input.id, "user")?;
        let team_id = match input.team_id {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(id) => Some(Some(id_of(Kind::Team, &id, "team")?)),
        };
        let update = UpdateUser {
            id,
            name: input.name,
            role: input.role.map(Into::into),
            team_id,
        };
        Ok(user_payload(user_errors(
            users::update_user(&api.db, viewer(ctx)?, update).await,
        )?))
    }

    /// Deactivates a user: they cannot sign in any more and their sessions
    /// end at once.
    #[graphql(guard = "Require(Area::Users, Action::Write)")]
    async fn deactivate_user(
        &self,
        ctx: &Context<'_>,
        input: UserIdInput,
    ) -> async_graphql::Result<UserPayload> {
        let api = ctx.data::<ApiContext>()?;
        let id = id_of(Kind::User, &input.id, "user")?;
        Ok(user_payload(user_errors(
            users::deactivate_user(&api.db, viewer(ctx)?, id).await,
        )?))
    }

    /// Creates a team.
    #[graphql(guard = "Require(Area::Users, Action::Write)")]
    async fn create_team(
        &self,
        ctx: &Context<'_>,
        input: CreateTeamInput,
    ) -> async_graphql::Result<TeamPayload> {
        let api = ctx.data::<ApiContext>()?;
        Ok(
            match user_errors(users::create_team(&api.db, viewer(ctx)?, &input.name).await)? {
                Ok(team) => TeamPayload {
                    team: Some(Team(team)),
                    user_errors: Vec::new(),
                },
                Err(user_errors) => TeamPayload {
                    team: None,
                    user_errors,
                },
            },
        )
    }

    /// Creates an API token for a third-party app. The secret is in this
    /// payload only.
    #[graphql(guard = "Require(Area::Users, Action::Write)")]
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        input: CreateApiTokenInput,
    ) -> async_graphql::Result<CreateApiTokenPayload> {
        let api = ctx.data::<ApiContext>()?;
        let create = CreateApiToken {
            name: input.name,
            scopes: input.scopes,
            expires_at: input.expires_at,
        };
        Ok(
            match user_errors(tokens::create_api_token(&api.db, viewer(ctx)?, create).await)? {
                Ok(created) => CreateApiTokenPayload {
                    api_token: Some(ApiToken(created.row)),
                    token: Some(created.token),
                    user_errors: Vec::new(),
                },
                Err(user_errors) => CreateApiTokenPayload {
                    user_errors,
                    ..Default::default()
                },
            },
        )
    }

    /// Revokes an API token; requests and open sockets using it are refused
    /// from now on.
    #[graphql(guard = "Require(Area::Users, Action::Write)")]
    async fn revoke_api_token(
        &self,
        ctx: &Context<'_>,
        input: ApiTokenIdInput,
    ) -> async_graphql::Result<ApiTokenPayload> {
        let api = ctx.data::<ApiContext>()?;
        let id = id_of(Kind::ApiToken, &input.id, "API token")?;
        Ok(
            match user_errors(tokens::revoke_api_token(&api.db, viewer(ctx)?, id).await)? {
                Ok(row) => ApiTokenPayload {
                    api_token: Some(ApiToken(row)),
                    user_errors: Vec::new(),
                },
                Err(user_errors) => ApiTokenPayload {
                    api_token: None,
                    user_errors,
                },
            },
        )
    }
}

fn user_payload(result: Result<entity::user::Model, Vec<UserError>>) -> UserPayload {
    match result {
        Ok(user) => UserPayload {
            user: Some(User(user)),
            user_errors: Vec::new(),
        },
        Err(user_errors) => UserPayload {
            user: None,
            user_errors,
        },
    }
}
