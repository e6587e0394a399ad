//! The subscription root (DESIGN.md section 1): event streams that resume
//! with `after`, and coalesced snapshots (boards, dashboards) shared by
//! every subscriber of the same key. Each field checks the viewer's role or
//! token scope for its area and that the ids it is given belong to the
//! viewer's workspace, before anything streams.

use std::{
    collections::HashSet,
    future::ready,
    sync::{Arc, Mutex},
    time::Duration,
};

use async_graphql::{Context, ErrorExtensions, ID, Subscription};
use chrono::Utc;
use entity::{TenantScoped, contact, deal, organization};
use futures_util::{
    Stream, StreamExt,
    stream::{self, BoxStream},
};
use tokio_stream::wrappers::{IntervalStream, WatchStream};
use uuid::Uuid;

use super::{
    access::viewer,
    ids::{Kind, encode},
    shared,
    types::{
        analytics::AnalyticsFilter,
        api, gql, id_of,
        live::{
            Dashboard, DomainEvent, Notification, NotificationKind, PipelineBoard, PipelineEvent,
            PipelineEventKind, Seq,
        },
        touchpoints::TimelineItem,
    },
};
use crate::{
    domain::{
        access::{Action, Area, Principal, Viewer},
        analytics,
        crm::{activities, timeline},
    },
    error::Error,
    live::{
        detached,
        hub::{Event, Feed},
    },
};

/// Cards per board column when the subscriber asks for none.
const DEFAULT_CARDS: i32 = 20;
/// Most cards per board column.
const MAX_CARDS: i32 = 100;
/// How far ahead `notifications` warns of due activities.
const DUE_WARNING: chrono::Duration = chrono::Duration::minutes(15);
/// How often `notifications` looks for activities coming due.
const DUE_CHECK: Duration = Duration::from_secs(30);
/// Newest timeline entries compared when a customer's timeline may have
/// grown.
const TIMELINE_WINDOW: u64 = 50;

/// The subscription root.
#[derive(Default)]
pub struct Subscription;

/// A feed as a stream.
fn events(feed: Feed) -> impl Stream<Item = Event> {
    stream::unfold(feed, |mut feed| async move {
        feed.next().await.map(|event| (event, feed))
    })
}

