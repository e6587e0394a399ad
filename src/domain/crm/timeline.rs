//! The customer timeline: one reverse-chronological stream merged from
//! interactions, activities, notes, deal stage changes, tickets and tracked
//! events, for contacts or organizations, cursor-paginated, loaded for many
//! customers at once with one statement per source.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{activity, deal_stage_change, interaction, note, ticket, tracked_event};
use sea_orm::{ConnectionTrait, FromQueryResult, Statement, Value as SqlValue};
use uuid::Uuid;

use super::read::placeholders;
use crate::{
    domain::access::{Action, Area, Viewer},
    error::Result,
};

/// What a timeline entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A touchpoint on a channel.
    Interaction,
    /// Scheduled or completed work.
    Activity,
    /// A note.
    Note,
    /// A deal moved between stages.
    StageChange,
    /// A service case.
    Ticket,
    /// A product or website event.
    TrackedEvent,
}

/// Every kind, in display order.
pub const ALL_KINDS: [Kind; 6] = [
    Kind::Interaction,
    Kind::Activity,
    Kind::Note,
    Kind::StageChange,
    Kind::Ticket,
    Kind::TrackedEvent,
];

/// One entry of a timeline.
#[derive(Clone, Debug)]
pub enum Item {
    /// An interaction.
    Interaction(interaction::Model),
    /// An activity.
    Activity(activity::Model),
    /// A note.
    Note(note::Model),
    /// A deal stage change.
    StageChange(deal_stage_change::Model),
    /// A ticket.
    Ticket(ticket::Model),
    /// A tracked event.
    TrackedEvent(tracked_event::Model),
}

impl Item {
    /// When the entry happened: what the timeline is ordered by.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Item::Interaction(i) => i.occurred_at,
            Item::Activity(a) => a.done_at.or(a.due_at).unwrap_or(a.created_at),
            Item::Note(n) => n.created_at,
            Item::StageChange(c) => c.changed_at,
            Item::Ticket(t) => t.created_at,
            Item::TrackedEvent(e) => e.occurred_at,
        }
    }

    /// The row id (ties on `at` are ordered by it).
    pub fn id(&self) -> Uuid {
        match self {
            Item::Interaction(i) => i.id,
            Item::Activity(a) => a.id,
            Item::Note(n) => n.id,
            Item::StageChange(c) => c.id,
            Item::Ticket(t) => t.id,
            Item::TrackedEvent(e) => e.id,
        }
    }
}

/// Whose timelines to load.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Parent {
    /// Contacts.
    Contact,
    /// Organizations.
    Organization,
}

/// Which page of the timelines to load.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Query {
    /// Whose.
    pub parent: Parent,
    /// Entries per customer.
    pub limit: u64,
    /// Only entries older than this `(at, id)` cursor.
    pub before: Option<(DateTime<Utc>, Uuid)>,
    /// Only these kinds; all when empty.
    pub kinds: Vec<Kind>,
}

/// A loaded timeline page.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    /// Newest first.
    pub items: Vec<Item>,
    /// Whether older entries exist.
    pub has_more: bool,
}

struct Source {
    kind: Kind,
    area: Area,
    table: &'static str,
    at: &'static str,
    /// The parent column per parent kind (`None`: not on this timeline).
    contact: Option<&'static str>,
    organization: Option<&'static str>,
    join: &'static str,
}

const SOURCES: [Source; 6] = [
    Source {
        kind: Kind::Interaction,
        area: Area::Interactions,
        table: "interaction",
        at: "t.occurred_at",
        contact: Some("t.contact_id"),
        organization: Some("t.organization_id"),
        join: "",
    },
    Source {
        kind: Kind::Activity,
        area: Area::Activities,
        table: "activity",
        at: "COALESCE(t.done_at, t.due_at, t.created_at)",
        contact: Some("t.contact_id"),
        organization: Some("t.organization_id"),
        join: "",
    },
    Source {
        kind: Kind::Note,
        area: Area::Notes,
        table: "note",
        at: "t.created_at",
        contact: Some("t.contact_id"),
        organization: Some("t.organization_id"),
        join: "",
    },
    Source {
        kind: Kind::StageChange,
        area: Area::Deals,
        table: "deal_stage_change",
        at: "t.changed_at",
        contact: Some("d.contact_id"),
        organization: Some("d.organization_id"),
        join: "JOIN deal d ON d.id = t.deal_id AND d.workspace_id = t.workspace_id",
    },
    Source {
        kind: Kind::Ticket,
        area: Area::Tickets,
        table: "ticket",
        at: "t.created_at",
        contact: Some("t.contact_id"),
        organization: Some("t.organization_id"),
        join: "",
    },
    Source {
        kind: Kind::TrackedEvent,
        area: Area::Interactions,
        table: "tracked_event",
        at: "t.occurred_at",
        contact: Some("t.contact_id"),
        organization: None,
        join: "",
    },
];

