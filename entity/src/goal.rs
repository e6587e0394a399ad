//! A target per user, team or workspace for a period.

use sea_orm::entity::prelude::*;

/// A row of `goal`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "goal")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning workspace.
    pub workspace_id: Uuid,
    /// Display name.
    pub name: String,
    /// What is counted.
    pub metric: crate::enums::GoalMetric,
    /// First day.
    pub period_start: Date,
    /// Last day.
    pub period_end: Date,
    /// Target: minor units for money metrics, a count otherwise.
    pub target: i64,
    /// Currency of a money target.
    pub currency: Option<String>,
    /// Whose goal; none for team or workspace goals.
    pub user_id: Option<Uuid>,
    /// Team goal.
    pub team_id: Option<Uuid>,
    /// Limit to one pipeline.
    pub pipeline_id: Option<Uuid>,
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