/// Live data over WebSocket (`/graphql/ws`): event streams that resume with
/// `after`, and shared, coalesced snapshots of boards and dashboards.
#[Subscription]
impl Subscription {
    /// Changes to the deals of one pipeline: created, updated, moved, won,
    /// lost, reopened, archived, restored, with the stages involved and the
    /// deal as it is now. With `after`, first replays every such event after
    /// that position, then continues live, with no gap and no duplicate.
    /// Needs `deals:subscribe`.
    async fn pipeline_events(
        &self,
        ctx: &Context<'_>,
        pipeline_id: ID,
        after: Option<Seq>,
    ) -> async_graphql::Result<BoxStream<'static, PipelineEvent>> {
        let viewer = viewer(ctx)?.clone();
        gql(viewer.require(Area::Deals, Action::Subscribe))?;
        let api = api(ctx)?;
        let pipeline = id_of(Kind::Pipeline, &pipeline_id, "pipeline")?;
        gql(analytics::pipeline::stages_of(&api.db, &viewer, pipeline).await)?;
        if shared::probing(ctx) {
            return Ok(stream::empty().boxed());
        }
        let after = after.map(|s| s.0).or_else(|| shared::resume_after(ctx));
        let feed = gql(api.live.feed(viewer.workspace, after).await)?;
        let seen = shared::track(ctx, feed.position());
        let target = pipeline.to_string();
        let db = api.db.clone();
        Ok(events(feed)
            .inspect(move |event| seen(event.seq))
            .filter(move |event| {
                ready(
                    PipelineEventKind::of(&event.event_type).is_some()
                        && event.payload.get("pipelineId").and_then(|p| p.as_str())
                            == Some(target.as_str()),
                )
            })
            .then(move |event| {
                let (db, workspace) = (db.clone(), viewer.workspace);
                async move {
                    let id = event.entity_id;
                    let deal = event
                        .entity(|| {
                            detached(async move {
                                Ok(deal::Entity::find_by_id_in(workspace, id).one(&db).await?)
                            })
                        })
                        .await
                        .unwrap_or_else(|error| {
                            error.log_if_internal();
                            None
                        });
                    PipelineEvent { event, deal }
                }
            })
            .boxed())
    }

    /// A live Kanban board: per stage the open deals' count, value,
    /// weighted value and rotting count, and the first `cardsPerStage` cards
    /// in board order (default 20, at most 100). A snapshot on subscribe,
    /// then a new one after changes — at most one per coalescing interval
    /// (`PULSE_LIVE_COALESCE_MS`, 250 ms by default), computed once for
    /// every subscriber of the same board. A subscriber that reads slowly
    /// skips to the newest snapshot. Needs `deals:subscribe`.
    async fn pipeline_board(
        &self,
        ctx: &Context<'_>,
        pipeline_id: ID,
        cards_per_stage: Option<i32>,
    ) -> async_graphql::Result<BoxStream<'static, PipelineBoard>> {
        let viewer = viewer(ctx)?;
        gql(viewer.require(Area::Deals, Action::Subscribe))?;
        let cards = cards_per_stage.unwrap_or(DEFAULT_CARDS);
        if !(1..=MAX_CARDS).contains(&cards) {
            return Err(Error::Validation(format!(
                "cardsPerStage must be between 1 and {MAX_CARDS}"
            ))
            .extend());
        }
        let pipeline = id_of(Kind::Pipeline, &pipeline_id, "pipeline")?;
        let latest = gql(api(ctx)?
            .live
            .board(viewer, pipeline, u64::try_from(cards).unwrap_or(20))
            .await)?;
        if shared::probing(ctx) {
            return Ok(stream::empty().boxed());
        }
        Ok(WatchStream::new(latest)
            .filter_map(|board| ready(board.map(PipelineBoard)))
            .boxed())
    }

    /// The workspace KPI set — pipeline totals, won and lost in the period,
    /// win rate, average won deal, sales cycle and velocity, activities due —
    /// under the same filter as the analytics queries. A snapshot on
    /// subscribe, then after changes, at most one per coalescing interval,
    /// computed once per distinct filter. Needs `analytics:subscribe`.
    async fn dashboard(
        &self,
        ctx: &Context<'_>,
        input: Option<AnalyticsFilter>,
    ) -> async_graphql::Result<BoxStream<'static, Dashboard>> {
        let viewer = viewer(ctx)?;
        let filter = gql(input.unwrap_or_default().into_filter())?;
        let latest = gql(api(ctx)?.live.dashboard(viewer, filter).await)?;
        if shared::probing(ctx) {
            return Ok(stream::empty().boxed());
        }
        Ok(WatchStream::new(latest)
            .filter_map(|kpis| ready(kpis.map(Dashboard)))
            .boxed())
    }

    /// New entries on one customer's timeline (give `contactId` or
    /// `organizationId`): interactions, activities, notes, stage changes,
    /// tickets and tracked events, as they are recorded. Needs
    /// `contacts:subscribe` or `organizations:subscribe`.
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        contact_id: Option<ID>,
        organization_id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = TimelineItem> + use<>> {
        let viewer = viewer(ctx)?.clone();
        let api = api(ctx)?;
        let (parent, id) = match (contact_id, organization_id) {
            (Some(id), None) => {
                gql(viewer.require(Area::Contacts, Action::Subscribe))?;
                let id = id_of(Kind::Contact, &id, "contact")?;
                contact::Entity::find_by_id_in(viewer.workspace, id)
                    .one(&api.db)
                    .await?
                    .ok_or_else(|| Error::NotFound("contact").extend())?;
                (timeline::Parent::Contact, id)
            }
            (None, Some(id)) => {
                gql(viewer.require(Area::Organizations, Action::Subscribe))?;
                let id = id_of(Kind::Organization, &id, "organization")?;
                organization::Entity::find_by_id_in(viewer.workspace, id)
                    .one(&api.db)
                    .await?
                    .ok_or_else(|| Error::NotFound("organization").extend())?;
                (timeline::Parent::Organization, id)
            }
            _ => {
                return Err(Error::Validation(
                    "give exactly one of contactId and organizationId".to_owned(),
                )
                .extend());
            }
        };
        let feed = gql(api.live.feed(viewer.workspace, None).await)?;
        let query = timeline::Query {
            parent,
            limit: TIMELINE_WINDOW,
            before: None,
            kinds: Vec::new(),
        };
        let db = api.db.clone();
        let newest =
            move |db: sea_orm::DatabaseConnection, viewer: Viewer, query: timeline::Query| {
                detached(async move {
                    timeline::load(&db, &viewer, &query, &[id])
                        .await
                        .map(|mut pages| pages.remove(&id).unwrap_or_default().items)
                })
            };
        let window: HashSet<Uuid> = gql(newest(db.clone(), viewer.clone(), query.clone()).await)?
            .iter()
            .map(timeline::Item::id)
            .collect();
        // The ids of the newest entries already seen: bounded by the window.
        let seen = Arc::new(Mutex::new(window));
        Ok(events(feed)
            .filter(|event| {
                ready(
                    matches!(
                        event.entity_type.as_str(),
                        "interaction" | "activity" | "note" | "deal" | "ticket" | "tracked_event"
                    ) || event.event_type == "tracked_events.ingested",
                )
            })
            .then(move |_event| {
                let fetched = newest(db.clone(), viewer.clone(), query.clone());
                let seen = seen.clone();
                async move {
                    let items = fetched.await.unwrap_or_else(|error| {
                        error.log_if_internal();
                        Vec::new()
                    });
                    let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                    let mut fresh: Vec<timeline::Item> = items
                        .iter()
                        .filter(|item| !seen.contains(&item.id()))
                        .cloned()
                        .collect();
                    if !items.is_empty() {
                        *seen = items.iter().map(timeline::Item::id).collect();
                    }
                    fresh.sort_by_key(|item| (item.at(), item.id()));
                    fresh
                }
            })
            .flat_map(|items| stream::iter(items.into_iter().map(TimelineItem::from))))
    }

    /// The viewer's notifications: records someone else assigned to them,
    /// and their activities due within 15 minutes. For users (an API token
    /// has no one to notify). Needs `activities:subscribe`.
    async fn notifications(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<impl Stream<Item = Notification> + use<>> {
        let viewer = viewer(ctx)?.clone();
        gql(viewer.require(Area::Activities, Action::Subscribe))?;
        let Principal::User { id: me, .. } = viewer.principal else {
            return Err(Error::Forbidden(
                "notifications are for users; API tokens subscribe to events".to_owned(),
            )
            .extend());
        };
        let api = api(ctx)?;
        let feed = gql(api.live.feed(viewer.workspace, None).await)?;
        let mine = me.to_string();
        let assigned = events(feed)
            .filter(move |event| {
                let to_me = event
                    .payload
                    .get("after")
                    .and_then(|after| after.get("ownerId"))
                    .and_then(|owner| owner.as_str())
                    == Some(mine.as_str());
                ready(to_me && event.actor_id != Some(me))
            })
            .map(|event| Notification::assigned(&event));
        let db = api.db.clone();
        let notified = Arc::new(Mutex::new(HashSet::<Uuid>::new()));
        let mut ticks = tokio::time::interval(DUE_CHECK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let due = IntervalStream::new(ticks)
            .then(move |_| {
                let (db, viewer, notified) = (db.clone(), viewer.clone(), notified.clone());
                async move {
                    let now = Utc::now();
                    let rows = detached(async move {
                        activities::due_between(&db, &viewer, me, now, now + DUE_WARNING).await
                    })
                    .await
                    .unwrap_or_else(|error| {
                        error.log_if_internal();
                        Vec::new()
                    });
                    let mut notified = notified.lock().unwrap_or_else(|e| e.into_inner());
                    let fresh: Vec<_> = rows
                        .iter()
                        .filter(|a| !notified.contains(&a.id))
                        .cloned()
                        .collect();
                    // Remember only what is still coming due: bounded.
                    *notified = rows.iter().map(|a| a.id).collect();
                    fresh
                }
            })
            .flat_map(|rows| {
                stream::iter(rows.into_iter().map(|a| Notification {
                    kind: NotificationKind::ActivityDue,
                    entity_type: "activity".to_owned(),
                    entity_id: encode(Kind::Activity, a.id),
                    title: format!("Due soon: {}", a.subject),
                    seq: None,
                    due_at: a.due_at,
                    occurred_at: Utc::now(),
                }))
            });
        Ok(stream::select(assigned.boxed(), due.boxed()))
    }

    /// The workspace's domain events, for third-party apps: every change
    /// with its actor and before/after fields, optionally only of `types`
    /// (exact, like `deal.moved`, or a prefix, like `deal.*`). With
    /// `after`, first replays what was missed, then continues live, with no
    /// gap and no duplicate. Needs `events:subscribe` (users: admins).
    async fn events(
        &self,
        ctx: &Context<'_>,
        types: Option<Vec<String>>,
        after: Option<Seq>,
    ) -> async_graphql::Result<BoxStream<'static, DomainEvent>> {
        let viewer = viewer(ctx)?.clone();
        gql(viewer.require(Area::Events, Action::Subscribe))?;
        if matches!(viewer.principal, Principal::User { .. }) && !viewer.is_admin() {
            return Err(Error::Forbidden(
                "the event stream is for admins and API tokens with events:subscribe".to_owned(),
            )
            .extend());
        }
        let patterns = types.unwrap_or_default();
        if shared::probing(ctx) {
            return Ok(stream::empty().boxed());
        }
        let after = after.map(|s| s.0).or_else(|| shared::resume_after(ctx));
        let feed = gql(api(ctx)?.live.feed(viewer.workspace, after).await)?;
        let seen = shared::track(ctx, feed.position());
        Ok(events(feed)
            .inspect(move |event| seen(event.seq))
            .filter(move |event| ready(wanted(&patterns, &event.event_type)))
            .map(DomainEvent)
            .boxed())
    }
}

/// Whether `event_type` matches one of `patterns` (all when empty).
fn wanted(patterns: &[String], event_type: &str) -> bool {
    patterns.is_empty()
        || patterns
            .iter()
            .any(|pattern| match pattern.strip_suffix('*') {
                Some(prefix) => event_type.starts_with(prefix),
                None => pattern == event_type,
            })
}
