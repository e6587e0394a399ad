//! One touchpoint with a customer on any channel.

use sea_orm::entity::prelude::*;

/// A row of `interaction`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "interaction")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning workspace.
    pub workspace_id: Uuid,
    /// Channel.
    pub channel: crate::enums::Channel,
    /// Inbound or outbound.
    pub direction: crate::enums::Direction,
    /// When it happened.
    pub occurred_at: DateTimeUtc,
    /// What happened.
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    /// Channel-specific details.
    #[sea_orm(column_type = "JsonBinary")]
    pub properties: Json,
    /// When it was recorded.
    pub created_at: DateTimeUtc,
    /// The contact.
    pub contact_id: Option<Uuid>,
    /// The organization.
    pub organization_id: Option<Uuid>,
    /// Related deal.
    pub deal_id: Option<Uuid>,
    /// Attributed campaign.
    pub campaign_id: Option<Uuid>,
    /// The workspace user involved.
    pub user_id: Option<Uuid>,
}

/// Relations are expressed as foreign keys in the migration; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
