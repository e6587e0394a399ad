//! A person the workspace deals with.

use sea_orm::entity::prelude::*;

/// A row of `contact`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning workspace.
    pub workspace_id: Uuid,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Primary e-mail, lower-cased.
    pub email: Option<String>,
    /// All e-mail addresses as a JSON array.
    #[sea_orm(column_type = "JsonBinary")]
    pub emails: Json,
    /// Phone numbers as a JSON array.
    #[sea_orm(column_type = "JsonBinary")]
    pub phones: Json,
    /// Job title.
    pub title: Option<String>,
    /// Where the contact is in the customer lifecycle.
    pub lifecycle_stage: crate::enums::LifecycleStage,
    /// Where the contact came from.
    pub source: Option<String>,
    /// Lead score.
    pub score: i32,
    /// Values of the workspace's custom fields.
    #[sea_orm(column_type = "JsonBinary")]
    pub custom_fields: Json,
    /// Most recent interaction.
    pub last_contacted_at: Option<DateTimeUtc>,
    /// The contact's organization.
    pub organization_id: Option<Uuid>,
    /// The responsible user.
    pub owner_id: Option<Uuid>,
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
