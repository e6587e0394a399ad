//! Tickets (service cases) and campaigns: create, update, archive.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    campaign,
    enums::{Channel, TicketPriority, TicketStatus},
    ticket,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::json;
use uuid::Uuid;

use super::{
    Db, check_user, find, optional_text, remember, replayed, required_text, save_versioned, stale,
};
use crate::{
    domain::{
        access::{Action, Area, Viewer},
        events::{self, Event},
        ids,
        money::{CurrencyCode, Money},
    },
    error::{Error, FieldError, Result},
};

/// What a ticket is created or updated with.
#[derive(Default)]
pub struct TicketFields {
    /// Short description.
    pub subject: Option<String>,
    /// Details.
    pub description: Option<Option<String>>,
    /// Progress.
    pub status: Option<TicketStatus>,
    /// Urgency.
    pub priority: Option<TicketPriority>,
    /// Where it was raised (create only).
    pub channel: Option<Channel>,
    /// Resolution deadline.
    pub sla_due_at: Option<Option<DateTime<Utc>>>,
    /// Customer contact (create only).
    pub contact_id: Option<Uuid>,
    /// Customer organization (create only).
    pub organization_id: Option<Uuid>,
    /// Who works on it.
    pub assignee_id: Option<Option<Uuid>>,
}

