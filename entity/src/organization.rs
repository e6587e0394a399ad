//! A company the workspace sells to or serves.

use sea_orm::entity::prelude::*;

/// A row of `organization`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organization")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning workspace.
    pub workspace_id: Uuid,
    /// Company name.
    pub name: String,
    /// Web domain, e.g. `example.com`.
    pub domain: Option<String>,
    /// Industry label.
    pub industry: Option<String>,
    /// Company size.
    pub employee_count: Option<i32>,
    /// Postal address as a JSON object.
    #[sea_orm(column_type = "JsonBinary")]
    pub address: Option<Json>,
    /// Values of the workspace's custom fields, validated against `custom_field`.
    #[sea_orm(column_type = "JsonBinary")]
    pub custom_fields: Json,
    /// Most recent interaction with anyone at the organization.
    pub last_contacted_at: Option<DateTimeUtc>,
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
