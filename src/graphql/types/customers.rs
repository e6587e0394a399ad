//! Contacts and organizations with their customer-360 fields.

use async_graphql::{ComplexObject, Context, Enum, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{activity, contact, enums::EntityType, organization, tag};
use serde_json::Value;

use super::{
    identity::User,
    loader,
    pipeline::Deal,
    scalars::{DealStatus, LifecycleStage, Money},
    touchpoints::{Activity, Note, Ticket, TimelineConnection, TimelineKind, timeline_page},
};
use crate::{
    domain::crm::{
        read::{Stats, custom_field_entries},
        timeline,
    },
    graphql::{
        ids::{Kind, encode},
        loaders::{
            ActivitiesOf, ContactsOf, DealsOf, NotesOf, OrganizationById, Owner, StatsOf, TagsOf,
            TicketsOf, UserById,
        },
    },
};

/// A label on a record.
pub struct Tag(pub tag::Model);

/// A label on contacts, organizations and deals.
#[Object]
impl Tag {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Tag, self.0.id)
    }
    /// The label.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Display colour.
    async fn color(&self) -> Option<&str> {
        self.0.color.as_deref()
    }
}

/// One custom-field value of a record.
#[derive(SimpleObject)]
pub struct CustomFieldValue {
    /// The field's key.
    pub key: String,
    /// The value, typed by the field's definition.
    pub value: Json<Value>,
}

/// Custom-field values of a record, sorted by key.
pub fn custom_fields(values: &Value) -> Vec<CustomFieldValue> {
    custom_field_entries(values)
        .into_iter()
        .map(|(key, value)| CustomFieldValue {
            key,
            value: Json(value),
        })
        .collect()
}

/// A customer's figures at a glance.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CustomerStats {
    /// Value of won deals, one entry per currency.
    pub lifetime_value: Vec<Money>,
    /// Value of open deals, one entry per currency.
    pub open_pipeline_value: Vec<Money>,
    /// Number of won deals.
    pub won_deals: u64,
    /// Most recent interaction.
    pub last_contacted_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    owner: Owner,
}

#[ComplexObject]
impl CustomerStats {
    /// The next activity not yet done, soonest first.
    async fn next_activity(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Activity>> {
        let upcoming = loader(ctx)?
            .load_one(ActivitiesOf(self.owner, Some(true)))
            .await?
            .unwrap_or_default();
        Ok(upcoming.into_iter().next().map(Activity))
    }
}

fn stats(stats: Stats, owner: Owner, last_contacted_at: Option<DateTime<Utc>>) -> CustomerStats {
    let money = |totals: Vec<(String, i64)>| {
        totals
            .into_iter()
            .map(|(currency, minor)| Money::from_minor(minor, &currency))
            .collect()
    };
    CustomerStats {
        lifetime_value: money(stats.lifetime_value),
        open_pipeline_value: money(stats.open_pipeline_value),
        won_deals: stats.won_deals,
        last_contacted_at,
        owner,
    }
}

/// Which activities of a customer to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum ActivityWindow {
    /// Not done yet, soonest due first.
    Upcoming,
    /// Done, latest first.
    Past,
    /// All, newest first.
    All,
}

impl ActivityWindow {
    fn flag(self) -> Option<bool> {
        match self {
            ActivityWindow::Upcoming => Some(true),
            ActivityWindow::Past => Some(false),
            ActivityWindow::All => None,
        }
    }
}

async fn owner_user(
    ctx: &Context<'_>,
    owner: Option<uuid::Uuid>,
) -> async_graphql::Result<Option<User>> {
    let Some(owner) = owner else { return Ok(None) };
    Ok(loader(ctx)?.load_one(UserById(owner)).await?.map(User))
}

async fn deals(
    ctx: &Context<'_>,
    owner: Owner,
    status: Option<DealStatus>,
) -> async_graphql::Result<Vec<Deal>> {
    let rows = loader(ctx)?
        .load_one(DealsOf(owner, status.map(Into::into)))
        .await?
        .unwrap_or_default();
    Ok(rows.into_iter().map(Deal).collect())
}

