//! An opportunity moving through a pipeline.

use sea_orm::entity::prelude::*;

/// A row of `deal`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deal")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning workspace.
    pub workspace_id: Uuid,
    /// What is being sold.
    pub title: String,
    /// Value in minor units of `currency` (cents).
    pub value_amount: i64,
    /// ISO-4217 code.
    pub currency: String,
    /// Order of the card within its stage (ascending).
    pub position: i64,
    /// Open, won or lost.
    pub status: crate::enums::DealStatus,
    /// Why it was lost.
    pub lost_reason: Option<String>,
    /// When the owner expects to close.
    pub expected_close_date: Option<Date>,
    /// Where the deal came from.
    pub source: Option<String>,
    /// When the deal entered its current stage.
    pub stage_entered_at: DateTimeUtc,
    /// When it was won or lost.
    pub closed_at: Option<DateTimeUtc>,
    /// The pipeline.
    pub pipeline_id: Uuid,
    /// The current stage.
    pub stage_id: Uuid,
    /// The responsible user.
    pub owner_id: Option<Uuid>,
    /// Main contact.
    pub contact_id: Option<Uuid>,
    /// Customer organization.
    pub organization_id: Option<Uuid>,
    /// Attributed campaign.
    pub campaign_id: Option<Uuid>,
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
