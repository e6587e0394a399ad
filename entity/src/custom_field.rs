//! A workspace-defined field; values live in the records' `custom_fields` JSON.

use sea_orm::entity::prelude::*;

/// A row of `custom_field`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "custom_field")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning workspace.
    pub workspace_id: Uuid,
    /// Kind of record it applies to.
    pub entity_type: crate::enums::EntityType,
    /// Key in the `custom_fields` object.
    pub key: String,
    /// Display label.
    pub label: String,
    /// Type values are validated against.
    pub field_type: crate::enums::FieldType,
    /// Allowed values of an `enum` field.
    #[sea_orm(column_type = "JsonBinary")]
    pub options: Json,
    /// Display order.
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