async fn activities(
    ctx: &Context<'_>,
    owner: Owner,
    window: ActivityWindow,
) -> async_graphql::Result<Vec<Activity>> {
    let rows: Vec<activity::Model> = loader(ctx)?
        .load_one(ActivitiesOf(owner, window.flag()))
        .await?
        .unwrap_or_default();
    Ok(rows.into_iter().map(Activity).collect())
}

async fn timeline(
    ctx: &Context<'_>,
    parent: timeline::Parent,
    id: uuid::Uuid,
    first: Option<i32>,
    after: Option<String>,
    kinds: Option<Vec<TimelineKind>>,
) -> async_graphql::Result<TimelineConnection> {
    timeline_page(ctx, parent, id, first, after, kinds).await
}

async fn tags(
    ctx: &Context<'_>,
    entity_type: EntityType,
    id: uuid::Uuid,
) -> async_graphql::Result<Vec<Tag>> {
    let rows = loader(ctx)?
        .load_one(TagsOf(entity_type, id))
        .await?
        .unwrap_or_default();
    Ok(rows.into_iter().map(Tag).collect())
}

/// A person the workspace deals with, with everything known about them.
pub struct Contact(pub contact::Model);

/// A person the workspace deals with: the customer-360 view.
#[Object]
impl Contact {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Contact, self.0.id)
    }
    /// Given name.
    async fn first_name(&self) -> &str {
        &self.0.first_name
    }
    /// Family name.
    async fn last_name(&self) -> &str {
        &self.0.last_name
    }
    /// Full name.
    async fn name(&self) -> String {
        format!("{} {}", self.0.first_name, self.0.last_name)
    }
    /// Primary e-mail.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// Phone numbers.
    async fn phones(&self) -> Vec<String> {
        serde_json::from_value(self.0.phones.clone()).unwrap_or_default()
    }
    /// Job title.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// Lifecycle stage.
    async fn lifecycle_stage(&self) -> LifecycleStage {
        self.0.lifecycle_stage.into()
    }
    /// Where the contact came from.
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }
    /// Lead score, 0 to 100.
    async fn score(&self) -> i32 {
        self.0.score
    }
    /// Custom-field values.
    async fn custom_fields(&self) -> Vec<CustomFieldValue> {
        custom_fields(&self.0.custom_fields)
    }
    /// The responsible user.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        owner_user(ctx, self.0.owner_id).await
    }
    /// The contact's organization.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        let Some(id) = self.0.organization_id else {
            return Ok(None);
        };
        Ok(loader(ctx)?
            .load_one(OrganizationById(id))
            .await?
            .map(Organization))
    }
    /// The contact's deals (up to 100, newest first), optionally of one status.
    async fn deals(
        &self,
        ctx: &Context<'_>,
        status: Option<DealStatus>,
    ) -> async_graphql::Result<Vec<Deal>> {
        deals(ctx, Owner::Contact(self.0.id), status).await
    }
    /// The contact's activities (up to 100).
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "ActivityWindow::All")] window: ActivityWindow,
    ) -> async_graphql::Result<Vec<Activity>> {
        activities(ctx, Owner::Contact(self.0.id), window).await
    }
    /// Everything that happened with the contact, newest first: interactions,
    /// activities, notes, deal stage changes, tickets and tracked events.
    #[graphql(
        complexity = "crate::graphql::pagination::list_complexity(first, None, child_complexity)"
    )]
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        kinds: Option<Vec<TimelineKind>>,
    ) -> async_graphql::Result<TimelineConnection> {
        timeline(
            ctx,
            timeline::Parent::Contact,
            self.0.id,
            first,
            after,
            kinds,
        )
        .await
    }
    /// The contact's tickets (up to 100, newest first).
    async fn tickets(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Ticket>> {
        let rows = loader(ctx)?
            .load_one(TicketsOf(Owner::Contact(self.0.id)))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Ticket).collect())
    }
    /// Notes on the contact (up to 100, newest first).
    async fn notes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Note>> {
        let rows = loader(ctx)?
            .load_one(NotesOf(Owner::Contact(self.0.id)))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Note).collect())
    }
    /// Tags on the contact.
    async fn tags(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Tag>> {
        tags(ctx, EntityType::Contact, self.0.id).await
    }
    /// Figures at a glance.
    async fn stats(&self, ctx: &Context<'_>) -> async_graphql::Result<CustomerStats> {
        let owner = Owner::Contact(self.0.id);
        let figures = loader(ctx)?
            .load_one(StatsOf(owner))
            .await?
            .unwrap_or_default();
        Ok(stats(figures, owner, self.0.last_contacted_at))
    }
    /// Most recent interaction.
    async fn last_contacted_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_contacted_at
    }
    /// Optimistic-concurrency version; updates must send it.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When the contact was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When it was archived; archived contacts can be restored.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
}

