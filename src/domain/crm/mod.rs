//! The operational CRM: customers, the pipeline and every touchpoint.
//! Each write checks permissions (role or scope, then record ownership),
//! validates its input into field errors, runs in one transaction with its
//! domain events, and checks the row's `version` (DESIGN.md sections 2-4).

pub mod activities;
pub mod contacts;
pub mod custom_fields;
pub mod deals;
pub mod leads;
pub mod merge;
pub mod organizations;
pub mod pipelines;
pub mod read;
pub mod search;
pub mod service;
pub mod settings;
pub mod tags;
pub mod timeline;
pub mod touchpoints;

use chrono::Utc;
use entity::{TenantScoped, WorkspaceId, idempotency_key, user};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseTransaction};
use uuid::Uuid;

use crate::{
    domain::{access::Viewer, ids},
    error::{Error, FieldError, Result, is_unique_violation},
};

/// Refuses when the viewer may not edit a record owned by `owner` (members
/// their own, managers their team's; see `Viewer::may_edit`).
pub async fn check_owner(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    owner: Option<Uuid>,
) -> Result<()> {
    let owner_team = match owner {
        Some(owner) => user::Entity::find_by_id_in(viewer.workspace, owner)
            .one(db)
            .await?
            .and_then(|u| u.team_id),
        None => None,
    };
    if viewer.may_edit(owner, owner_team) {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "You may only change records you own (managers: your team's).".to_owned(),
        ))
    }
}

/// Checks that `owner` is a user of the workspace.
pub async fn check_user(
    db: &impl ConnectionTrait,
    workspace: WorkspaceId,
    field: &str,
    owner: Option<Uuid>,
    errors: &mut Vec<FieldError>,
) -> Result<()> {
    if let Some(owner) = owner
        && user::Entity::find_by_id_in(workspace, owner)
            .one(db)
            .await?
            .is_none()
    {
        errors.push(FieldError::not_found(
            field,
            "no such user in this workspace",
        ));
    }
    Ok(())
}

/// The CONFLICT answered for a stale `version`.
pub fn stale(what: &str) -> Error {
    Error::Conflict(format!(
        "The {what} was changed by someone else; reload it and apply your change to the current version."
    ))
}

/// The row an idempotency key already created, if the key was used.
pub async fn replayed(
    db: &impl ConnectionTrait,
    workspace: WorkspaceId,
    operation: &str,
    key: Option<&str>,
) -> Result<Option<Uuid>> {
    let Some(key) = key else { return Ok(None) };
    if key.is_empty() || key.len() > 200 {
        return Err(Error::field(FieldError::invalid(
            "idempotencyKey",
            "must be 1 to 200 characters",
        )));
    }
    use sea_orm::{ColumnTrait, QueryFilter};
    let found = idempotency_key::Entity::find_in(workspace)
        .filter(idempotency_key::Column::Operation.eq(operation))
        .filter(idempotency_key::Column::Key.eq(key))
        .one(db)
        .await?;
    Ok(found.map(|row| row.entity_id))
}

/// Records that `key` created `entity_id`, in the creating transaction. A
/// concurrent first use of the same key loses here (unique index) and is
/// answered as a retry by the caller.
pub async fn remember(
    txn: &DatabaseTransaction,
    workspace: WorkspaceId,
    operation: &str,
    key: Option<&str>,
    entity_id: Uuid,
) -> Result<bool> {
    let Some(key) = key else { return Ok(true) };
    let inserted = idempotency_key::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(workspace.0),
        operation: Set(operation.to_owned()),
        key: Set(key.to_owned()),
        entity_id: Set(entity_id),
        created_at: Set(Utc::now()),
    }
    .insert(txn)
    .await;
    match inserted {
        Ok(_) => Ok(true),
        Err(error) if is_unique_violation(&error) => Ok(false),
        Err(error) => Err(error.into()),
    }
}

/// Trims a required text field (1 to `max` characters).
pub fn required_text(field: &str, input: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let value = input.trim().to_owned();
    if value.is_empty() || value.chars().count() > max {
        errors.push(FieldError::invalid(
            field,
            format!("must be between 1 and {max} characters"),
        ));
    }
    value
}