/// Loads one timeline page for each of `parents`. Kinds the viewer may not
/// read are left out rather than refused, so a timeline never leaks them.
pub async fn load(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    query: &Query,
    parents: &[Uuid],
) -> Result<HashMap<Uuid, Timeline>> {
    let mut merged: HashMap<Uuid, Vec<Item>> = HashMap::new();
    if parents.is_empty() {
        return Ok(HashMap::new());
    }
    for source in &SOURCES {
        let wanted = query.kinds.is_empty() || query.kinds.contains(&source.kind);
        let parent_column = match query.parent {
            Parent::Contact => source.contact,
            Parent::Organization => source.organization,
        };
        let Some(parent_column) =
            parent_column.filter(|_| wanted && viewer.allows(source.area, Action::Read))
        else {
            continue;
        };
        for (parent, items) in
            load_source(db, viewer, source, parent_column, query, parents).await?
        {
            merged.entry(parent).or_default().extend(items);
        }
    }
    let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
    Ok(merged
        .into_iter()
        .map(|(parent, mut items)| {
            items.sort_by_key(|item| std::cmp::Reverse((item.at(), item.id())));
            let has_more = items.len() > limit;
            items.truncate(limit);
            (parent, Timeline { items, has_more })
        })
        .collect())
}

async fn load_source(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    source: &Source,
    parent_column: &str,
    query: &Query,
    parents: &[Uuid],
) -> Result<Vec<(Uuid, Vec<Item>)>> {
    let backend = db.get_database_backend();
    let extra = if query.before.is_some() { 3 } else { 0 };
    let marks = placeholders(backend, 1, parents.len() + 2 + extra);
    let mut values: Vec<SqlValue> = vec![viewer.workspace.0.into()];
    values.extend(parents.iter().map(|p| SqlValue::from(*p)));
    let mut condition = String::new();
    if let Some((at, id)) = query.before {
        let at_mark = &marks[parents.len() + 1];
        let at_mark_again = &marks[parents.len() + 2];
        let id_mark = &marks[parents.len() + 3];
        condition = format!(
            " AND ({at} < {at_mark} OR ({at} = {at_mark_again} AND t.id < {id_mark}))",
            at = source.at
        );
        values.extend([SqlValue::from(at), SqlValue::from(at), SqlValue::from(id)]);
    }
    let limit_mark = marks.last().expect("BUG: at least two placeholders");
    values.push(SqlValue::from(
        i64::try_from(query.limit + 1).unwrap_or(i64::MAX),
    ));
    let archived = if matches!(source.kind, Kind::Activity | Kind::Note | Kind::Ticket) {
        " AND t.archived_at IS NULL"
    } else {
        ""
    };
    let sql = format!(
        "SELECT * FROM (SELECT t.*, {parent_column} AS pulse_parent, \
         ROW_NUMBER() OVER (PARTITION BY {parent_column} ORDER BY {at} DESC, t.id DESC) AS pulse_rank \
         FROM {table} t {join} WHERE t.workspace_id = {ws} AND {parent_column} IN ({ins}){archived}{condition}) ranked \
         WHERE pulse_rank <= {limit_mark}",
        at = source.at,
        table = source.table,
        join = source.join,
        ws = marks[0],
        ins = marks[1..=parents.len()].join(", "),
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let mut grouped: HashMap<Uuid, Vec<Item>> = HashMap::new();
    for row in rows {
        let parent: Uuid = row.try_get("", "pulse_parent")?;
        let item = match source.kind {
            Kind::Interaction => {
                Item::Interaction(interaction::Model::from_query_result(&row, "")?)
            }
            Kind::Activity => Item::Activity(activity::Model::from_query_result(&row, "")?),
            Kind::Note => Item::Note(note::Model::from_query_result(&row, "")?),
            Kind::StageChange => {
                Item::StageChange(deal_stage_change::Model::from_query_result(&row, "")?)
            }
            Kind::Ticket => Item::Ticket(ticket::Model::from_query_result(&row, "")?),
            Kind::TrackedEvent => {
                Item::TrackedEvent(tracked_event::Model::from_query_result(&row, "")?)
            }
        };
        grouped.entry(parent).or_default().push(item);
    }
    Ok(grouped.into_iter().collect())
}
