//! What subscriptions deliver: domain events, pipeline events, boards,
//! dashboards and notifications.

use std::sync::Arc;

use async_graphql::{
    Enum, ID, InputValueError, InputValueResult, Json, Object, Scalar, ScalarType, SimpleObject,
    Value,
};
use chrono::{DateTime, Utc};
use entity::{deal, enums};
use serde_json::Value as JsonValue;

use super::{
    pipeline::{Deal, Pipeline, Stage},
    scalars::Money,
};
use crate::{
    domain::analytics::{kpis::Kpis, pipeline},
    graphql::ids::{Kind, encode},
    live::hub::Event,
};

/// A position in a workspace's event stream: events are numbered 1, 2, 3, …
/// per workspace without gaps, in commit order. Pass the last one you
/// received as `after` to resume. A JSON number (64-bit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seq(pub i64);

/// A position in a workspace's event stream (64-bit, JSON number).
#[Scalar(name = "Seq")]
impl ScalarType for Seq {
    fn parse(value: Value) -> InputValueResult<Self> {
        let seq = match &value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        };
        seq.filter(|s| *s >= 0)
            .map(Seq)
            .ok_or_else(|| InputValueError::custom("a Seq is a non-negative integer"))
    }

    fn to_value(&self) -> Value {
        Value::Number(self.0.into())
    }
}

/// The global-id kind of an entity type name, where it has one.
fn kind_of(entity_type: &str) -> Option<Kind> {
    Some(match entity_type {
        "workspace" => Kind::Workspace,
        "user" => Kind::User,
        "team" => Kind::Team,
        "api_token" => Kind::ApiToken,
        "contact" => Kind::Contact,
        "organization" => Kind::Organization,
        "deal" => Kind::Deal,
        "pipeline" => Kind::Pipeline,
        "stage" => Kind::Stage,
        "activity" => Kind::Activity,
        "interaction" => Kind::Interaction,
        "note" => Kind::Note,
        "ticket" => Kind::Ticket,
        "tag" => Kind::Tag,
        "lead" => Kind::Lead,
        "campaign" => Kind::Campaign,
        "custom_field" => Kind::CustomField,
        "goal" => Kind::Goal,
        _ => return None,
    })
}

/// The global-id kind of a payload key such as `ownerId` or `toStageId`.
fn kind_of_key(key: &str) -> Option<Kind> {
    Some(match key {
        "ownerId" | "userId" | "changedBy" | "assigneeId" => Kind::User,
        "teamId" => Kind::Team,
        "contactId" | "mergedIntoId" | "survivorId" => Kind::Contact,
        "organizationId" => Kind::Organization,
        "dealId" | "convertedDealId" => Kind::Deal,
        "pipelineId" => Kind::Pipeline,
        "stageId" | "fromStageId" | "toStageId" => Kind::Stage,
        "campaignId" => Kind::Campaign,
        "leadId" => Kind::Lead,
        "tagId" => Kind::Tag,
        _ => return None,
    })
}

/// A payload with raw row ids turned into global ids (clients never see
/// raw ids).
fn public_payload(value: &JsonValue) -> JsonValue {
    match value {
        JsonValue::Object(map) => JsonValue::Object(
            map.iter()
                .map(|(key, value)| {
                    let converted = match (kind_of_key(key), value) {
                        (Some(kind), JsonValue::String(raw)) => uuid::Uuid::try_parse(raw)
                            .map(|id| JsonValue::String(encode(kind, id).0))
                            .unwrap_or_else(|_| value.clone()),
                        _ => public_payload(value),
                    };
                    (key.clone(), converted)
                })
                .collect(),
        ),
        JsonValue::Array(items) => JsonValue::Array(items.iter().map(public_payload).collect()),
        other => other.clone(),
    }
}

/// Who caused a change.
#[derive(SimpleObject)]
pub struct EventActor {
    /// A user, an API token or Pulse itself.
    pub kind: ActorKind,
    /// The user's or token's global id.
    pub id: Option<ID>,
}

/// Who caused a change.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    /// A signed-in user.
    User,
    /// A third-party app's API token.
    ApiToken,
    /// Pulse itself.
    System,
}

fn actor(event: &Event) -> EventActor {
    let (kind, id_kind) = match event.actor_kind {
        enums::ActorKind::User => (ActorKind::User, Some(Kind::User)),
        enums::ActorKind::ApiToken => (ActorKind::ApiToken, Some(Kind::ApiToken)),
        enums::ActorKind::System => (ActorKind::System, None),
    };
    EventActor {
        kind,
        id: id_kind.zip(event.actor_id).map(|(k, id)| encode(k, id)),
    }
}

/// One change in the workspace, as recorded in its transaction.
pub struct DomainEvent(pub Event);

