//! Activities, interactions, notes, tickets, tracked events, stage changes,
//! and the customer timeline that merges them.

use std::sync::Arc;

use async_graphql::{
    Context, Enum, ID, Json, Object, Union,
    connection::{Connection, Edge, EmptyFields},
};
use chrono::{DateTime, Utc};
use entity::{activity, deal_stage_change, interaction, note, ticket, tracked_event};
use serde_json::Value;
use uuid::Uuid;

use super::{
    api,
    customers::{Contact, Organization},
    identity::User,
    loader,
    pipeline::{Deal, Stage},
    scalars::{ActivityKind, Channel, Direction, TicketPriority, TicketStatus},
};
use crate::{
    domain::crm::timeline::{self, Item},
    error::Error,
    graphql::{
        ids::{Kind, encode},
        loaders::{ContactById, DealById, OrganizationById, StageById, TimelineOf, UserById},
        pagination::PageSize,
    },
};

async fn user(ctx: &Context<'_>, id: Option<Uuid>) -> async_graphql::Result<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    Ok(loader(ctx)?.load_one(UserById(id)).await?.map(User))
}

async fn contact(ctx: &Context<'_>, id: Option<Uuid>) -> async_graphql::Result<Option<Contact>> {
    let Some(id) = id else { return Ok(None) };
    Ok(loader(ctx)?.load_one(ContactById(id)).await?.map(Contact))
}

async fn organization(
    ctx: &Context<'_>,
    id: Option<Uuid>,
) -> async_graphql::Result<Option<Organization>> {
    let Some(id) = id else { return Ok(None) };
    Ok(loader(ctx)?
        .load_one(OrganizationById(id))
        .await?
        .map(Organization))
}

async fn deal(ctx: &Context<'_>, id: Option<Uuid>) -> async_graphql::Result<Option<Deal>> {
    let Some(id) = id else { return Ok(None) };
    Ok(loader(ctx)?.load_one(DealById(id)).await?.map(Deal))
}

/// Scheduled or completed work.
pub struct Activity(pub activity::Model);

/// Scheduled or completed work: a call, meeting, task …
#[Object]
impl Activity {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Activity, self.0.id)
    }
    /// Kind of work.
    async fn kind(&self) -> ActivityKind {
        self.0.kind.into()
    }
    /// Short description.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// Details.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// When it is due.
    async fn due_at(&self) -> Option<DateTime<Utc>> {
        self.0.due_at
    }
    /// Planned length in minutes.
    async fn duration_minutes(&self) -> Option<i32> {
        self.0.duration_minutes
    }
    /// When it was completed.
    async fn done_at(&self) -> Option<DateTime<Utc>> {
        self.0.done_at
    }
    /// Not done and past due.
    async fn overdue(&self) -> bool {
        self.0.done_at.is_none() && self.0.due_at.is_some_and(|due| due < Utc::now())
    }
    /// Who does it.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.owner_id).await
    }
    /// Linked deal.
    async fn deal(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Deal>> {
        deal(ctx, self.0.deal_id).await
    }
    /// Linked contact.
    async fn contact(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Contact>> {
        contact(ctx, self.0.contact_id).await
    }
    /// Linked organization.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        organization(ctx, self.0.organization_id).await
    }
    /// Optimistic-concurrency version.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was scheduled.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// One touchpoint with a customer.
pub struct Interaction(pub interaction::Model);

/// One touchpoint with a customer on any channel.
#[Object]
impl Interaction {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Interaction, self.0.id)
    }
    /// Channel.
    async fn channel(&self) -> Channel {
        self.0.channel.into()
    }
    /// Inbound or outbound.
    async fn direction(&self) -> Direction {
        self.0.direction.into()
    }
    /// When it happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// What happened.
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// Channel-specific details.
    async fn properties(&self) -> Json<Value> {
        Json(self.0.properties.clone())
    }
    /// The contact.
    async fn contact(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Contact>> {
        contact(ctx, self.0.contact_id).await
    }
    /// The workspace user involved.
    async fn user(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.user_id).await
    }
}

