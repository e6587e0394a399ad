//! A service case.

use sea_orm::entity::prelude::*;

/// A row of `ticket`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ticket")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning workspace.
    pub workspace_id: Uuid,
    /// Short description.
    pub subject: String,
    /// Details.
    #[sea_orm(column_type = "Text")]
    pub description: Option<String>,
    /// Progress.
    pub status: crate::enums::TicketStatus,
    /// Urgency.
    pub priority: crate::enums::TicketPriority,
    /// Where it was raised.
    pub channel: crate::enums::Channel,
    /// Resolution deadline.
    pub sla_due_at: Option<DateTimeUtc>,
    /// When it was resolved.
    pub resolved_at: Option<DateTimeUtc>,
    /// Customer contact.
    pub contact_id: Option<Uuid>,
    /// Customer organization.
    pub organization_id: Option<Uuid>,
    /// Who works on it.
    pub assignee_id: Option<Uuid>,
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
