//! Workspaces, users, teams, API tokens and the viewer.

use async_graphql::{Context, Enum, ErrorExtensions, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{api_token, team, user, workspace};

use super::super::{
    ApiContext,
    access::viewer,
    ids::{Kind, encode},
};
use crate::domain::{
    access::{Action, Area, Principal},
    identity::{tokens, users},
};

/// A user's role in their workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::enums::Role")]
pub enum Role {
    /// Created the workspace; can do everything, including managing owners.
    Owner,
    /// Everything, including users, teams and API tokens.
    Admin,
    /// Edits their team's records.
    Manager,
    /// Edits the records they own.
    Member,
    /// Reads only.
    Viewer,
}

/// A tenant: the workspace everything of the caller belongs to.
pub struct Workspace(pub workspace::Model);

/// A tenant: the workspace everything of the caller belongs to.
#[Object]
impl Workspace {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Workspace, self.0.id)
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// URL-safe handle.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// ISO-4217 code used when a money input names none.
    async fn default_currency(&self) -> &str {
        &self.0.default_currency
    }
    /// IANA time zone of calendar buckets in analytics.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }
}

/// A person who signs in to the workspace.
pub struct User(pub user::Model);

/// A person who signs in to the workspace.
#[Object]
impl User {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::User, self.0.id)
    }
    /// Login e-mail.
    async fn email(&self) -> &str {
        &self.0.email
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Role in the workspace.
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    /// The user's team.
    async fn team(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Team>> {
        let Some(team_id) = self.0.team_id else {
            return Ok(None);
        };
        let api = ctx.data::<ApiContext>()?;
        let found = users::get_team(&api.db, viewer(ctx)?, team_id)
            .await
            .map_err(|e| e.extend())?;
        Ok(found.map(Team))
    }
    /// Deactivated users cannot sign in.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// Last successful login.
    async fn last_login_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_login_at
    }
    /// When the user was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A group of users; managers edit their team's records.
pub struct Team(pub team::Model);

/// A group of users; managers edit their team's records.
#[Object]
impl Team {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Team, self.0.id)
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// A scoped token for a third-party app. The secret itself is shown once,
/// on creation, and never again.
pub struct ApiToken(pub api_token::Model);

/// A scoped token for a third-party app. The secret itself is shown once,
/// on creation, and never again.
#[Object]
impl ApiToken {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::ApiToken, self.0.id)
    }
    /// What the token is for.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The token's first characters, to recognise it.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }
    /// Granted scopes, e.g. `contacts:read`.
    async fn scopes(&self) -> Vec<String> {
        tokens::stored_scopes(&self.0).to_strings()
    }
    /// When it stops working, if ever.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    /// Last request made with it (to the minute).
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    /// When it was revoked.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Who is calling: a user or an API token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum ViewerKind {
    /// A signed-in user (access token from `login`).
    User,
    /// A third-party app's API token.
    ApiToken,
}

/// The caller of this request.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ViewerInfo {
    /// User or API token.
    pub kind: ViewerKind,
    /// The user's role; none for API tokens.
    pub role: Option<Role>,
    /// The API token's scopes; for users, the scopes their role amounts to.
    pub scopes: Vec<String>,
}

#[async_graphql::ComplexObject]
impl ViewerInfo {
    /// The workspace the caller belongs to.
    async fn workspace(&self, ctx: &Context<'_>) -> async_graphql::Result<Workspace> {
        let api = ctx.data::<ApiContext>()?;
        crate::domain::identity::accounts::current_workspace(&api.db, viewer(ctx)?)
            .await
            .map(Workspace)
            .map_err(|e| e.extend())
    }

    /// The signed-in user; none for API tokens.
    async fn user(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let viewer = viewer(ctx)?;
        let Principal::User { id, .. } = viewer.principal else {
            return Ok(None);
        };
        let api = ctx.data::<ApiContext>()?;
        let found = users::get_user(&api.db, viewer, id)
            .await
            .map_err(|e| e.extend())?;
        Ok(found.map(User))
    }
}

impl ViewerInfo {
    /// Describes `viewer`.
    pub fn of(viewer: &crate::domain::access::Viewer) -> ViewerInfo {
        match &viewer.principal {
            Principal::User { role, .. } => ViewerInfo {
                kind: ViewerKind::User,
                role: Some((*role).into()),
                scopes: role_scopes(viewer),
            },
            Principal::ApiToken { scopes, .. } => ViewerInfo {
                kind: ViewerKind::ApiToken,
                role: None,
                scopes: scopes.to_strings(),
            },
        }
    }
}

/// The `area:action` pairs a user's role allows, as scope strings.
fn role_scopes(viewer: &crate::domain::access::Viewer) -> Vec<String> {
    let mut scopes = Vec::new();
    for (area, name) in crate::domain::access::AREAS {
        for action in [Action::Read, Action::Write, Action::Subscribe] {
            if viewer.allows(*area, action) && action_applies(*area, action) {
                scopes.push(format!("{name}:{}", action.name()));
            }
        }
    }
    scopes
}

/// Whether an action exists in an area at all (analytics has no writes…).
fn action_applies(area: Area, action: Action) -> bool {
    match action {
        Action::Subscribe => matches!(area, Area::Events | Area::Deals | Area::Analytics),
        Action::Write => !matches!(area, Area::Analytics | Area::Events),
        Action::Read => true,
    }
}
