//! An unqualified inbound request, converted into a deal once qualified.

use sea_orm::entity::prelude::*;

/// A row of `lead`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lead")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning workspace.
    pub workspace_id: Uuid,
    /// Short description.
    pub title: String,
    /// Where it came from.
    pub source: Option<String>,
    /// Channel it arrived on.
    pub channel: Option<crate::enums::Channel>,
    /// Qualification status.
    pub status: crate::enums::LeadStatus,
    /// Known contact.
    pub contact_id: Option<Uuid>,
    /// Known organization.
    pub organization_id: Option<Uuid>,
    /// Attributed campaign.
    pub campaign_id: Option<Uuid>,
    /// The responsible user.
    pub owner_id: Option<Uuid>,
    /// The deal created on conversion.
    pub converted_deal_id: Option<Uuid>,
    /// Values of the workspace's custom fields, validated against `custom_field`.
    #[sea_orm(column_type = "JsonBinary")]
    pub custom_fields: Json,
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