/// A note on a record.
pub struct Note(pub note::Model);

/// A free-text note on a record.
#[Object]
impl Note {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Note, self.0.id)
    }
    /// The note.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// Who wrote it.
    async fn author(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.author_id).await
    }
    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Optimistic-concurrency version; edits must send it.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was archived.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
}

/// A service case.
pub struct Ticket(pub ticket::Model);

/// A service case.
#[Object]
impl Ticket {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Ticket, self.0.id)
    }
    /// Short description.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// Progress.
    async fn status(&self) -> TicketStatus {
        self.0.status.into()
    }
    /// Urgency.
    async fn priority(&self) -> TicketPriority {
        self.0.priority.into()
    }
    /// Where it was raised.
    async fn channel(&self) -> Channel {
        self.0.channel.into()
    }
    /// Resolution deadline.
    async fn sla_due_at(&self) -> Option<DateTime<Utc>> {
        self.0.sla_due_at
    }
    /// When it was resolved.
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }
    /// Who works on it.
    async fn assignee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.assignee_id).await
    }
    /// When it was opened.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A product or website event.
pub struct TrackedEvent(pub tracked_event::Model);

/// A product or website event, e.g. `trial_started`.
#[Object]
impl TrackedEvent {
    /// Event name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// When it happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// Event properties.
    async fn properties(&self) -> Json<Value> {
        Json(self.0.properties.clone())
    }
}

/// A deal moving between stages.
pub struct DealStageChange(pub deal_stage_change::Model);

/// A deal moving between stages.
#[Object]
impl DealStageChange {
    /// The deal.
    async fn deal(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Deal>> {
        deal(ctx, Some(self.0.deal_id)).await
    }
    /// The stage it left; none when the deal was created.
    #[graphql(name = "fromStage")]
    async fn stage_left(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Stage>> {
        let Some(id) = self.0.from_stage_id else {
            return Ok(None);
        };
        Ok(loader(ctx)?.load_one(StageById(id)).await?.map(Stage))
    }
    /// The stage it entered.
    async fn to_stage(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Stage>> {
        Ok(loader(ctx)?
            .load_one(StageById(self.0.to_stage_id))
            .await?
            .map(Stage))
    }
    /// Who moved it.
    async fn changed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        user(ctx, self.0.changed_by).await
    }
    /// When.
    async fn changed_at(&self) -> DateTime<Utc> {
        self.0.changed_at
    }
}

/// One entry of a customer timeline.
#[derive(Union)]
pub enum TimelineItem {
    /// A touchpoint.
    Interaction(Interaction),
    /// An activity.
    Activity(Activity),
    /// A note.
    Note(Note),
    /// A deal stage change.
    DealStageChange(DealStageChange),
    /// A ticket.
    Ticket(Ticket),
    /// A tracked event.
    TrackedEvent(TrackedEvent),
}

/// Kinds of timeline entries, for filtering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::domain::crm::timeline::Kind")]
pub enum TimelineKind {
    /// Touchpoints on any channel.
    Interaction,
    /// Scheduled or completed work.
    Activity,
    /// Notes.
    Note,
    /// Deal stage changes.
    StageChange,
    /// Tickets.
    Ticket,
    /// Product and website events.
    TrackedEvent,
}

/// A page of a timeline.
pub type TimelineConnection = Connection<String, TimelineItem, EmptyFields, EmptyFields>;

fn cursor(item: &Item) -> String {
    format!(
        "t{}_{}",
        item.at().timestamp_nanos_opt().unwrap_or(0),
        item.id().simple()
    )
}

fn parse_cursor(cursor: &str) -> Option<(DateTime<Utc>, Uuid)> {
    let (nanos, id) = cursor.strip_prefix('t')?.split_once('_')?;
    Some((
        DateTime::from_timestamp_nanos(nanos.parse().ok()?),
        Uuid::try_parse(id).ok()?,
    ))
}

/// The timeline page a field's arguments ask for.
fn build_query(
    ctx: &Context<'_>,
    parent: timeline::Parent,
    first: Option<i32>,
    after: Option<&str>,
    kinds: Option<Vec<TimelineKind>>,
) -> async_graphql::Result<Arc<timeline::Query>> {
    let limits = &api(ctx)?.config.limits;
    let size = PageSize::parse(first, limits.default_page_size, limits.max_page_size)
        .map_err(|m| async_graphql::ErrorExtensions::extend(&Error::Validation(m)))?;
    let before = match after {
        Some(cursor) => Some(parse_cursor(cursor).ok_or_else(|| {
            async_graphql::ErrorExtensions::extend(&Error::Validation(
                "`after` is not a cursor this API returned".to_owned(),
            ))
        })?),
        None => None,
    };
    Ok(Arc::new(timeline::Query {
        parent,
        limit: size.get() as u64,
        before,
        kinds: kinds
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect(),
    }))
}

/// The timeline page a selected `timeline` field will ask for, so a list
/// resolver can load it for the whole page in advance.
pub fn timeline_query(
    ctx: &Context<'_>,
    field: &async_graphql::SelectionField<'_>,
    owner: crate::graphql::loaders::Owner,
) -> async_graphql::Result<Arc<timeline::Query>> {
    use async_graphql::InputType;
    let arguments = field.arguments()?;
    let arg = |name: &str| {
        arguments
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, v)| v.clone())
    };
    let first = arg("first").and_then(|v| <i32 as InputType>::parse(Some(v)).ok());
    let after = arg("after").and_then(|v| <String as InputType>::parse(Some(v)).ok());
    let kinds = arg("kinds").and_then(|v| <Vec<TimelineKind> as InputType>::parse(Some(v)).ok());
    let parent = match owner {
        crate::graphql::loaders::Owner::Contact(_) => timeline::Parent::Contact,
        crate::graphql::loaders::Owner::Organization(_) => timeline::Parent::Organization,
    };
    build_query(ctx, parent, first, after.as_deref(), kinds)
}

