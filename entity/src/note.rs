//! A free-text note on a record.

use sea_orm::entity::prelude::*;

/// A row of `note`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "note")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning workspace.
    pub workspace_id: Uuid,
    /// The note.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// Who wrote it.
    pub author_id: Option<Uuid>,
    /// Linked contact.
    pub contact_id: Option<Uuid>,
    /// Linked organization.
    pub organization_id: Option<Uuid>,
    /// Linked deal.
    pub deal_id: Option<Uuid>,
    /// Linked lead.
    pub lead_id: Option<Uuid>,
    /// When the row was created.
    pub created_at: DateTimeUtc,
    /// When the row last changed.
    pub updated_at: DateTimeUtc,
    /// Optimistic-concurrency version, bumped by every update.
    pub version: i32,
    /// Soft-delete marker; archived rows can be restored.
    pub archived_at: Option<DateTimeUtc>,
}

/// Relations are expressed as foreign keys in the migration; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