/// Trims an optional text field; empty becomes none.
pub fn optional_text(
    field: &str,
    input: Option<&str>,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let value = input.map(str::trim).filter(|v| !v.is_empty())?;
    if value.chars().count() > max {
        errors.push(FieldError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Some(value.to_owned())
}

/// Loads a row of the viewer's workspace or answers NOT_FOUND.
pub async fn find<E: TenantScoped>(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    what: &'static str,
) -> Result<E::Model> {
    E::find_by_id_in(viewer.workspace, id)
        .one(db)
        .await?
        .ok_or(Error::NotFound(what))
}

/// Writes `model` over row `id` only if the row is still at `version`
/// (one conditional UPDATE, so concurrent writers cannot both win), inside
/// `txn`, and returns the row as written. The caller sets the new version.
pub async fn save_versioned<E, A>(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    model: A,
    version_column: E::Column,
    what: &'static str,
) -> Result<E::Model>
where
    E: TenantScoped,
    A: ActiveModelTrait<Entity = E> + Send,
{
    use sea_orm::{ColumnTrait, QueryFilter};
    let written = E::update_many_in(viewer.workspace)
        .set(model)
        .filter(E::ID.eq(id))
        .filter(version_column.eq(version))
        .exec(txn)
        .await?;
    if written.rows_affected != 1 {
        return Err(stale(what));
    }
    find::<E>(txn, viewer, id, what).await
}

/// The changed fields of two snapshots, as `{ before, after }`.
pub fn diff(before: &serde_json::Value, after: &serde_json::Value) -> serde_json::Value {
    let (mut old, mut new) = (serde_json::Map::new(), serde_json::Map::new());
    if let (Some(b), Some(a)) = (before.as_object(), after.as_object()) {
        for (key, value) in a {
            if b.get(key) != Some(value) {
                old.insert(
                    key.clone(),
                    b.get(key).cloned().unwrap_or(serde_json::Value::Null),
                );
                new.insert(key.clone(), value.clone());
            }
        }
    }
    serde_json::json!({ "before": old, "after": new })
}

/// A database handle a write can run on: the pool, or an open transaction
/// (a nested `begin` is a savepoint), so writes compose into one transaction
/// (`convertLead`, `mergeContacts`).
pub trait Db:
    ConnectionTrait + sea_orm::TransactionTrait<Transaction = DatabaseTransaction>
{
}

impl<T: ConnectionTrait + sea_orm::TransactionTrait<Transaction = DatabaseTransaction>> Db for T {}

/// A versioned CRM row whose changes are recorded as domain events with the
/// changed fields before and after.
pub trait Recorded: TenantScoped {
    /// The record type's name in messages and events (`contact`).
    const NAME: &'static str;
    /// The `version` column.
    const VERSION: Self::Column;
    /// The `updated_at` column.
    const UPDATED_AT: Self::Column;
    /// A row's id.
    fn id_of(row: &Self::Model) -> Uuid;
    /// A row's version.
    fn version_of(row: &Self::Model) -> i32;
    /// The fields events record.
    fn snapshot(row: &Self::Model) -> serde_json::Value;
}

macro_rules! recorded {
    ($($entity:ident => $domain:ident),+ $(,)?) => {
        $(
            impl Recorded for entity::$entity::Entity {
                const NAME: &'static str = stringify!($entity);
                const VERSION: Self::Column = entity::$entity::Column::Version;
                const UPDATED_AT: Self::Column = entity::$entity::Column::UpdatedAt;
                fn id_of(row: &Self::Model) -> Uuid {
                    row.id
                }
                fn version_of(row: &Self::Model) -> i32 {
                    row.version
                }
                fn snapshot(row: &Self::Model) -> serde_json::Value {
                    $domain::snapshot(row)
                }
            }
        )+
    };
}

recorded!(contact => contacts, organization => organizations, deal => deals, lead => leads);

/// Writes `model` over `current` if the row is still at `version` (then at
/// `version + 1`), with its event: the changed fields before and after, plus
/// `extra`, all in `txn`.
pub async fn save_recorded<E, A>(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    current: &E::Model,
    mut model: A,
    version: i32,
    event_type: &str,
    extra: serde_json::Value,
) -> Result<E::Model>
where
    E: Recorded,
    A: ActiveModelTrait<Entity = E> + Send,
{
    if E::version_of(current) != version {
        return Err(stale(E::NAME));
    }
    model.set(E::VERSION, (version + 1).into());
    model.set(E::UPDATED_AT, Utc::now().into());
    let id = E::id_of(current);
    let updated = save_versioned(txn, viewer, id, version, model, E::VERSION, E::NAME).await?;
    let mut payload = diff(&E::snapshot(current), &E::snapshot(&updated));
    if let (Some(payload), Some(extra)) = (payload.as_object_mut(), extra.as_object()) {
        payload.extend(extra.clone());
    }
    crate::domain::events::record(
        txn,
        viewer.workspace,
        viewer.actor(),
        crate::domain::events::Event {
            event_type,
            entity_type: E::NAME,
            entity_id: id,
            payload,
        },
    )
    .await?;
    Ok(updated)
}

/// [`save_recorded`] in a transaction of its own.
pub async fn save_recorded_alone<E, A>(
    db: &impl Db,
    viewer: &Viewer,
    current: &E::Model,
    model: A,
    version: i32,
    event_type: &str,
) -> Result<E::Model>
where
    E: Recorded,
    A: ActiveModelTrait<Entity = E> + Send,
{
    let txn = crate::db::begin(db).await?;
    let updated = save_recorded(
        &txn,
        viewer,
        current,
        model,
        version,
        event_type,
        serde_json::json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}
