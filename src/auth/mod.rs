//! Authentication: turning an `Authorization: Bearer …` header or a
//! WebSocket `connection_init` payload into a [`Viewer`], once per request or
//! connection, plus the session flows that issue access tokens.

pub mod jwt;
pub mod rate_limit;

use std::{net::IpAddr, time::Duration};

use chrono::Utc;
use entity::{TenantScoped, WorkspaceId, api_token, user};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    config::Config,
    domain::{
        access::{Principal, Viewer},
        identity::{
            sessions::{self, SessionGrant},
            tokens::{self, TOKEN_PREFIX},
        },
        secrets,
    },
    error::{Error, Result},
};
use jwt::{AccessToken, JwtKeys};
use rate_limit::RateLimiter;

/// How often `last_used_at` of an API token is written at most.
const LAST_USED_RESOLUTION: chrono::Duration = chrono::Duration::seconds(60);
/// The login rate-limit window.
const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Keys, limits and lifetimes for authentication, built once at start.
pub struct Auth {
    /// Access-token keys.
    pub keys: JwtKeys,
    per_email: RateLimiter,
    per_address: RateLimiter,
    refresh_ttl: chrono::Duration,
}

impl Auth {
    /// From the resolved configuration.
    pub fn from_config(config: &Config) -> anyhow::Result<Auth> {
        Ok(Auth {
            keys: JwtKeys::from_config(config)?,
            per_email: RateLimiter::new(config.auth.login_attempts_per_email, LOGIN_WINDOW),
            per_address: RateLimiter::new(config.auth.login_attempts_per_address, LOGIN_WINDOW),
            refresh_ttl: config.auth.refresh_token_ttl(),
        })
    }
}

/// The credential of an `Authorization` header value (`Bearer <token>`,
/// scheme case-insensitive).
pub fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Builds the viewer for a credential: an API token (`pulse_at_…`) or an
/// access token (JWT). Anything wrong with it is `Unauthenticated`, without
/// saying what, and logged at debug level.
pub async fn authenticate(
    db: &DatabaseConnection,
    auth: &Auth,
    credential: &str,
) -> Result<Viewer> {
    if credential.starts_with(TOKEN_PREFIX) {
        authenticate_api_token(db, credential).await
    } else {
        authenticate_access_token(db, auth, credential).await
    }
}

async fn authenticate_api_token(db: &DatabaseConnection, credential: &str) -> Result<Viewer> {
    let row = api_token::Entity::find_by_token_hash(&secrets::digest(credential))
        .one(db)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let now = Utc::now();
    if row.revoked_at.is_some() || row.expires_at.is_some_and(|at| at <= now) {
        tracing::debug!(api_token.id = %row.id, "revoked or expired API token refused");
        return Err(Error::Unauthenticated);
    }
    let workspace = WorkspaceId(row.workspace_id);
    if row
        .last_used_at
        .is_none_or(|at| now - at >= LAST_USED_RESOLUTION)
    {
        api_token::Entity::update_many_in(workspace)
            .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
            .filter(api_token::Column::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    Ok(Viewer {
        workspace,
        principal: Principal::ApiToken {
            id: row.id,
            scopes: tokens::stored_scopes(&row),
        },
    })
}

async fn authenticate_access_token(
    db: &DatabaseConnection,
    auth: &Auth,
    credential: &str,
) -> Result<Viewer> {
    let claims = auth.keys.verify(credential).map_err(|error| {
        tracing::debug!(error = %error, "access token refused");
        Error::Unauthenticated
    })?;
    let parse = |s: &str| Uuid::parse_str(s).map_err(|_| Error::Unauthenticated);
    let (user_id, workspace, session) = (
        parse(&claims.sub)?,
        WorkspaceId(parse(&claims.ws)?),
        parse(&claims.sid)?,
    );
    let user = user::Entity::find_by_id_in(workspace, user_id)
        .one(db)
        .await?
        .filter(|u| u.active && u.archived_at.is_none())
        .ok_or(Error::Unauthenticated)?;
    if sessions::family_revoked(db, workspace, session).await? {
        return Err(Error::Unauthenticated);
    }
    Ok(Viewer {
        workspace,
        principal: Principal::User {
            id: user.id,
            role: user.role,
            team_id: user.team_id,
            session: Some(session),
        },
    })
}

/// A successful login or refresh.
pub struct Session {
    /// The refresh side.
    pub grant: SessionGrant,
    /// The access token.
    pub access: AccessToken,
}

/// `login`: rate-limited per e-mail and per client address, then the
/// password check, then an access token.
pub async fn login(
    db: &DatabaseConnection,
    auth: &Auth,
    email: &str,
    password: &str,
    client: Option<IpAddr>,
) -> Result<Session> {
    let email_key = email.trim().to_lowercase();
    let address_ok = client.is_none_or(|ip| auth.per_address.attempt(&ip.to_string()));
    if !auth.per_email.attempt(&email_key) || !address_ok {
        return Err(Error::RateLimited);
    }
    let grant = sessions::login(db, email, password, auth.refresh_ttl).await?;
    issue(auth, grant)
}

/// `refreshSession`: rotates the refresh token and issues an access token.
pub async fn refresh(db: &DatabaseConnection, auth: &Auth, refresh_token: &str) -> Result<Session> {
    let grant = sessions::refresh(db, refresh_token, auth.refresh_ttl).await?;
    issue(auth, grant)
}

fn issue(auth: &Auth, grant: SessionGrant) -> Result<Session> {
    let access = auth
        .keys
        .issue(grant.user.id, grant.user.workspace_id, grant.family_id)?;
    Ok(Session { grant, access })
}

/// Re-checks of open WebSockets' credentials, shared by every socket of the
/// instance: a credential checked within the last interval is not checked
/// again, so ten thousand sockets holding one dashboard token cost one
/// query per interval, not ten thousand.
pub struct Rechecks {
    interval: Duration,
    checked: std::sync::Mutex<std::collections::HashMap<String, (std::time::Instant, bool)>>,
}

impl Rechecks {
    /// Results live for `interval`.
    pub fn new(interval: Duration) -> Rechecks {
        Rechecks {
            interval,
            checked: std::sync::Mutex::default(),
        }
    }

    /// Whether `credential` still authenticates (expiry, revocation,
    /// deactivation); other failures (the database) are errors.
    pub async fn still_valid(
        &self,
        db: &DatabaseConnection,
        auth: &Auth,
        credential: &str,
    ) -> Result<bool> {
        let key = secrets::digest(credential);
        let cached = {
            let checked = self.checked.lock().unwrap_or_else(|e| e.into_inner());
            checked
                .get(&key)
                .filter(|(at, _)| at.elapsed() < self.interval)
                .map(|(_, valid)| *valid)
        };
        if let Some(valid) = cached {
            return Ok(valid);
        }
        let valid = match authenticate(db, auth, credential).await {
            Ok(_) => true,
            Err(Error::Unauthenticated) => false,
            Err(error) => return Err(error),
        };
        let mut checked = self.checked.lock().unwrap_or_else(|e| e.into_inner());
        if checked.len() > 10_000 {
            let interval = self.interval;
            checked.retain(|_, (at, _)| at.elapsed() < interval);
        }
        checked.insert(key, (std::time::Instant::now(), valid));
        Ok(valid)
    }
}