/// One change in the workspace, as recorded in its transaction.
#[Object]
impl DomainEvent {
    /// Its position in the workspace's stream (resume with `after`).
    async fn seq(&self) -> Seq {
        Seq(self.0.seq.unwrap_or(0))
    }
    /// What happened, e.g. `deal.moved`.
    #[graphql(name = "type")]
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }
    /// The kind of record changed, e.g. `deal`.
    async fn entity_type(&self) -> &str {
        &self.0.entity_type
    }
    /// The record's global id.
    async fn entity_id(&self) -> ID {
        match kind_of(&self.0.entity_type) {
            Some(kind) => encode(kind, self.0.entity_id),
            None => ID(self.0.entity_id.simple().to_string()),
        }
    }
    /// Who caused it.
    async fn actor(&self) -> EventActor {
        actor(&self.0)
    }
    /// The changed fields (`before` and `after`) and the event's extras,
    /// with ids as global ids.
    async fn payload(&self) -> Json<JsonValue> {
        Json(public_payload(&self.0.payload))
    }
    /// When the change committed.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
}

/// What happened to a deal.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum PipelineEventKind {
    /// Created in the pipeline.
    Created,
    /// Fields changed.
    Updated,
    /// Moved to another stage or position.
    Moved,
    /// Won.
    Won,
    /// Lost.
    Lost,
    /// Reopened after being won or lost.
    Reopened,
    /// Archived.
    Archived,
    /// Restored from the archive.
    Restored,
}

impl PipelineEventKind {
    /// The kind of a deal event type.
    pub fn of(event_type: &str) -> Option<Self> {
        Some(match event_type {
            "deal.created" => Self::Created,
            "deal.updated" => Self::Updated,
            "deal.moved" => Self::Moved,
            "deal.won" => Self::Won,
            "deal.lost" => Self::Lost,
            "deal.reopened" => Self::Reopened,
            "deal.archived" => Self::Archived,
            "deal.restored" => Self::Restored,
            _ => return None,
        })
    }
}

/// A change to a deal of a pipeline.
pub struct PipelineEvent {
    /// The event.
    pub event: Event,
    /// The deal as it is now (`None` when it no longer exists).
    pub deal: Option<Arc<deal::Model>>,
}

/// A change to a deal of a pipeline.
#[Object]
impl PipelineEvent {
    /// Position in the workspace's stream (resume with `after`).
    async fn seq(&self) -> Seq {
        Seq(self.event.seq.unwrap_or(0))
    }
    /// What happened.
    async fn kind(&self) -> Option<PipelineEventKind> {
        PipelineEventKind::of(&self.event.event_type)
    }
    /// The deal's global id.
    async fn deal_id(&self) -> ID {
        encode(Kind::Deal, self.event.entity_id)
    }
    /// The deal, as it is when the event is delivered.
    async fn deal(&self) -> Option<Deal> {
        self.deal.as_deref().cloned().map(Deal)
    }
    /// The stage it left (moves).
    async fn from_stage_id(&self) -> Option<ID> {
        self.stage_field("fromStageId")
    }
    /// The stage it entered (creation and moves), or the stage it is in.
    async fn to_stage_id(&self) -> Option<ID> {
        self.stage_field("toStageId")
            .or_else(|| self.stage_field("stageId"))
    }
    /// The changed fields (`before` and `after`), ids as global ids.
    async fn changes(&self) -> Json<JsonValue> {
        Json(public_payload(&self.event.payload))
    }
    /// Who caused it.
    async fn actor(&self) -> EventActor {
        actor(&self.event)
    }
    /// When it committed.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.event.occurred_at
    }
}

impl PipelineEvent {
    fn stage_field(&self, key: &str) -> Option<ID> {
        self.event
            .payload
            .get(key)
            .and_then(|v| v.as_str())
            .and_then(|raw| uuid::Uuid::try_parse(raw).ok())
            .map(|id| encode(Kind::Stage, id))
    }
}

fn totals(totals: &[(String, i64)]) -> Vec<Money> {
    totals
        .iter()
        .map(|(currency, minor)| Money::from_minor(*minor, currency))
        .collect()
}

/// A live Kanban board: every stage's figures and first cards.
pub struct PipelineBoard(pub Arc<pipeline::Board>);

/// A live Kanban board: every stage's figures and first cards. Computed
/// once per pipeline and shared by every subscriber.
#[Object]
impl PipelineBoard {
    /// The pipeline.
    async fn pipeline(&self) -> Pipeline {
        Pipeline(self.0.pipeline.clone())
    }
    /// The columns in stage order.
    async fn columns(&self) -> Vec<BoardColumn> {
        (0..self.0.columns.len())
            .map(|index| BoardColumn {
                board: self.0.clone(),
                index,
            })
            .collect()
    }
    /// When this snapshot was computed.
    async fn computed_at(&self) -> DateTime<Utc> {
        self.0.computed_at
    }
}

/// One stage of a board.
pub struct BoardColumn {
    board: Arc<pipeline::Board>,
    index: usize,
}

impl BoardColumn {
    fn column(&self) -> &pipeline::Column {
        &self.board.columns[self.index]
    }
}

