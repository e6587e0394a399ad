//! Login sessions: `login` checks the password and opens a session family,
//! `refresh` rotates its refresh token on every use (a reused token revokes
//! the whole family), `logout` revokes it.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use entity::{TenantScoped, WorkspaceId, refresh_session, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    QueryFilter, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    domain::{email::Email, ids, password, secrets},
    error::{Error, FieldError, Result, code},
};

/// A session just opened or rotated: what the caller needs to issue an access
/// token and hand out the refresh token.
pub struct SessionGrant {
    /// The signed-in user.
    pub user: user::Model,
    /// The session family (the access token's `sid`).
    pub family_id: Uuid,
    /// The opaque refresh token, shown once.
    pub refresh_token: String,
    /// When the refresh token stops working.
    pub refresh_expires_at: DateTime<Utc>,
}

/// A hash to verify against when the e-mail is unknown, so a failed login
/// takes as long whether or not the account exists.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| password::hash("pulse-dummy-password").unwrap_or_default());

fn invalid_credentials() -> Error {
    Error::field(FieldError {
        field: Vec::new(),
        code: code::UNAUTHENTICATED,
        message: "Invalid e-mail or password.".to_owned(),
    })
}

fn invalid_refresh_token() -> Error {
    Error::field(FieldError {
        field: vec!["input".to_owned(), "refreshToken".to_owned()],
        code: code::UNAUTHENTICATED,
        message: "The refresh token is invalid, expired or revoked.".to_owned(),
    })
}

/// Checks `email` and `password` and opens a session. Unknown e-mail,
/// wrong password and deactivated account all give the same answer.
pub async fn login(
    db: &DatabaseConnection,
    email: &str,
    password: &str,
    ttl: Duration,
) -> Result<SessionGrant> {
    let found = match Email::parse(email) {
        Ok(email) => {
            user::Entity::find_by_login_email(email.as_str())
                .one(db)
                .await?
        }
        Err(_) => None,
    };
    let stored_hash = found
        .as_ref()
        .map_or_else(|| DUMMY_HASH.clone(), |u| u.password_hash.clone());
    let attempt = password.to_owned();
    let matches = tokio::task::spawn_blocking(move || password::verify(&attempt, &stored_hash))
        .await
        .map_err(anyhow::Error::from)?;
    let user = match found {
        Some(user) if matches && user.active && user.archived_at.is_none() => user,
        _ => return Err(invalid_credentials()),
    };
    let txn = crate::db::begin(db).await?;
    let now = Utc::now();
    user::Entity::update_many_in(WorkspaceId(user.workspace_id))
        .col_expr(user::Column::LastLoginAt, Expr::value(now))
        .filter(user::Column::Id.eq(user.id))
        .exec(&txn)
        .await?;
    let grant = open_session(&txn, user, ids::new_id(), ttl).await?;
    txn.commit().await?;
    Ok(grant)
}

/// Stores a new refresh token in `family` for `user`.
async fn open_session(
    db: &impl ConnectionTrait,
    user: user::Model,
    family_id: Uuid,
    ttl: Duration,
) -> Result<SessionGrant> {
    let refresh_token = format!("pulse_rt_{}", secrets::random_hex(32));
    let now = Utc::now();
    let expires_at = now + ttl;
    refresh_session::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(user.workspace_id),
        user_id: Set(user.id),
        family_id: Set(family_id),
        token_hash: Set(secrets::digest(&refresh_token)),
        expires_at: Set(expires_at),
        rotated_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(SessionGrant {
        user,
        family_id,
        refresh_token,
        refresh_expires_at: expires_at,
    })
}

/// Exchanges a refresh token for a new one in the same family. Presenting a
/// token that was already exchanged means it leaked: the whole family is
/// revoked, so the thief's and the owner's tokens both stop working.
pub async fn refresh(
    db: &DatabaseConnection,
    refresh_token: &str,
    ttl: Duration,
) -> Result<SessionGrant> {
    let Some(session) =
        refresh_session::Entity::find_by_token_hash(&secrets::digest(refresh_token))
            .one(db)
            .await?
    else {
        return Err(invalid_refresh_token());
    };
    let ws = WorkspaceId(session.workspace_id);
    let now = Utc::now();
    if session.revoked_at.is_some() || session.expires_at <= now {
        return Err(invalid_refresh_token());
    }
    if session.rotated_at.is_some() {
        revoke_family(db, ws, session.family_id).await?;
        tracing::warn!(session.family = %session.family_id, "refresh token reused: session family revoked");
        return Err(invalid_refresh_token());
    }
    let user = user::Entity::find_by_id_in(ws, session.user_id)
        .one(db)
        .await?;
    let Some(user) = user.filter(|u| u.active && u.archived_at.is_none()) else {
        return Err(invalid_refresh_token());
    };
    let txn = crate::db::begin(db).await?;
    // Only one exchange of a token can win; a concurrent second one is reuse.
    let rotated = refresh_session::Entity::update_many_in(ws)
        .col_expr(refresh_session::Column::RotatedAt, Expr::value(now))
        .filter(refresh_session::Column::Id.eq(session.id))
        .filter(refresh_session::Column::RotatedAt.is_null())
        .filter(refresh_session::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if rotated.rows_affected != 1 {
        txn.rollback().await?;
        revoke_family(db, ws, session.family_id).await?;
        return Err(invalid_refresh_token());
    }
    let grant = open_session(&txn, user, session.family_id, ttl).await?;
    txn.commit().await?;
    Ok(grant)
}

/// Revokes every refresh token of a session family.
pub async fn revoke_family(
    db: &impl ConnectionTrait,
    workspace: WorkspaceId,
    family_id: Uuid,
) -> Result<()> {
    refresh_session::Entity::update_many_in(workspace)
        .col_expr(refresh_session::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_session::Column::FamilyId.eq(family_id))
        .filter(refresh_session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes every session of a user (deactivation).
pub async fn revoke_user_sessions(
    db: &impl ConnectionTrait,
    workspace: WorkspaceId,
    user_id: Uuid,
) -> Result<()> {
    refresh_session::Entity::update_many_in(workspace)
        .col_expr(refresh_session::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_session::Column::UserId.eq(user_id))
        .filter(refresh_session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Whether a session family has been revoked (logout, reuse, deactivation):
/// access tokens of a revoked family stop working at once.
pub async fn family_revoked(
    db: &impl ConnectionTrait,
    workspace: WorkspaceId,
    family_id: Uuid,
) -> Result<bool> {
    let revoked = refresh_session::Entity::find_in(workspace)
        .filter(refresh_session::Column::FamilyId.eq(family_id))
        .filter(refresh_session::Column::RevokedAt.is_not_null())
        .one(db)
        .await?;
    Ok(revoked.is_some())
}

/// Ends the session family `family_id`.
pub async fn logout(
    db: &DatabaseConnection,
    workspace: WorkspaceId,
    family_id: Uuid,
) -> Result<()> {
    revoke_family(db, workspace, family_id).await
}
