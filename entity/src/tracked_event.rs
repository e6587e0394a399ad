//! Product or website behaviour, ingested in batches (e.g. `trial_started`).

use sea_orm::entity::prelude::*;

/// A row of `tracked_event`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tracked_event")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning workspace.
    pub workspace_id: Uuid,
    /// Event name.
    pub name: String,
    /// When it happened.
    pub occurred_at: DateTimeUtc,
    /// Event properties.
    #[sea_orm(column_type = "JsonBinary")]
    pub properties: Json,
    /// When it was ingested.
    pub created_at: DateTimeUtc,
    /// The contact it belongs to.
    pub contact_id: Option<Uuid>,
}

/// Relations are expressed as foreign keys in the migration; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
