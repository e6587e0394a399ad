//! Leads and the cross-record `search`.

use async_graphql::{Context, ID, Object};

use crate::{
    domain::{
        access::Area,
        crm::{
            read,
            search::{self, Hit},
        },
    },
    graphql::{
        access::viewer,
        ids::{Kind, decode_as},
        pagination::{self, PulseConnection},
        types::{
            api,
            customers::{Contact, Organization},
            gql,
            leads::{Lead, LeadStatus, SearchResult},
            pipeline::Deal,
        },
    },
};

/// Lead and search queries.
#[derive(Default)]
pub struct LeadQuery;

/// Most results `search` returns.
const MAX_RESULTS: i32 = 50;

#[Object]
impl LeadQuery {
    /// Leads, oldest first, optionally of one status.
    #[graphql(complexity = "pagination::list_complexity(first, last, child_complexity)")]
    async fn leads(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        status: Option<LeadStatus>,
    ) -> async_graphql::Result<PulseConnection<Lead>> {
        let api = api(ctx)?;
        let page = gql(pagination::page_request(
            ctx,
            first,
            after,
            last,
            before,
            &api.config.limits,
        ))?;
        let page = gql(search::leads(&api.db, viewer(ctx)?, status.map(Into::into), page).await)?;
        Ok(pagination::connection(page, Lead))
    }

    /// One lead.
    async fn lead(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Lead>> {
        let Some(id) = decode_as(Kind::Lead, &id) else {
            return Ok(None);
        };
        let row =
            gql(
                read::get::<entity::lead::Entity>(&api(ctx)?.db, viewer(ctx)?, Area::Leads, id)
                    .await,
            )?;
        Ok(row.map(Lead))
    }

    /// Contacts, organizations, deals and leads matching `query` (names,
    /// e-mails, domains, titles; at least 2 characters), best first: exact,
    /// then prefix, then substring matches. Kinds the caller may not read are
    /// left out.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<SearchResult>> {
        let limit = first.unwrap_or(20).clamp(1, MAX_RESULTS);
        let hits = gql(search::search(&api(ctx)?.db, viewer(ctx)?, &query, limit as u64).await)?;
        Ok(hits
            .into_iter()
            .map(|hit| match hit {
                Hit::Contact(c) => SearchResult::Contact(Contact(c)),
                Hit::Organization(o) => SearchResult::Organization(Organization(o)),
                Hit::Deal(d) => SearchResult::Deal(Deal(d)),
                Hit::Lead(l) => SearchResult::Lead(Lead(l)),
            })
            .collect())
    }
}
