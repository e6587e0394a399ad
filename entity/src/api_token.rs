//! A scoped token for a third-party app; only its hash is stored.

use sea_orm::entity::prelude::*;

/// A row of `api_token`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_token")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning workspace.
    pub workspace_id: Uuid,
    /// What the token is for.
    pub name: String,
    /// The token's visible first characters, for recognising it in lists.
    pub prefix: String,
    /// SHA-256 of the full token.
    pub token_hash: String,
    /// Granted scopes, e.g. `["contacts:read"]`.
    #[sea_orm(column_type = "JsonBinary")]
    pub scopes: Json,
    /// After this instant the token is refused.
    pub expires_at: Option<DateTimeUtc>,
    /// Last request made with it.
    pub last_used_at: Option<DateTimeUtc>,
    /// Set when the token is revoked.
    pub revoked_at: Option<DateTimeUtc>,
    /// When the token was issued.
    pub created_at: DateTimeUtc,
    /// The admin who issued it.
    pub created_by: Option<Uuid>,
}

/// Relations are expressed as foreign keys in the migration; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// The API token with this digest; the token itself identifies the
    /// workspace.
    pub fn find_by_token_hash(hash: &str) -> sea_orm::Select<Entity> {
        #[expect(
            clippy::disallowed_methods,
            reason = "credential lookup: the token identifies the workspace"
        )]
        sea_orm::QueryFilter::filter(Entity::find(), Column::TokenHash.eq(hash))
    }
}
