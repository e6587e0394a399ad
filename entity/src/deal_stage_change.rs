//! One move of a deal between stages: the history funnels and forecasts are computed from.

use sea_orm::entity::prelude::*;

/// A row of `deal_stage_change`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deal_stage_change")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning workspace.
    pub workspace_id: Uuid,
    /// The deal.
    pub deal_id: Uuid,
    /// Its pipeline.
    pub pipeline_id: Uuid,
    /// Previous stage; none when the deal was created.
    pub from_stage_id: Option<Uuid>,
    /// New stage.
    pub to_stage_id: Uuid,
    /// Who moved it.
    pub changed_by: Option<Uuid>,
    /// When.
    pub changed_at: DateTimeUtc,
}

/// Relations are expressed as foreign keys in the migration; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