/// One stage of a board.
#[Object]
impl BoardColumn {
    /// The stage.
    async fn stage(&self) -> Stage {
        Stage(self.column().summary.stage.clone())
    }
    /// Open deals in the stage.
    async fn deal_count(&self) -> i64 {
        self.column().summary.deals
    }
    /// Their value, per currency.
    async fn value(&self) -> Vec<Money> {
        totals(&self.column().summary.value)
    }
    /// Their value × the stage's probability, per currency.
    async fn weighted_value(&self) -> Vec<Money> {
        totals(&self.column().summary.weighted)
    }
    /// Open deals idle in the stage longer than its rotting days.
    async fn rotting_count(&self) -> i64 {
        self.column().summary.rotting
    }
    /// The first open deals in board order.
    async fn cards(&self) -> Vec<Deal> {
        self.column().cards.iter().cloned().map(Deal).collect()
    }
}

/// The workspace KPI set, for live dashboards.
pub struct Dashboard(pub Arc<Kpis>);

/// The workspace KPI set under the subscription's filter. Computed once
/// per distinct filter and shared by every subscriber; the money figures
/// are in `currency`.
#[Object]
impl Dashboard {
    /// Start of the period (default: 30 days ago).
    async fn from(&self) -> DateTime<Utc> {
        self.0.from
    }
    /// End of the period (default: now).
    async fn to(&self) -> DateTime<Utc> {
        self.0.to
    }
    /// Open deals now.
    async fn open_deals(&self) -> i64 {
        self.0.open_deals
    }
    /// Value of the open deals.
    async fn open_value(&self) -> Money {
        Money::from_minor(self.0.open_value, &self.0.currency)
    }
    /// Value of the open deals × their stage's probability.
    async fn weighted_value(&self) -> Money {
        Money::from_minor(self.0.weighted_value, &self.0.currency)
    }
    /// Deals won in the period.
    async fn won_deals(&self) -> i64 {
        self.0.won_deals
    }
    /// Value won in the period.
    async fn won_value(&self) -> Money {
        Money::from_minor(self.0.won_value, &self.0.currency)
    }
    /// Deals lost in the period.
    async fn lost_deals(&self) -> i64 {
        self.0.lost_deals
    }
    /// Won ÷ (won + lost) in the period; null when nothing closed.
    async fn win_rate(&self) -> Option<f64> {
        self.0.win_rate
    }
    /// Won value ÷ won deals in the period.
    async fn average_won_value(&self) -> Option<Money> {
        self.0
            .average_won_value
            .map(|minor| Money::from_minor(minor, &self.0.currency))
    }
    /// Mean days from creation to won, over the deals won in the period.
    async fn sales_cycle_days(&self) -> Option<f64> {
        self.0.sales_cycle_days
    }
    /// Open deals × win rate × average won value ÷ sales cycle: expected
    /// won value per day, in minor units of `currency`.
    async fn sales_velocity_per_day(&self) -> Option<f64> {
        self.0.sales_velocity_per_day
    }
    /// Open activities past due.
    async fn activities_overdue(&self) -> i64 {
        self.0.activities_overdue
    }
    /// Open activities due in the next 24 hours.
    async fn activities_due_soon(&self) -> i64 {
        self.0.activities_due_soon
    }
    /// Activities completed in the period.
    async fn activities_done(&self) -> i64 {
        self.0.activities_done
    }
}

/// Why the viewer is notified.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum NotificationKind {
    /// A record was assigned to the viewer by someone else.
    Assigned,
    /// One of the viewer's activities is due within 15 minutes.
    ActivityDue,
}

/// Something for the viewer to act on.
#[derive(SimpleObject)]
pub struct Notification {
    /// Why.
    pub kind: NotificationKind,
    /// The record's type, e.g. `deal` or `activity`.
    pub entity_type: String,
    /// The record's global id.
    pub entity_id: ID,
    /// A short human-readable line.
    pub title: String,
    /// The event's position in the stream (assignments).
    pub seq: Option<Seq>,
    /// When the activity is due (due activities).
    pub due_at: Option<DateTime<Utc>>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

impl Notification {
    /// An assignment notification for `event`.
    pub fn assigned(event: &Event) -> Notification {
        let after = event.payload.get("after");
        let title = after
            .and_then(|a| a.get("title").or_else(|| a.get("subject")))
            .and_then(|t| t.as_str())
            .map_or_else(
                || format!("A {} was assigned to you", event.entity_type),
                |t| format!("Assigned to you: {t}"),
            );
        Notification {
            kind: NotificationKind::Assigned,
            entity_type: event.entity_type.clone(),
            entity_id: match kind_of(&event.entity_type) {
                Some(kind) => encode(kind, event.entity_id),
                None => ID(event.entity_id.simple().to_string()),
            },
            title,
            seq: event.seq.map(Seq),
            due_at: None,
            occurred_at: event.occurred_at,
        }
    }
}