async fn apply_ticket(
    db: &impl Db,
    viewer: &Viewer,
    fields: TicketFields,
    model: &mut ticket::ActiveModel,
) -> Result<()> {
    let mut errors = Vec::new();
    if let Some(subject) = &fields.subject {
        model.subject = Set(required_text("subject", subject, 200, &mut errors));
    }
    if let Some(description) = fields.description {
        model.description = Set(optional_text(
            "description",
            description.as_deref(),
            20_000,
            &mut errors,
        ));
    }
    if let Some(status) = fields.status {
        model.status = Set(status);
        let resolved = matches!(status, TicketStatus::Resolved | TicketStatus::Closed);
        model.resolved_at = Set(resolved.then(Utc::now));
    }
    if let Some(priority) = fields.priority {
        model.priority = Set(priority);
    }
    if let Some(sla) = fields.sla_due_at {
        model.sla_due_at = Set(sla);
    }
    if let Some(assignee) = fields.assignee_id {
        check_user(db, viewer.workspace, "assigneeId", assignee, &mut errors).await?;
        model.assignee_id = Set(assignee);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

/// Opens a ticket; with an `idempotency_key` a retry returns the first result.
pub async fn create_ticket(
    db: &impl Db,
    viewer: &Viewer,
    fields: TicketFields,
    idempotency_key: Option<&str>,
) -> Result<ticket::Model> {
    viewer.require(Area::Tickets, Action::Write)?;
    if let Some(id) = replayed(db, viewer.workspace, "createTicket", idempotency_key).await? {
        return find::<ticket::Entity>(db, viewer, id, "ticket").await;
    }
    let mut errors = Vec::new();
    if fields.subject.is_none() {
        errors.push(FieldError::invalid("subject", "is required"));
    }
    if fields.contact_id.is_none() && fields.organization_id.is_none() {
        errors.push(FieldError::invalid(
            "contactId",
            "name a contact or an organization",
        ));
    }
    let db_conn = db;
    let mut link_errors = Vec::new();
    links_any(
        db_conn,
        viewer,
        fields.contact_id,
        fields.organization_id,
        &mut link_errors,
    )
    .await?;
    errors.extend(link_errors);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let now = Utc::now();
    let mut model = ticket::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(viewer.workspace.0),
        subject: Set(String::new()),
        description: Set(None),
        status: Set(TicketStatus::Open),
        priority: Set(TicketPriority::Normal),
        channel: Set(fields.channel.unwrap_or(Channel::Email)),
        sla_due_at: Set(None),
        resolved_at: Set(None),
        contact_id: Set(fields.contact_id),
        organization_id: Set(fields.organization_id),
        assignee_id: Set(viewer.user_id()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        archived_at: Set(None),
    };
    apply_ticket(db, viewer, fields, &mut model).await?;
    let txn = crate::db::begin(db).await?;
    let row = model.insert(&txn).await?;
    if !remember(
        &txn,
        viewer.workspace,
        "createTicket",
        idempotency_key,
        row.id,
    )
    .await?
    {
        txn.rollback().await?;
        let id = replayed(db, viewer.workspace, "createTicket", idempotency_key)
            .await?
            .ok_or(Error::NotFound("ticket"))?;
        return find::<ticket::Entity>(db, viewer, id, "ticket").await;
    }
    events::record(&txn, viewer.workspace, viewer.actor(), Event {
        event_type: "ticket.opened",
        entity_type: "ticket",
        entity_id: row.id,
        payload: json!({ "after": { "subject": row.subject, "status": row.status, "priority": row.priority, "contactId": row.contact_id } }),
    })
    .await?;
    txn.commit().await?;
    Ok(row)
}

async fn links_any(
    db: &impl Db,
    viewer: &Viewer,
    contact: Option<Uuid>,
    organization: Option<Uuid>,
    errors: &mut Vec<FieldError>,
) -> Result<()> {
    use entity::TenantScoped;
    if let Some(id) = contact
        && entity::contact::Entity::find_by_id_in(viewer.workspace, id)
            .one(db)
            .await?
            .is_none_or(|c| c.archived_at.is_some())
    {
        errors.push(FieldError::not_found(
            "contactId",
            "no such contact in this workspace",
        ));
    }
    if let Some(id) = organization
        && entity::organization::Entity::find_by_id_in(viewer.workspace, id)
            .one(db)
            .await?
            .is_none_or(|o| o.archived_at.is_some())
    {
        errors.push(FieldError::not_found(
            "organizationId",
            "no such organization in this workspace",
        ));
    }
    Ok(())
}

/// Updates a ticket (status, priority, assignee …) at `version`; archiving
/// is `archived = Some(true)`.
pub async fn update_ticket(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    fields: TicketFields,
    archived: Option<bool>,
) -> Result<ticket::Model> {
    viewer.require(Area::Tickets, Action::Write)?;
    let current = find::<ticket::Entity>(db, viewer, id, "ticket").await?;
    if current.archived_at.is_some() && archived != Some(false) {
        return Err(Error::field(FieldError::invalid(
            "id",
            "the ticket is archived; restore it first",
        )));
    }
    let mut model: ticket::ActiveModel = current.clone().into();
    apply_ticket(db, viewer, fields, &mut model).await?;
    if let Some(archived) = archived {
        model.archived_at = Set(archived.then(Utc::now));
    }
    if current.version != version {
        return Err(stale("ticket"));
    }
    model.version = Set(version + 1);
    model.updated_at = Set(Utc::now());
    let txn = crate::db::begin(db).await?;
    let updated = save_versioned(
        &txn,
        viewer,
        id,
        version,
        model,
        ticket::Column::Version,
        "ticket",
    )
    .await?;
    events::record(&txn, viewer.workspace, viewer.actor(), Event {
        event_type: "ticket.updated",
        entity_type: "ticket",
        entity_id: id,
        payload: json!({
            "before": { "status": current.status, "priority": current.priority, "assigneeId": current.assignee_id, "archived": current.archived_at.is_some() },
            "after": { "status": updated.status, "priority": updated.priority, "assigneeId": updated.assignee_id, "archived": updated.archived_at.is_some() },
        }),
    })
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// What a campaign is created with.
pub struct NewCampaign {
    /// Display name.
    pub name: String,
    /// Main channel.
    pub channel: Channel,
    /// Budget as a decimal string.
    pub budget: Option<String>,
    /// ISO-4217 code of the budget; the workspace's when absent.
    pub currency: Option<String>,
    /// First day.
    pub starts_on: Option<NaiveDate>,
    /// Last day.
    pub ends_on: Option<NaiveDate>,
}

/// Creates a campaign.
pub async fn create_campaign(
    db: &impl Db,
    viewer: &Viewer,
    input: NewCampaign,
    idempotency_key: Option<&str>,
) -> Result<campaign::Model> {
    viewer.require(Area::Campaigns, Action::Write)?;
    if let Some(id) = replayed(db, viewer.workspace, "createCampaign", idempotency_key).await? {
        return find::<campaign::Entity>(db, viewer, id, "campaign").await;
    }
    let mut errors = Vec::new();
    let name = required_text("name", &input.name, 200, &mut errors);
    let currency = match input.currency.as_deref() {
        Some(code) => CurrencyCode::parse(code)
            .map_err(|m| errors.push(FieldError::invalid("currency", m)))
            .ok(),
        None => {
            let workspace = entity::workspace::Entity::find_by_workspace_id(viewer.workspace)
                .one(db)
                .await?;
            workspace.and_then(|w| CurrencyCode::parse(&w.default_currency).ok())
        }
    };
    let budget = match (&input.budget, currency) {
        (Some(amount), Some(code)) => Money::parse_decimal(amount, code)
            .map_err(|m| errors.push(FieldError::invalid("budget", m)))
            .ok()
            .map(|m| m.minor),
        _ => None,
    };
    if let (Some(start), Some(end)) = (input.starts_on, input.ends_on)
        && end < start
    {
        errors.push(FieldError::invalid("endsOn", "must not be before startsOn"));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let now = Utc::now();
    let txn = crate::db::begin(db).await?;
    let row = campaign::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(viewer.workspace.0),
        name: Set(name),
        channel: Set(input.channel),
        budget_amount: Set(budget),
        currency: Set(currency.map_or_else(|| "EUR".to_owned(), |c| c.to_string())),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        archived_at: Set(None),
    }
    .insert(&txn)
    .await?;
    if !remember(
        &txn,
        viewer.workspace,
        "createCampaign",
        idempotency_key,
        row.id,
    )
    .await?
    {
        txn.rollback().await?;
        let id = replayed(db, viewer.workspace, "createCampaign", idempotency_key)
            .await?
            .ok_or(Error::NotFound("campaign"))?;
        return find::<campaign::Entity>(db, viewer, id, "campaign").await;
    }
    events::record(&txn, viewer.workspace, viewer.actor(), Event {
        event_type: "campaign.created",
        entity_type: "campaign",
        entity_id: row.id,
        payload: json!({ "after": { "name": row.name, "channel": row.channel, "budgetAmount": row.budget_amount } }),
    })
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Archives or restores a campaign at `version`.
pub async fn set_campaign_archived(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    archived: bool,
) -> Result<campaign::Model> {
    viewer.require(Area::Campaigns, Action::Write)?;
    let current = find::<campaign::Entity>(db, viewer, id, "campaign").await?;
    if current.version != version {
        return Err(stale("campaign"));
    }
    let mut model: campaign::ActiveModel = current.clone().into();
    model.archived_at = Set(archived.then(Utc::now));
    model.version = Set(version + 1);
    model.updated_at = Set(Utc::now());
    let txn = crate::db::begin(db).await?;
    let updated = save_versioned(
        &txn,
        viewer,
        id,
        version,
        model,
        campaign::Column::Version,
        "campaign",
    )
    .await?;
    events::record(&txn, viewer.workspace, viewer.actor(), Event {
        event_type: if archived { "campaign.archived" } else { "campaign.restored" },
        entity_type: "campaign",
        entity_id: id,
        payload: json!({ "before": { "archived": current.archived_at.is_some() }, "after": { "archived": archived } }),
    })
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// What `updateCampaign` changes; absent fields stay as they are.
#[derive(Default)]
pub struct CampaignChanges {
    /// Display name.
    pub name: Option<String>,
    /// Budget as a decimal string in the campaign's currency; `Some(None)` clears it.
    pub budget: Option<Option<String>>,
    /// First day.
    pub starts_on: Option<Option<NaiveDate>>,
    /// Last day.
    pub ends_on: Option<Option<NaiveDate>>,
}

/// Renames a campaign or changes its budget or dates, at `version`.
pub async fn update_campaign(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    changes: CampaignChanges,
) -> Result<campaign::Model> {
    viewer.require(Area::Campaigns, Action::Write)?;
    let current = find::<campaign::Entity>(db, viewer, id, "campaign").await?;
    let mut errors = Vec::new();
    let mut model: campaign::ActiveModel = current.clone().into();
    if let Some(name) = &changes.name {
        model.name = Set(required_text("name", name, 200, &mut errors));
    }
    if let Some(budget) = changes.budget {
        let minor = match (budget, CurrencyCode::parse(&current.currency)) {
            (Some(amount), Ok(code)) => Money::parse_decimal(&amount, code)
                .map_err(|m| errors.push(FieldError::invalid("budget", m)))
                .ok()
                .map(|m| m.minor),
            _ => None,
        };
        model.budget_amount = Set(minor);
    }
    let starts = changes.starts_on.unwrap_or(current.starts_on);
    let ends = changes.ends_on.unwrap_or(current.ends_on);
    if let (Some(start), Some(end)) = (starts, ends)
        && end < start
    {
        errors.push(FieldError::invalid("endsOn", "must not be before startsOn"));
    }
    model.starts_on = Set(starts);
    model.ends_on = Set(ends);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if current.version != version {
        return Err(stale("campaign"));
    }
    model.version = Set(version + 1);
    model.updated_at = Set(Utc::now());
    let txn = crate::db::begin(db).await?;
    let updated = save_versioned(
        &txn,
        viewer,
        id,
        version,
        model,
        campaign::Column::Version,
        "campaign",
    )
    .await?;
    events::record(&txn, viewer.workspace, viewer.actor(), Event {
        event_type: "campaign.updated",
        entity_type: "campaign",
        entity_id: id,
        payload: json!({
            "before": { "name": current.name, "budgetAmount": current.budget_amount, "startsOn": current.starts_on, "endsOn": current.ends_on },
            "after": { "name": updated.name, "budgetAmount": updated.budget_amount, "startsOn": updated.starts_on, "endsOn": updated.ends_on },
        }),
    })
    .await?;
    txn.commit().await?;
    Ok(updated)
}
