//! Lists and lookups of the operational CRM.

use std::collections::BTreeSet;

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};

use crate::{
    domain::crm::read::{
        self, ActivityFilter, ContactFilter, DealFilter, ListOrder, OrderField, OrganizationFilter,
    },
    graphql::{
        access::viewer,
        ids::{Kind, decode_as},
        loaders::Owner,
        pagination::{self, PulseConnection},
        prefetch,
        types::{
            api,
            customers::{Contact, Organization},
            gql,
            pipeline::{Deal, Pipeline},
            scalars::{DealStatus, LifecycleStage},
            touchpoints::{Activity, Ticket},
        },
    },
};

/// CRM queries.
#[derive(Default)]
pub struct CrmQuery;

/// An optional global id of `kind`; a malformed or foreign id matches
/// nothing rather than everything.
fn filter_id(kind: Kind, id: Option<&ID>) -> Option<uuid::Uuid> {
    id.map(|id| decode_as(kind, id).unwrap_or_else(uuid::Uuid::nil))
}

/// Filters of `contacts`.
#[derive(InputObject, Default)]
pub struct ContactsFilter {
    /// Owned by this user.
    pub owner_id: Option<ID>,
    /// Of this organization.
    pub organization_id: Option<ID>,
    /// In this lifecycle stage.
    pub lifecycle_stage: Option<LifecycleStage>,
    /// Carrying this tag.
    pub tag_id: Option<ID>,
    /// Case-insensitive text in first name, last name or e-mail.
    pub text: Option<String>,
    /// Created at or after.
    pub created_after: Option<DateTime<Utc>>,
    /// Created before.
    pub created_before: Option<DateTime<Utc>>,
    /// Updated at or after.
    pub updated_after: Option<DateTime<Utc>>,
    /// Updated before.
    pub updated_before: Option<DateTime<Utc>>,
    /// A custom field equal to a value (compared as text, e.g. `{ key: "tier", value: "gold" }`).
    pub custom_field: Option<CustomFieldEquals>,
    /// Include archived contacts.
    #[graphql(default)]
    pub include_archived: bool,
}

/// Sort direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum, Default)]
pub enum OrderDirection {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

/// What contacts and organizations can be ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum RecordOrderField {
    /// Creation time (the default).
    CreatedAt,
    /// Last change.
    UpdatedAt,
    /// Name (contacts: last name).
    Name,
}

/// What deals can be ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum DealOrderField {
    /// Creation time (the default).
    CreatedAt,
    /// Last change.
    UpdatedAt,
    /// Title.
    Title,
    /// Value in minor units (currencies are not converted).
    Value,
    /// When the deal entered its current stage.
    StageEnteredAt,
}

