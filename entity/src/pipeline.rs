//! A sales pipeline: an ordered list of stages.

use sea_orm::entity::prelude::*;

/// A row of `pipeline`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pipeline")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning workspace.
    pub workspace_id: Uuid,
    /// Display name.
    pub name: String,
    /// Order among the workspace's pipelines.
    pub position: i32,
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
