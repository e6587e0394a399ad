//! A person who signs in to a workspace (table `app_user`: `user` is reserved in PostgreSQL).

use sea_orm::entity::prelude::*;

/// A row of `app_user`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "app_user")]
pub struct Model {
    /// UUIDv7 primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The owning workspace.
    pub workspace_id: Uuid,
    /// The user's team, if any.
    pub team_id: Option<Uuid>,
    /// Login e-mail, unique across Pulse.
    pub email: String,
    /// Display name.
    pub name: String,
    /// argon2id PHC string; never the password.
    pub password_hash: String,
    /// What the user may do in the workspace.
    pub role: crate::enums::Role,
    /// Deactivated users cannot sign in.
    pub active: bool,
    /// Last successful login.
    pub last_login_at: Option<DateTimeUtc>,
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
    /// The user signing in with `email`. Login happens before a workspace is
    /// known, and e-mail addresses are unique across Pulse, so this is the one
    /// user lookup without a workspace scope.
    pub fn find_by_login_email(email: &str) -> sea_orm::Select<Entity> {
        #[expect(
            clippy::disallowed_methods,
            reason = "credential lookup: the e-mail identifies the workspace"
        )]
        sea_orm::QueryFilter::filter(Entity::find(), Column::Email.eq(email))
    }
}