/// An order of contacts or organizations; ties are broken by creation, in
/// the same direction.
#[derive(InputObject)]
pub struct RecordOrder {
    /// The field.
    pub field: RecordOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// An order of deals; ties are broken by creation, in the same direction.
#[derive(InputObject)]
pub struct DealOrder {
    /// The field.
    pub field: DealOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

fn record_order(order: Option<RecordOrder>) -> ListOrder {
    order.map(|o| {
        let field = match o.field {
            RecordOrderField::CreatedAt => OrderField::CreatedAt,
            RecordOrderField::UpdatedAt => OrderField::UpdatedAt,
            RecordOrderField::Name => OrderField::Name,
        };
        (field, o.direction == OrderDirection::Desc)
    })
}

fn deal_order(order: Option<DealOrder>) -> ListOrder {
    order.map(|o| {
        let field = match o.field {
            DealOrderField::CreatedAt => OrderField::CreatedAt,
            DealOrderField::UpdatedAt => OrderField::UpdatedAt,
            DealOrderField::Title => OrderField::Name,
            DealOrderField::Value => OrderField::Value,
            DealOrderField::StageEnteredAt => OrderField::StageEnteredAt,
        };
        (field, o.direction == OrderDirection::Desc)
    })
}

/// A custom-field equality condition.
#[derive(InputObject)]
pub struct CustomFieldEquals {
    /// The field's key.
    pub key: String,
    /// The value, as text (`"12"`, `"gold"`, `"2027-01-31"`).
    pub value: String,
}

/// Filters of `organizations`.
#[derive(InputObject, Default)]
pub struct OrganizationsFilter {
    /// Owned by this user.
    pub owner_id: Option<ID>,
    /// Case-insensitive text in name or domain.
    pub text: Option<String>,
    /// Include archived organizations.
    #[graphql(default)]
    pub include_archived: bool,
}

/// Filters of `deals`.
#[derive(InputObject, Default)]
pub struct DealsFilter {
    /// In this pipeline.
    pub pipeline_id: Option<ID>,
    /// In this stage.
    pub stage_id: Option<ID>,
    /// With this status.
    pub status: Option<DealStatus>,
    /// Owned by this user.
    pub owner_id: Option<ID>,
    /// Of this contact.
    pub contact_id: Option<ID>,
    /// Of this organization.
    pub organization_id: Option<ID>,
    /// Case-insensitive text in the title.
    pub text: Option<String>,
    /// Include archived deals.
    #[graphql(default)]
    pub include_archived: bool,
}

/// Filters of `activities`.
#[derive(InputObject, Default)]
pub struct ActivitiesFilter {
    /// Assigned to this user.
    pub owner_id: Option<ID>,
    /// Done (`true`) or still to do (`false`).
    pub done: Option<bool>,
    /// Due at or after.
    pub due_after: Option<DateTime<Utc>>,
    /// Due before.
    pub due_before: Option<DateTime<Utc>>,
}

#[Object]
impl CrmQuery {
    /// Contacts, oldest first, filtered.
    #[graphql(complexity = "pagination::list_complexity(first, last, child_complexity)")]
    #[expect(
        clippy::too_many_arguments,
        reason = "Relay arguments plus filter and order"
    )]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ContactsFilter>,
        order_by: Option<RecordOrder>,
    ) -> async_graphql::Result<PulseConnection<Contact>> {
        let api = api(ctx)?;
        let page = gql(pagination::page_request(
            ctx,
            first,
            after,
            last,
            before,
            &api.config.limits,
        ))?;
        let f = filter.unwrap_or_default();
        let filter = ContactFilter {
            owner_id: filter_id(Kind::User, f.owner_id.as_ref()),
            organization_id: filter_id(Kind::Organization, f.organization_id.as_ref()),
            lifecycle_stage: f.lifecycle_stage.map(Into::into),
            text: f.text,
            created_after: f.created_after,
            created_before: f.created_before,
            tag_id: filter_id(Kind::Tag, f.tag_id.as_ref()),
            custom_field: f.custom_field.map(|c| (c.key, c.value)),
            updated_after: f.updated_after,
            updated_before: f.updated_before,
            include_archived: f.include_archived,
        };
        let page =
            gql(read::contacts(&api.db, viewer(ctx)?, filter, record_order(order_by), page).await)?;
        let owners: Vec<Owner> = page
            .rows
            .iter()
            .map(|(c, _)| Owner::Contact(c.id))
            .collect();
        let organizations: BTreeSet<uuid::Uuid> = page
            .rows
            .iter()
            .filter_map(|(_, c)| c.organization_id)
            .collect();
        prefetch::customers(ctx, &owners, &organizations.into_iter().collect::<Vec<_>>()).await?;
        Ok(pagination::connection(page, Contact))
    }

    /// One contact: the customer-360 view.
    async fn contact(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Contact>> {
        let Some(id) = decode_as(Kind::Contact, &id) else {
            return Ok(None);
        };
        let row = gql(read::get::<entity::contact::Entity>(
            &api(ctx)?.db,
            viewer(ctx)?,
            crate::domain::access::Area::Contacts,
            id,
        )
        .await)?;
        Ok(row.map(Contact))
    }

    /// Organizations, oldest first, filtered.
    #[graphql(complexity = "pagination::list_complexity(first, last, child_complexity)")]
    #[expect(
        clippy::too_many_arguments,
        reason = "Relay arguments plus filter and order"
    )]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<OrganizationsFilter>,
        order_by: Option<RecordOrder>,
    ) -> async_graphql::Result<PulseConnection<Organization>> {
        let api = api(ctx)?;
        let page = gql(pagination::page_request(
            ctx,
            first,
            after,
            last,
            before,
            &api.config.limits,
        ))?;
        let f = filter.unwrap_or_default();
        let filter = OrganizationFilter {
            owner_id: filter_id(Kind::User, f.owner_id.as_ref()),
            text: f.text,
            include_archived: f.include_archived,
        };
        let page =
            gql(
                read::organizations(&api.db, viewer(ctx)?, filter, record_order(order_by), page)
                    .await,
            )?;
        let owners: Vec<Owner> = page
            .rows
            .iter()
            .map(|(c, _)| Owner::Organization(c.id))
            .collect();
        prefetch::customers(ctx, &owners, &[]).await?;
        Ok(pagination::connection(page, Organization))
    }

    /// One organization: the customer-360 view.
    async fn organization(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<Organization>> {
        let Some(id) = decode_as(Kind::Organization, &id) else {
            return Ok(None);
        };
        let row = gql(read::get::<entity::organization::Entity>(
            &api(ctx)?.db,
            viewer(ctx)?,
            crate::domain::access::Area::Organizations,
            id,
        )
        .await)?;
        Ok(row.map(Organization))
    }

    /// Deals, oldest first, filtered.
    #[graphql(complexity = "pagination::list_complexity(first, last, child_complexity)")]
    #[expect(
        clippy::too_many_arguments,
        reason = "Relay arguments plus filter and order"
    )]
    async fn deals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<DealsFilter>,
        order_by: Option<DealOrder>,
    ) -> async_graphql::Result<PulseConnection<Deal>> {
        let api = api(ctx)?;
        let page = gql(pagination::page_request(
            ctx,
            first,
            after,
            last,
            before,
            &api.config.limits,
        ))?;
        let f = filter.unwrap_or_default();
        let filter = DealFilter {
            pipeline_id: filter_id(Kind::Pipeline, f.pipeline_id.as_ref()),
            stage_id: filter_id(Kind::Stage, f.stage_id.as_ref()),
            status: f.status.map(Into::into),
            owner_id: filter_id(Kind::User, f.owner_id.as_ref()),
            contact_id: filter_id(Kind::Contact, f.contact_id.as_ref()),
            organization_id: filter_id(Kind::Organization, f.organization_id.as_ref()),
            text: f.text,
            include_archived: f.include_archived,
        };
        let page =
            gql(read::deals(&api.db, viewer(ctx)?, filter, deal_order(order_by), page).await)?;
        Ok(pagination::connection(page, Deal))
    }

    /// One deal.
    async fn deal(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Deal>> {
        let Some(id) = decode_as(Kind::Deal, &id) else {
            return Ok(None);
        };
        let row = gql(read::get::<entity::deal::Entity>(
            &api(ctx)?.db,
            viewer(ctx)?,
            crate::domain::access::Area::Deals,
            id,
        )
        .await)?;
        Ok(row.map(Deal))
    }

    /// The workspace's pipelines in order.
    async fn pipelines(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Pipeline>> {
        let rows = gql(read::pipelines(&api(ctx)?.db, viewer(ctx)?).await)?;
        Ok(rows.into_iter().map(Pipeline).collect())
    }

    /// One pipeline.
    async fn pipeline(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Pipeline>> {
        let Some(id) = decode_as(Kind::Pipeline, &id) else {
            return Ok(None);
        };
        let row = gql(read::get::<entity::pipeline::Entity>(
            &api(ctx)?.db,
            viewer(ctx)?,
            crate::domain::access::Area::Pipelines,
            id,
        )
        .await)?;
        Ok(row.map(Pipeline))
    }

    /// Activities, oldest first, filtered.
    #[graphql(complexity = "pagination::list_complexity(first, last, child_complexity)")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ActivitiesFilter>,
    ) -> async_graphql::Result<PulseConnection<Activity>> {
        let api = api(ctx)?;
        let page = gql(pagination::page_request(
            ctx,
            first,
            after,
            last,
            before,
            &api.config.limits,
        ))?;
        let f = filter.unwrap_or_default();
        let filter = ActivityFilter {
            owner_id: filter_id(Kind::User, f.owner_id.as_ref()),
            done: f.done,
            due_after: f.due_after,
            due_before: f.due_before,
        };
        let page = gql(read::activities(&api.db, viewer(ctx)?, filter, page).await)?;
        Ok(pagination::connection(page, Activity))
    }

    /// Tickets, oldest first.
    #[graphql(complexity = "pagination::list_complexity(first, last, child_complexity)")]
    async fn tickets(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<PulseConnection<Ticket>> {
        let api = api(ctx)?;
        let page = gql(pagination::page_request(
            ctx,
            first,
            after,
            last,
            before,
            &api.config.limits,
        ))?;
        let page = gql(read::tickets(&api.db, viewer(ctx)?, page).await)?;
        Ok(pagination::connection(page, Ticket))
    }
}
