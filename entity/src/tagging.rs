//! A tag on one record.

use sea_orm::entity::prelude::*;

/// A row of `tagging`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tagging")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning workspace.
    pub workspace_id: Uuid,
    /// The tag.
    pub tag_id: Uuid,
    /// Kind of record tagged.
    pub entity_type: crate::enums::EntityType,
    /// Id of the record.
    pub entity_id: Uuid,
    /// When the tag was put on.
    pub created_at: DateTimeUtc,
}

/// Relations are expressed as foreign keys in the migration; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
