//! A used idempotency key of a create mutation and the row it created.

use sea_orm::entity::prelude::*;

/// A row of `idempotency_key`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_key")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning workspace.
    pub workspace_id: Uuid,
    /// The mutation, e.g. `createContact`.
    pub operation: String,
    /// The client's key.
    pub key: String,
    /// The row the first call created.
    pub entity_id: Uuid,
    /// When the key was first used.
    pub created_at: DateTimeUtc,
}

/// No relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
