//! A tenant: every other row belongs to exactly one workspace.

use sea_orm::{QueryFilter, entity::prelude::*};

/// A row of `workspace`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workspace")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// URL-safe unique handle, e.g. `acme`.
    pub slug: String,
    /// ISO-4217 code used when a money input names none.
    pub default_currency: String,
    /// IANA time zone used for calendar buckets in analytics.
    pub time_zone: String,
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

impl Entity {
    /// The workspace with `slug`. Workspaces are the tenants themselves, so
    /// they are the one table looked up without a workspace scope.
    pub fn find_by_slug(slug: &str) -> Select<Entity> {
        #[expect(clippy::disallowed_methods, reason = "workspaces are not tenant-owned")]
        Entity::find().filter(Column::Slug.eq(slug))
    }

    /// The workspace with `id`.
    pub fn find_by_workspace_id(id: crate::WorkspaceId) -> Select<Entity> {
        #[expect(clippy::disallowed_methods, reason = "workspaces are not tenant-owned")]
        Entity::find_by_id(id.0)
    }
}
