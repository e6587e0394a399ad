//! Leads and search results.

use async_graphql::{Context, Enum, ID, Object, Union};
use chrono::{DateTime, Utc};
use entity::lead;

use super::{
    customers::{Contact, Organization},
    identity::User,
    loader,
    pipeline::Deal,
    scalars::Channel,
};
use crate::graphql::{
    ids::{Kind, encode},
    loaders::{ContactById, DealById, OrganizationById, UserById},
};

/// Qualification status of a lead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::enums::LeadStatus")]
pub enum LeadStatus {
    /// Not yet worked.
    New,
    /// First contact made.
    Contacted,
    /// Worth a deal.
    Qualified,
    /// Not a fit.
    Disqualified,
    /// Turned into a deal.
    Converted,
}

/// An unqualified inbound request.
pub struct Lead(pub lead::Model);

/// An unqualified inbound request; `convertLead` turns it into a deal.
#[Object]
impl Lead {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Lead, self.0.id)
    }
    /// Short description.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Where it came from.
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }
    /// Channel it arrived on.
    async fn channel(&self) -> Option<Channel> {
        self.0.channel.map(Into::into)
    }
    /// Qualification status.
    async fn status(&self) -> LeadStatus {
        self.0.status.into()
    }
    /// Known contact.
    async fn contact(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Contact>> {
        let Some(id) = self.0.contact_id else {
            return Ok(None);
        };
        Ok(loader(ctx)?.load_one(ContactById(id)).await?.map(Contact))
    }
    /// Known organization.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        let Some(id) = self.0.organization_id else {
            return Ok(None);
        };
        Ok(loader(ctx)?
            .load_one(OrganizationById(id))
            .await?
            .map(Organization))
    }
    /// The responsible user.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let Some(id) = self.0.owner_id else {
            return Ok(None);
        };
        Ok(loader(ctx)?.load_one(UserById(id)).await?.map(User))
    }
    /// The deal it was converted into.
    async fn converted_deal(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Deal>> {
        let Some(id) = self.0.converted_deal_id else {
            return Ok(None);
        };
        Ok(loader(ctx)?.load_one(DealById(id)).await?.map(Deal))
    }
    /// Optimistic-concurrency version.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it arrived.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was archived.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
}

/// One result of `search`.
#[derive(Union)]
pub enum SearchResult {
    /// A contact.
    Contact(Contact),
    /// An organization.
    Organization(Organization),
    /// A deal.
    Deal(Deal),
    /// A lead.
    Lead(Lead),
}