impl From<Item> for TimelineItem {
    fn from(item: Item) -> Self {
        match item {
            Item::Interaction(m) => TimelineItem::Interaction(Interaction(m)),
            Item::Activity(m) => TimelineItem::Activity(Activity(m)),
            Item::Note(m) => TimelineItem::Note(Note(m)),
            Item::StageChange(m) => TimelineItem::DealStageChange(DealStageChange(m)),
            Item::Ticket(m) => TimelineItem::Ticket(Ticket(m)),
            Item::TrackedEvent(m) => TimelineItem::TrackedEvent(TrackedEvent(m)),
        }
    }
}

/// Loads one page of a customer's timeline through the batching loader.
pub async fn timeline_page(
    ctx: &Context<'_>,
    parent: timeline::Parent,
    id: Uuid,
    first: Option<i32>,
    after: Option<String>,
    kinds: Option<Vec<TimelineKind>>,
) -> async_graphql::Result<TimelineConnection> {
    let query = build_query(ctx, parent, first, after.as_deref(), kinds)?;
    let page = loader(ctx)?
        .load_one(TimelineOf(query, id))
        .await?
        .unwrap_or_default();
    let mut connection = Connection::new(after.is_some(), page.has_more);
    connection.edges.extend(page.items.into_iter().map(|item| {
        let cursor = cursor(&item);
        let node = TimelineItem::from(item);
        Edge::new(cursor, node)
    }));
    Ok(connection)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_cursors_round_trip() {
        let at = DateTime::from_timestamp_nanos(1_733_000_000_123_456_789);
        let id = Uuid::now_v7();
        let encoded = format!(
            "t{}_{}",
            at.timestamp_nanos_opt().expect("in range"),
            id.simple()
        );
        assert_eq!(parse_cursor(&encoded), Some((at, id)));
        assert_eq!(parse_cursor("nonsense"), None);
    }
}
