//! API tokens for third-party apps: shown once, stored as a SHA-256 digest
//! with a visible prefix, scoped, expiring, revocable.

use chrono::{DateTime, Utc};
use entity::{TenantScoped, WorkspaceId, api_token};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection};
use serde_json::json;
use uuid::Uuid;

use super::{fail_on, parse_name};
use crate::{
    domain::{
        access::{Action, Actor, Area, Principal, Scope, ScopeSet, Viewer},
        events::{self, Event},
        ids, secrets,
    },
    error::{Error, FieldError, Result},
};

/// Every API token starts with this, so secret scanners can recognise it.
pub const TOKEN_PREFIX: &str = "pulse_at_";
/// Characters of the token shown in lists (the prefix plus 8 hex digits).
const VISIBLE: usize = TOKEN_PREFIX.len() + 8;

/// What `createApiToken` needs.
pub struct CreateApiToken {
    /// What the token is for.
    pub name: String,
    /// Scopes, e.g. `["contacts:read"]`.
    pub scopes: Vec<String>,
    /// Expiry; none means it lasts until revoked.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A token just created: the secret is in `token` and nowhere else.
pub struct CreatedToken {
    /// The stored row.
    pub row: api_token::Model,
    /// The full token, shown once.
    pub token: String,
}

/// Creates a token in the viewer's workspace (admins and owners; an API
/// token only with the `admin` scope).
pub async fn create_api_token(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: CreateApiToken,
) -> Result<CreatedToken> {
    viewer.require(Area::Users, Action::Write)?;
    if let Principal::ApiToken { scopes, .. } = &viewer.principal
        && !scopes.allows(Area::Workspace, Action::Write)
    {
        return Err(Error::Forbidden(
            "Only the `admin` scope may create API tokens.".to_owned(),
        ));
    }
    let txn = crate::db::begin(db).await?;
    let created = insert_token(&txn, viewer.workspace, viewer.actor(), input).await?;
    txn.commit().await?;
    Ok(created)
}

/// Creates a token as Pulse itself (`pulse token create`).
pub async fn create_api_token_as_system(
    db: &DatabaseConnection,
    workspace: WorkspaceId,
    input: CreateApiToken,
) -> Result<CreatedToken> {
    let txn = crate::db::begin(db).await?;
    let created = insert_token(&txn, workspace, Actor::SYSTEM, input).await?;
    txn.commit().await?;
    Ok(created)
}

async fn insert_token(
    db: &impl ConnectionTrait,
    workspace: WorkspaceId,
    actor: Actor,
    input: CreateApiToken,
) -> Result<CreatedToken> {
    let mut errors = Vec::new();
    let name = parse_name("name", &input.name, &mut errors);
    let scopes = ScopeSet::parse(&input.scopes)
        .map_err(|m| errors.push(FieldError::invalid("scopes", m)))
        .ok();
    if input.expires_at.is_some_and(|at| at <= Utc::now()) {
        errors.push(FieldError::invalid("expiresAt", "must be in the future"));
    }
    fail_on(errors)?;
    let scopes = scopes.expect("BUG: a parse error was reported above");
    let token = format!("{TOKEN_PREFIX}{}", secrets::random_hex(32));
    let row = api_token::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(workspace.0),
        name: Set(name),
        prefix: Set(token[..VISIBLE].to_owned()),
        token_hash: Set(secrets::digest(&token)),
        scopes: Set(json!(scopes.to_strings())),
        expires_at: Set(input.expires_at),
        last_used_at: Set(None),
        revoked_at: Set(None),
        created_at: Set(Utc::now()),
        created_by: Set(actor
            .id
            .filter(|_| actor.kind == entity::enums::ActorKind::User)),
    }
    .insert(db)
    .await?;
    events::record(
        db,
        workspace,
        actor,
        Event {
            event_type: "api_token.created",
            entity_type: "api_token",
            entity_id: row.id,
            payload: json!({ "after": { "name": row.name, "prefix": row.prefix, "scopes": row.scopes, "expiresAt": row.expires_at } }),
        },
    )
    .await?;
    Ok(CreatedToken { row, token })
}

/// Revokes a token; it stops working at once, on HTTP and on open sockets.
pub async fn revoke_api_token(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
) -> Result<api_token::Model> {
    viewer.require(Area::Users, Action::Write)?;
    let row = api_token::Entity::find_by_id_in(viewer.workspace, id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("API token"))?;
    if row.revoked_at.is_some() {
        return Ok(row);
    }
    let txn = crate::db::begin(db).await?;
    let mut model: api_token::ActiveModel = row.into();
    model.revoked_at = Set(Some(Utc::now()));
    let row = model.update(&txn).await?;
    events::record(
        &txn,
        viewer.workspace,
        viewer.actor(),
        Event {
            event_type: "api_token.revoked",
            entity_type: "api_token",
            entity_id: row.id,
            payload: json!({ "before": { "revoked": false }, "after": { "revoked": true } }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The scopes stored on a token row.
pub fn stored_scopes(row: &api_token::Model) -> ScopeSet {
    let strings: Vec<String> = serde_json::from_value(row.scopes.clone()).unwrap_or_default();
    let parsed: Vec<Scope> = strings.iter().filter_map(|s| s.parse().ok()).collect();
    ScopeSet::parse(&parsed.iter().map(ToString::to_string).collect::<Vec<_>>()).unwrap_or_default()
}

/// The workspace's API tokens, newest first (admins only).
pub async fn list_api_tokens(
    db: &DatabaseConnection,
    viewer: &Viewer,
) -> Result<Vec<api_token::Model>> {
    viewer.require(Area::Users, Action::Write)?;
    Ok(sea_orm::QueryOrder::order_by_desc(
        api_token::Entity::find_in(viewer.workspace),
        api_token::Column::CreatedAt,
    )
    .all(db)
    .await?)
}

/// One API token of the viewer's workspace (admins only).
pub async fn get_api_token(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
) -> Result<Option<api_token::Model>> {
    viewer.require(Area::Users, Action::Write)?;
    Ok(api_token::Entity::find_by_id_in(viewer.workspace, id)
        .one(db)
        .await?)
}
