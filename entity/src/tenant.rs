//! Tenant scoping. Every tenant-owned entity implements [`TenantScoped`], and the
//! unscoped `EntityTrait::find`/`find_by_id`/`update_many`/`delete_many` are
//! disallowed by `clippy.toml` everywhere else, so a query that forgets the
//! workspace does not compile under CI (DESIGN.md section 2, STYLE.md rule 3).

use sea_orm::{DeleteMany, QueryFilter, Select, UpdateMany, entity::prelude::*};
use serde::{Deserialize, Serialize};

/// The id of a workspace, the tenant every scoped query is bound to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WorkspaceId(pub Uuid);

impl std::fmt::Display for WorkspaceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// An entity whose rows belong to one workspace.
pub trait TenantScoped: EntityTrait {
    /// The `workspace_id` column.
    const WORKSPACE: Self::Column;
    /// The `id` primary-key column.
    const ID: Self::Column;

    /// All rows of the workspace.
    fn find_in(workspace: WorkspaceId) -> Select<Self> {
        #[expect(clippy::disallowed_methods, reason = "the scoped finder itself")]
        Self::find().filter(Self::WORKSPACE.eq(workspace.0))
    }

    /// The row with `id`, if it belongs to the workspace; another workspace's
    /// row is simply not found.
    fn find_by_id_in(workspace: WorkspaceId, id: Uuid) -> Select<Self> {
        Self::find_in(workspace).filter(Self::ID.eq(id))
    }

    /// A bulk update limited to the workspace.
    fn update_many_in(workspace: WorkspaceId) -> UpdateMany<Self> {
        #[expect(clippy::disallowed_methods, reason = "the scoped finder itself")]
        Self::update_many().filter(Self::WORKSPACE.eq(workspace.0))
    }

    /// A bulk delete limited to the workspace.
    fn delete_many_in(workspace: WorkspaceId) -> DeleteMany<Self> {
        #[expect(clippy::disallowed_methods, reason = "the scoped finder itself")]
        Self::delete_many().filter(Self::WORKSPACE.eq(workspace.0))
    }
}

/// Implements [`TenantScoped`] for entity modules with `workspace_id` and `id`.
macro_rules! tenant_scoped {
    ($($module:ident),+ $(,)?) => {
        $(
            impl TenantScoped for crate::$module::Entity {
                const WORKSPACE: Self::Column = crate::$module::Column::WorkspaceId;
                const ID: Self::Column = crate::$module::Column::Id;
            }
        )+
    };
}

tenant_scoped!(
    team,
    user,
    api_token,
    refresh_session,
    organization,
    contact,
    campaign,
    pipeline,
    stage,
    deal,
    lead,
    deal_stage_change,
    activity,
    interaction,
    tracked_event,
    note,
    ticket,
    tag,
    tagging,
    custom_field,
    goal,
    domain_event,
    idempotency_key,
);
