//! Touchpoints: interactions on any channel, notes, and batches of tracked
//! product events.

use chrono::{DateTime, Duration, Utc};
use entity::{
    TenantScoped, contact,
    enums::{Channel, Direction},
    interaction, note, tracked_event,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{activities::links, find, remember, replayed, required_text};
use crate::{
    domain::{
        access::{Action, Area, Viewer},
        events::{self, Event},
        ids,
    },
    error::{Error, FieldError, Result, code},
};

/// Most events one `trackEvents` call takes.
pub const MAX_TRACKED_EVENTS: usize = 1000;

/// What `logInteraction` needs.
pub struct NewInteraction {
    /// Channel.
    pub channel: Channel,
    /// Inbound or outbound.
    pub direction: Direction,
    /// When it happened; now when absent.
    pub occurred_at: Option<DateTime<Utc>>,
    /// What happened.
    pub summary: String,
    /// Channel-specific details (a JSON object).
    pub properties: Option<Value>,
    /// The contact.
    pub contact_id: Option<Uuid>,
    /// The organization; the contact's when absent.
    pub organization_id: Option<Uuid>,
    /// Related deal.
    pub deal_id: Option<Uuid>,
    /// Attributed campaign.
    pub campaign_id: Option<Uuid>,
}

/// Records one touchpoint and moves the contact's and organization's
/// `lastContactedAt` forward.
pub async fn log_interaction(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: NewInteraction,
    idempotency_key: Option<&str>,
) -> Result<interaction::Model> {
    viewer.require(Area::Interactions, Action::Write)?;
    if let Some(id) = replayed(db, viewer.workspace, "logInteraction", idempotency_key).await? {
        return find::<interaction::Entity>(db, viewer, id, "interaction").await;
    }
    let mut errors = Vec::new();
    let summary = required_text("summary", &input.summary, 5_000, &mut errors);
    let properties = input.properties.unwrap_or_else(|| json!({}));
    if !properties.is_object() {
        errors.push(FieldError::invalid("properties", "must be a JSON object"));
    }
    let occurred_at = input.occurred_at.unwrap_or_else(Utc::now);
    if occurred_at > Utc::now() + Duration::minutes(5) {
        errors.push(FieldError::invalid(
            "occurredAt",
            "must not be in the future",
        ));
    }
    if input.contact_id.is_none() && input.organization_id.is_none() {
        errors.push(FieldError::invalid(
            "contactId",
            "name a contact or an organization",
        ));
    }
    links(
        db,
        viewer,
        input.deal_id,
        input.contact_id,
        input.organization_id,
        &mut errors,
    )
    .await?;
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let organization_id = match (input.organization_id, input.contact_id) {
        (Some(org), _) => Some(org),
        (None, Some(contact)) => {
            find::<contact::Entity>(db, viewer, contact, "contact")
                .await?
                .organization_id
        }
        (None, None) => None,
    };
    let txn = crate::db::begin(db).await?;
    let row = interaction::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(viewer.workspace.0),
        channel: Set(input.channel),
        direction: Set(input.direction),
        occurred_at: Set(occurred_at),
        summary: Set(summary),
        properties: Set(properties),
        created_at: Set(Utc::now()),
        contact_id: Set(input.contact_id),
        organization_id: Set(organization_id),
        deal_id: Set(input.deal_id),
        campaign_id: Set(input.campaign_id),
        user_id: Set(viewer.user_id()),
    }
    .insert(&txn)
    .await?;
    if !remember(
        &txn,
        viewer.workspace,
        "logInteraction",
        idempotency_key,
        row.id,
    )
    .await?
    {
        txn.rollback().await?;
        let id = replayed(db, viewer.workspace, "logInteraction", idempotency_key)
            .await?
            .ok_or(Error::NotFound("interaction"))?;
        return find::<interaction::Entity>(db, viewer, id, "interaction").await;
    }
    if let Some(contact_id) = row.contact_id {
        contact::Entity::update_many_in(viewer.workspace)
            .col_expr(
                contact::Column::LastContactedAt,
                sea_orm::sea_query::Expr::value(occurred_at),
            )
            .filter(contact::Column::Id.eq(contact_id))
            .filter(
                sea_orm::Condition::any()
                    .add(contact::Column::LastContactedAt.is_null())
                    .add(contact::Column::LastContactedAt.lt(occurred_at)),
            )
            .exec(&txn)
            .await?;
    }
    if let Some(organization_id) = row.organization_id {
        entity::organization::Entity::update_many_in(viewer.workspace)
            .col_expr(
                entity::organization::Column::LastContactedAt,
                sea_orm::sea_query::Expr::value(occurred_at),
            )
            .filter(entity::organization::Column::Id.eq(organization_id))
            .filter(
                sea_orm::Condition::any()
                    .add(entity::organization::Column::LastContactedAt.is_null())
                    .add(entity::organization::Column::LastContactedAt.lt(occurred_at)),
            )
            .exec(&txn)
            .await?;
    }
    events::record(&txn, viewer.workspace, viewer.actor(), Event {
        event_type: "interaction.logged",
        entity_type: "interaction",
        entity_id: row.id,
        payload: json!({ "after": { "channel": row.channel, "direction": row.direction, "occurredAt": row.occurred_at,
                                    "contactId": row.contact_id, "organizationId": row.organization_id } }),
    })
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// What `addNote` needs.
pub struct NewNote {
    /// The note.
    pub body: String,
    /// Linked contact.
    pub contact_id: Option<Uuid>,
    /// Linked organization.
    pub organization_id: Option<Uuid>,
    /// Linked deal.
    pub deal_id: Option<Uuid>,
}

/// Adds a note to a contact, organization or deal.
pub async fn add_note(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: NewNote,
    idempotency_key: Option<&str>,
) -> Result<note::Model> {
    viewer.require(Area::Notes, Action::Write)?;
    if let Some(id) = replayed(db, viewer.workspace, "addNote", idempotency_key).await? {
        return find::<note::Entity>(db, viewer, id, "note").await;
    }
    let mut errors = Vec::new();
    let body = required_text("body", &input.body, 20_000, &mut errors);
    if input.contact_id.is_none() && input.organization_id.is_none() && input.deal_id.is_none() {
        errors.push(FieldError::invalid(
            "contactId",
            "name a contact, organization or deal",
        ));
    }
    links(
        db,
        viewer,
        input.deal_id,
        input.contact_id,
        input.organization_id,
        &mut errors,
    )
    .await?;
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let now = Utc::now();
    let txn = crate::db::begin(db).await?;
    let row = note::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(viewer.workspace.0),
        body: Set(body),
        author_id: Set(viewer.user_id()),
        contact_id: Set(input.contact_id),
        organization_id: Set(input.organization_id),
        deal_id: Set(input.deal_id),
        lead_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        archived_at: Set(None),
    }
    .insert(&txn)
    .await?;
    if !remember(&txn, viewer.workspace, "addNote", idempotency_key, row.id).await? {
        txn.rollback().await?;
        let id = replayed(db, viewer.workspace, "addNote", idempotency_key)
            .await?
            .ok_or(Error::NotFound("note"))?;
        return find::<note::Entity>(db, viewer, id, "note").await;
    }
    events::record(&txn, viewer.workspace, viewer.actor(), Event {
        event_type: "note.added",
        entity_type: "note",
        entity_id: row.id,
        payload: json!({ "after": { "contactId": row.contact_id, "organizationId": row.organization_id, "dealId": row.deal_id } }),
    })
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// One product or website event to ingest.
pub struct NewTrackedEvent {
    /// Event name, e.g. `db_setup_completed`.
    pub name: String,
    /// The contact it belongs to.
    pub contact_id: Option<Uuid>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Event properties (a JSON object).
    pub properties: Option<Value>,
}

/// Ingests up to [`MAX_TRACKED_EVENTS`] events in one transaction with
/// batched inserts; any invalid event rejects the whole batch, naming its
/// index. Returns how many were stored.
pub async fn track_events(
    db: &DatabaseConnection,
    viewer: &Viewer,
    batch: Vec<NewTrackedEvent>,
) -> Result<usize> {
    viewer.require(Area::Interactions, Action::Write)?;
    if batch.is_empty() || batch.len() > MAX_TRACKED_EVENTS {
        return Err(Error::field(FieldError::invalid(
            "events",
            format!("send between 1 and {MAX_TRACKED_EVENTS} events"),
        )));
    }
    let mut errors = Vec::new();
    let at = |i: usize, field: &str, message: &str| FieldError {
        field: vec![
            "input".to_owned(),
            "events".to_owned(),
            i.to_string(),
            field.to_owned(),
        ],
        code: code::BAD_USER_INPUT,
        message: message.to_owned(),
    };
    let mut contacts: Vec<Uuid> = batch.iter().filter_map(|e| e.contact_id).collect();
    contacts.sort();
    contacts.dedup();
    let known: std::collections::HashSet<Uuid> = contact::Entity::find_in(viewer.workspace)
        .filter(contact::Column::Id.is_in(contacts))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let now = Utc::now();
    for (i, event) in batch.iter().enumerate() {
        let name_ok = !event.name.is_empty()
            && event.name.len() <= 100
            && event
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.:-".contains(c));
        if !name_ok {
            errors.push(at(i, "name", "must be 1 to 100 letters, digits or _ . : -"));
        }
        if event.contact_id.is_some_and(|c| !known.contains(&c)) {
            errors.push(at(i, "contactId", "no such contact in this workspace"));
        }
        if event.properties.as_ref().is_some_and(|p| !p.is_object()) {
            errors.push(at(i, "properties", "must be a JSON object"));
        }
        if event.occurred_at > now + Duration::minutes(5) {
            errors.push(at(i, "occurredAt", "must not be in the future"));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let rows: Vec<tracked_event::ActiveModel> = batch
        .into_iter()
        .map(|event| tracked_event::ActiveModel {
            id: Set(ids::new_id()),
            workspace_id: Set(viewer.workspace.0),
            name: Set(event.name),
            occurred_at: Set(event.occurred_at),
            properties: Set(event.properties.unwrap_or_else(|| json!({}))),
            created_at: Set(now),
            contact_id: Set(event.contact_id),
        })
        .collect();
    let count = rows.len();
    let txn = crate::db::begin(db).await?;
    // 7 columns per row: 1000 rows fit both databases' parameter limits in
    // a few statements.
    for chunk in rows.chunks(500) {
        tracked_event::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    events::record(
        &txn,
        viewer.workspace,
        viewer.actor(),
        Event {
            event_type: "tracked_events.ingested",
            entity_type: "tracked_event",
            entity_id: ids::new_id(),
            payload: json!({ "count": count }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(count)
}

/// Edits a note's body, or archives or restores it, at `version`; only its
/// author (or an admin) may.
pub async fn update_note(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    body: Option<String>,
    archived: Option<bool>,
) -> Result<note::Model> {
    viewer.require(Area::Notes, Action::Write)?;
    let current = find::<note::Entity>(db, viewer, id, "note").await?;
    super::check_owner(db, viewer, current.author_id).await?;
    if current.archived_at.is_some() && archived != Some(false) {
        return Err(Error::field(FieldError::invalid(
            "id",
            "the note is archived; restore it first",
        )));
    }
    let mut errors = Vec::new();
    let mut model: note::ActiveModel = current.clone().into();
    if let Some(body) = &body {
        model.body = Set(required_text("body", body, 20_000, &mut errors));
    }
    if let Some(archived) = archived {
        model.archived_at = Set(archived.then(Utc::now));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if current.version != version {
        return Err(super::stale("note"));
    }
    model.version = Set(version + 1);
    model.updated_at = Set(Utc::now());
    let txn = crate::db::begin(db).await?;
    let updated = super::save_versioned(
        &txn,
        viewer,
        id,
        version,
        model,
        note::Column::Version,
        "note",
    )
    .await?;
    let event_type = match archived {
        Some(true) => "note.archived",
        Some(false) => "note.restored",
        None => "note.edited",
    };
    events::record(&txn, viewer.workspace, viewer.actor(), Event {
        event_type,
        entity_type: "note",
        entity_id: id,
        payload: json!({ "before": { "archived": current.archived_at.is_some() }, "after": { "archived": updated.archived_at.is_some(), "edited": body.is_some() } }),
    })
    .await?;
    txn.commit().await?;
    Ok(updated)
}
