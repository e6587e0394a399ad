//! The transactional outbox: one row per change, written in the change's transaction.

use sea_orm::entity::prelude::*;

/// A row of `domain_event`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "domain_event")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning workspace.
    pub workspace_id: Uuid,
    /// Gap-free per-workspace order, assigned after commit by the sequencer.
    pub seq: Option<i64>,
    /// E.g. `deal.moved`.
    pub event_type: String,
    /// Kind of record changed.
    pub entity_type: String,
    /// Id of the record changed.
    pub entity_id: Uuid,
    /// Who caused it: a user, an API token or the system.
    pub actor_kind: crate::enums::ActorKind,
    /// The user or token.
    pub actor_id: Option<Uuid>,
    /// The changed fields before and after.
    #[sea_orm(column_type = "JsonBinary")]
    pub payload: Json,
    /// Commit time of the change.
    pub occurred_at: DateTimeUtc,
}

/// Relations are expressed as foreign keys in the migration; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
