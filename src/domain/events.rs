//! The transactional outbox: every change writes its domain event in the
//! change's own transaction (DESIGN.md section 1). `seq` stays empty here; the
//! sequencer assigns it after commit.

use chrono::Utc;
use entity::{WorkspaceId, domain_event};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use serde_json::Value;
use uuid::Uuid;

use super::{access::Actor, ids};
use crate::error::Result;

/// One change to record.
pub struct Event<'a> {
    /// E.g. `user.created`.
    pub event_type: &'a str,
    /// Kind of record changed, e.g. `user`.
    pub entity_type: &'a str,
    /// Id of the record changed.
    pub entity_id: Uuid,
    /// The changed fields, before and after.
    pub payload: Value,
}

/// Inserts `event` as caused by `actor` in `workspace`, on `db` (the change's
/// transaction).
pub async fn record(
    db: &impl ConnectionTrait,
    workspace: WorkspaceId,
    actor: Actor,
    event: Event<'_>,
) -> Result<()> {
    domain_event::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(workspace.0),
        seq: Set(None),
        event_type: Set(event.event_type.to_owned()),
        entity_type: Set(event.entity_type.to_owned()),
        entity_id: Set(event.entity_id),
        actor_kind: Set(actor.kind),
        actor_id: Set(actor.id),
        payload: Set(event.payload),
        occurred_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}
