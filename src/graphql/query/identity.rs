//! Who is calling, the workspace's users, teams and API tokens, and
//! `node`/`nodes` lookups.

use async_graphql::{Context, ErrorExtensions, ID, Object};

use crate::{
    domain::{
        access::{Action, Area},
        identity::{tokens, users},
    },
    graphql::{
        ApiContext,
        access::{Require, viewer},
        ids::{Kind, decode_as},
        pagination::{self, PulseConnection},
        types::{
            identity::{ApiToken, Team, User, ViewerInfo},
            node::{self, Node},
        },
    },
};

/// Identity queries.
#[derive(Default)]
pub struct IdentityQuery;

/// Most ids `nodes(ids:)` takes at once.
const MAX_NODES: usize = 100;

#[Object]
impl IdentityQuery {
    /// The caller: user or API token, workspace, role and scopes.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<ViewerInfo> {
        Ok(ViewerInfo::of(viewer(ctx)?))
    }

    /// The workspace's users, oldest first.
    #[graphql(
        guard = "Require(Area::Users, Action::Read)",
        complexity = "pagination::list_complexity(first, last, child_complexity)"
    )]
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<PulseConnection<User>> {
        let api = ctx.data::<ApiContext>()?;
        let page = pagination::page_request(ctx, first, after, last, before, &api.config.limits)
            .map_err(|e| e.extend())?;
        let page = users::list_users(&api.db, viewer(ctx)?, page)
            .await
            .map_err(|e| e.extend())?;
        Ok(pagination::connection(page, User))
    }

    /// One user of the workspace.
    #[graphql(guard = "Require(Area::Users, Action::Read)")]
    async fn user(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<User>> {
        let api = ctx.data::<ApiContext>()?;
        let Some(id) = decode_as(Kind::User, &id) else {
            return Ok(None);
        };
        let found = users::get_user(&api.db, viewer(ctx)?, id)
            .await
            .map_err(|e| e.extend())?;
        Ok(found.map(User))
    }

    /// The workspace's teams, by name.
    #[graphql(guard = "Require(Area::Users, Action::Read)")]
    async fn teams(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Team>> {
        let api = ctx.data::<ApiContext>()?;
        let teams = users::list_teams(&api.db, viewer(ctx)?)
            .await
            .map_err(|e| e.extend())?;
        Ok(teams.into_iter().map(Team).collect())
    }

    /// The workspace's API tokens, newest first (admins).
    #[graphql(guard = "Require(Area::Users, Action::Write)")]
    async fn api_tokens(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ApiToken>> {
        let api = ctx.data::<ApiContext>()?;
        let rows = tokens::list_api_tokens(&api.db, viewer(ctx)?)
            .await
            .map_err(|e| e.extend())?;
        Ok(rows.into_iter().map(ApiToken).collect())
    }

    /// Any record by global id; `null` when it does not exist in the
    /// caller's workspace.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        let api = ctx.data::<ApiContext>()?;
        node::load(api, viewer(ctx)?, &id)
            .await
            .map_err(|e| e.extend())
    }

    /// Records by global id, in the order asked, `null` for each one that
    /// does not exist in the caller's workspace (at most 100 ids).
    #[graphql(complexity = "ids.len() * child_complexity + 1")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(
                crate::Error::Validation(format!("at most {MAX_NODES} ids at once")).extend(),
            );
        }
        let api = ctx.data::<ApiContext>()?;
        let viewer = viewer(ctx)?;
        let mut nodes = Vec::with_capacity(ids.len());
        for id in &ids {
            nodes.push(node::load(api, viewer, id).await.map_err(|e| e.extend())?);
        }
        Ok(nodes)
    }
}