/// A company the workspace sells to or serves.
pub struct Organization(pub organization::Model);

/// A company the workspace sells to or serves: the customer-360 view.
#[Object]
impl Organization {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Organization, self.0.id)
    }
    /// Company name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Web domain.
    async fn domain(&self) -> Option<&str> {
        self.0.domain.as_deref()
    }
    /// Industry.
    async fn industry(&self) -> Option<&str> {
        self.0.industry.as_deref()
    }
    /// Number of employees.
    async fn employee_count(&self) -> Option<i32> {
        self.0.employee_count
    }
    /// Postal address.
    async fn address(&self) -> Option<Json<Value>> {
        self.0.address.clone().map(Json)
    }
    /// Custom-field values.
    async fn custom_fields(&self) -> Vec<CustomFieldValue> {
        custom_fields(&self.0.custom_fields)
    }
    /// The responsible user.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        owner_user(ctx, self.0.owner_id).await
    }
    /// The organization's contacts (up to 100, by name).
    async fn contacts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Contact>> {
        let rows = loader(ctx)?
            .load_one(ContactsOf(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Contact).collect())
    }
    /// The organization's deals (up to 100, newest first).
    async fn deals(
        &self,
        ctx: &Context<'_>,
        status: Option<DealStatus>,
    ) -> async_graphql::Result<Vec<Deal>> {
        deals(ctx, Owner::Organization(self.0.id), status).await
    }
    /// The organization's activities (up to 100).
    async fn activities(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "ActivityWindow::All")] window: ActivityWindow,
    ) -> async_graphql::Result<Vec<Activity>> {
        activities(ctx, Owner::Organization(self.0.id), window).await
    }
    /// Everything that happened with the organization, newest first.
    #[graphql(
        complexity = "crate::graphql::pagination::list_complexity(first, None, child_complexity)"
    )]
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        kinds: Option<Vec<TimelineKind>>,
    ) -> async_graphql::Result<TimelineConnection> {
        timeline(
            ctx,
            timeline::Parent::Organization,
            self.0.id,
            first,
            after,
            kinds,
        )
        .await
    }
    /// The organization's tickets (up to 100, newest first).
    async fn tickets(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Ticket>> {
        let rows = loader(ctx)?
            .load_one(TicketsOf(Owner::Organization(self.0.id)))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Ticket).collect())
    }
    /// Notes on the organization (up to 100, newest first).
    async fn notes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Note>> {
        let rows = loader(ctx)?
            .load_one(NotesOf(Owner::Organization(self.0.id)))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Note).collect())
    }
    /// Tags on the organization.
    async fn tags(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Tag>> {
        tags(ctx, EntityType::Organization, self.0.id).await
    }
    /// Figures at a glance.
    async fn stats(&self, ctx: &Context<'_>) -> async_graphql::Result<CustomerStats> {
        let owner = Owner::Organization(self.0.id);
        let figures = loader(ctx)?
            .load_one(StatsOf(owner))
            .await?
            .unwrap_or_default();
        Ok(stats(figures, owner, self.0.last_contacted_at))
    }
    /// Most recent interaction with anyone at the organization.
    async fn last_contacted_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_contacted_at
    }
    /// Optimistic-concurrency version; updates must send it.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When it was archived.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
}
