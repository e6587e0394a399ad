//! `signUp`, `login`, `refreshSession`, `logout`.

use async_graphql::{Context, ErrorExtensions, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::{
    auth::{self, Session},
    domain::{
        access::Principal,
        identity::{
            accounts::{self, SignUp},
            sessions,
        },
    },
    error::{Error, FieldError, code},
    graphql::{
        ApiContext, ClientAddress,
        access::viewer,
        payload::{UserError, user_errors},
        types::identity::{User, Workspace},
    },
};

/// Session mutations.
#[derive(Default)]
pub struct SessionMutation;

/// Input of `signUp`.
#[derive(InputObject)]
pub struct SignUpInput {
    /// Name of the new workspace.
    pub workspace_name: String,
    /// Its URL handle (lower-case letters, digits, dashes); derived from the
    /// name when absent.
    pub workspace_slug: Option<String>,
    /// The owner's name.
    pub name: String,
    /// The owner's e-mail, used to log in.
    pub email: String,
    /// The owner's password, 10 to 128 characters.
    pub password: String,
}

/// Result of `signUp`.
#[derive(SimpleObject, Default)]
pub struct SignUpPayload {
    /// The new workspace.
    pub workspace: Option<Workspace>,
    /// Its owner; log in with their e-mail and password.
    pub user: Option<User>,
    /// Input problems; nothing was created when there are any.
    pub user_errors: Vec<UserError>,
}

/// Input of `login`.
#[derive(InputObject)]
pub struct LoginInput {
    /// The account's e-mail.
    pub email: String,
    /// Its password.
    pub password: String,
}

/// Input of `refreshSession`.
#[derive(InputObject)]
pub struct RefreshSessionInput {
    /// The refresh token from `login` or the previous `refreshSession`; it is
    /// used up by this call.
    pub refresh_token: String,
}

/// Tokens of a session, from `login` or `refreshSession`.
#[derive(SimpleObject, Default)]
pub struct SessionPayload {
    /// A JWT for `Authorization: Bearer` and the WebSocket `connection_init`
    /// payload (`{"authorization": "Bearer …"}`).
    pub access_token: Option<String>,
    /// When the access token expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// Opaque; exchange it with `refreshSession` for new tokens. Each refresh
    /// token works once.
    pub refresh_token: Option<String>,
    /// When the refresh token expires.
    pub refresh_expires_at: Option<DateTime<Utc>>,
    /// The signed-in user.
    pub user: Option<User>,
    /// Why no session was opened, e.g. invalid credentials.
    pub user_errors: Vec<UserError>,
}

impl From<Session> for SessionPayload {
    fn from(session: Session) -> Self {
        SessionPayload {
            access_token: Some(session.access.token),
            expires_at: Some(session.access.expires_at),
            refresh_token: Some(session.grant.refresh_token),
            refresh_expires_at: Some(session.grant.refresh_expires_at),
            user: Some(User(session.grant.user)),
            user_errors: Vec::new(),
        }
    }
}

/// Result of `logout`.
#[derive(SimpleObject)]
pub struct LogoutPayload {
    /// Whether a session was ended.
    pub ok: bool,
    /// Input problems.
    pub user_errors: Vec<UserError>,
}

#[Object]
impl SessionMutation {
    /// Creates a workspace and its owner. Can be switched off
    /// (`PULSE_ALLOW_SIGNUP`); off by default in production.
    async fn sign_up(
        &self,
        ctx: &Context<'_>,
        input: SignUpInput,
    ) -> async_graphql::Result<SignUpPayload> {
        let api = ctx.data::<ApiContext>()?;
        if !api.config.signup_allowed() {
            return Err(
                Error::Forbidden("Sign-up is disabled on this server.".to_owned()).extend(),
            );
        }
        let result = accounts::sign_up(
            &api.db,
            SignUp {
                workspace_name: input.workspace_name,
                workspace_slug: input.workspace_slug,
                name: input.name,
                email: input.email,
                password: input.password,
            },
        )
        .await;
        Ok(match user_errors(result)? {
            Ok((workspace, user)) => SignUpPayload {
                workspace: Some(Workspace(workspace)),
                user: Some(User(user)),
                user_errors: Vec::new(),
            },
            Err(user_errors) => SignUpPayload {
                user_errors,
                ..SignUpPayload::default()
            },
        })
    }

    /// Opens a session: a short-lived access token and a rotating refresh
    /// token. Failed attempts say only "Invalid e-mail or password." and are
    /// rate-limited per e-mail and per client address.
    async fn login(
        &self,
        ctx: &Context<'_>,
        input: LoginInput,
    ) -> async_graphql::Result<SessionPayload> {
        let api = ctx.data::<ApiContext>()?;
        let client = ctx.data_opt::<ClientAddress>().map(|c| c.0);
        let result = auth::login(&api.db, &api.auth, &input.email, &input.password, client).await;
        Ok(session_payload(user_errors(result)?))
    }

    /// Exchanges a refresh token for new tokens. A refresh token that was
    /// already exchanged ends its whole session: it was copied.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        input: RefreshSessionInput,
    ) -> async_graphql::Result<SessionPayload> {
        let api = ctx.data::<ApiContext>()?;
        let result = auth::refresh(&api.db, &api.auth, &input.refresh_token).await;
        Ok(session_payload(user_errors(result)?))
    }

    /// Ends the caller's session: its refresh tokens and access tokens stop
    /// working.
    async fn logout(&self, ctx: &Context<'_>) -> async_graphql::Result<LogoutPayload> {
        let api = ctx.data::<ApiContext>()?;
        let viewer = viewer(ctx)?;
        let Principal::User {
            session: Some(family),
            ..
        } = viewer.principal
        else {
            return Ok(LogoutPayload {
                ok: false,
                user_errors: vec![UserError::from(FieldError {
                    field: Vec::new(),
                    code: code::BAD_USER_INPUT,
                    message:
                        "Only user sessions can log out; revoke API tokens with revokeApiToken."
                            .to_owned(),
                })],
            });
        };
        sessions::logout(&api.db, viewer.workspace, family)
            .await
            .map_err(|e| e.extend())?;
        Ok(LogoutPayload {
            ok: true,
            user_errors: Vec::new(),
        })
    }
}

fn session_payload(result: Result<Session, Vec<UserError>>) -> SessionPayload {
    match result {
        Ok(session) => session.into(),
        Err(user_errors) => SessionPayload {
            user_errors,
            ..SessionPayload::default()
        },
    }
}
