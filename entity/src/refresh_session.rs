//! One refresh token of a login session; rotation creates the next one in the same family.

use sea_orm::entity::prelude::*;

/// A row of `refresh_session`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refresh_session")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning workspace.
    pub workspace_id: Uuid,
    /// The signed-in user.
    pub user_id: Uuid,
    /// All tokens rotated from one login share it; reuse revokes the family.
    pub family_id: Uuid,
    /// SHA-256 of the opaque refresh token.
    pub token_hash: String,
    /// Refusal instant.
    pub expires_at: DateTimeUtc,
    /// Set when this token was exchanged for its successor.
    pub rotated_at: Option<DateTimeUtc>,
    /// Set by logout or reuse detection.
    pub revoked_at: Option<DateTimeUtc>,
    /// When the token was issued.
    pub created_at: DateTimeUtc,
}

/// Relations are expressed as foreign keys in the migration; queries join explicitly.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// The session holding the refresh token with this digest; the token
    /// itself identifies the workspace.
    pub fn find_by_token_hash(hash: &str) -> sea_orm::Select<Entity> {
        #[expect(
            clippy::disallowed_methods,
            reason = "credential lookup: the token identifies the workspace"
        )]
        sea_orm::QueryFilter::filter(Entity::find(), Column::TokenHash.eq(hash))
    }
}
