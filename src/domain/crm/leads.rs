//! Leads, the unqualified inbox, and their conversion into a deal with its
//! contact and organization, in one transaction.

use chrono::Utc;
use entity::{
    TenantScoped, contact,
    enums::{Channel, LeadStatus},
    lead, organization,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    Db, check_owner, check_user,
    contacts::{self, ContactFields},
    deals::{self, DealFields},
    find, optional_text,
    organizations::{self, OrganizationFields},
    remember, replayed, required_text, save_recorded, save_recorded_alone, stale,
};
use crate::{
    domain::{
        access::{Action, Area, Viewer},
        events::{self, Event},
        ids,
    },
    error::{Error, FieldError, Result},
};

/// Fields of a lead as events record them.
pub fn snapshot(l: &lead::Model) -> Value {
    json!({
        "title": l.title, "source": l.source, "channel": l.channel, "status": l.status,
        "contactId": l.contact_id, "organizationId": l.organization_id, "ownerId": l.owner_id,
        "convertedDealId": l.converted_deal_id, "archived": l.archived_at.is_some(),
    })
}

/// What a lead is created or updated with.
#[derive(Default)]
pub struct LeadFields {
    /// Short description.
    pub title: Option<String>,
    /// Where it came from.
    pub source: Option<Option<String>>,
    /// Channel it arrived on.
    pub channel: Option<Option<Channel>>,
    /// Qualification status (not `converted`: use [`convert`]).
    pub status: Option<LeadStatus>,
    /// Known contact.
    pub contact_id: Option<Option<Uuid>>,
    /// Known organization.
    pub organization_id: Option<Option<Uuid>>,
    /// Owner.
    pub owner_id: Option<Option<Uuid>>,
}

async fn apply(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    fields: LeadFields,
    model: &mut lead::ActiveModel,
) -> Result<()> {
    let mut errors = Vec::new();
    if let Some(title) = &fields.title {
        model.title = Set(required_text("title", title, 200, &mut errors));
    }
    if let Some(source) = fields.source {
        model.source = Set(optional_text("source", source.as_deref(), 100, &mut errors));
    }
    if let Some(channel) = fields.channel {
        model.channel = Set(channel);
    }
    if let Some(status) = fields.status {
        if status == LeadStatus::Converted {
            errors.push(FieldError::invalid(
                "status",
                "use convertLead to convert a lead",
            ));
        }
        model.status = Set(status);
    }
    if let Some(contact_id) = fields.contact_id {
        if let Some(id) = contact_id
            && contact::Entity::find_by_id_in(viewer.workspace, id)
                .one(db)
                .await?
                .is_none_or(|c| c.archived_at.is_some())
        {
            errors.push(FieldError::not_found(
                "contactId",
                "no such contact in this workspace",
            ));
        }
        model.contact_id = Set(contact_id);
    }
    if let Some(organization_id) = fields.organization_id {
        if let Some(id) = organization_id
            && organization::Entity::find_by_id_in(viewer.workspace, id)
                .one(db)
                .await?
                .is_none_or(|o| o.archived_at.is_some())
        {
            errors.push(FieldError::not_found(
                "organizationId",
                "no such organization in this workspace",
            ));
        }
        model.organization_id = Set(organization_id);
    }
    if let Some(owner_id) = fields.owner_id {
        check_user(db, viewer.workspace, "ownerId", owner_id, &mut errors).await?;
        model.owner_id = Set(owner_id);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

/// Creates a lead; with an `idempotency_key` a retry returns the first result.
pub async fn create<C>(
    db: &C,
    viewer: &Viewer,
    fields: LeadFields,
    idempotency_key: Option<&str>,
) -> Result<lead::Model>
where
    C: Db,
{
    viewer.require(Area::Leads, Action::Write)?;
    if let Some(id) = replayed(db, viewer.workspace, "createLead", idempotency_key).await? {
        return find::<lead::Entity>(db, viewer, id, "lead").await;
    }
    if fields.title.is_none() {
        return Err(Error::field(FieldError::invalid("title", "is required")));
    }
    let now = Utc::now();
    let mut model = lead::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(viewer.workspace.0),
        title: Set(String::new()),
        source: Set(None),
        channel: Set(None),
        status: Set(LeadStatus::New),
        contact_id: Set(None),
        organization_id: Set(None),
        campaign_id: Set(None),
        owner_id: Set(viewer.user_id()),
        converted_deal_id: Set(None),
        custom_fields: Set(json!({})),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        archived_at: Set(None),
    };
    apply(db, viewer, fields, &mut model).await?;
    let txn = crate::db::begin(db).await?;
    let lead = model.insert(&txn).await?;
    if !remember(
        &txn,
        viewer.workspace,
        "createLead",
        idempotency_key,
        lead.id,
    )
    .await?
    {
        txn.rollback().await?;
        let id = replayed(db, viewer.workspace, "createLead", idempotency_key)
            .await?
            .ok_or(Error::NotFound("lead"))?;
        return find::<lead::Entity>(db, viewer, id, "lead").await;
    }
    events::record(
        &txn,
        viewer.workspace,
        viewer.actor(),
        Event {
            event_type: "lead.created",
            entity_type: "lead",
            entity_id: lead.id,
            payload: json!({ "before": null, "after": snapshot(&lead) }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(lead)
}

/// Updates a lead at `version`.
pub async fn update<C>(
    db: &C,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    fields: LeadFields,
) -> Result<lead::Model>
where
    C: Db,
{
    let current = editable(db, viewer, id).await?;
    let mut model: lead::ActiveModel = current.clone().into();
    apply(db, viewer, fields, &mut model).await?;
    save_recorded_alone(db, viewer, &current, model, version, "lead.updated").await
}

/// Archives or restores a lead at `version`.
pub async fn set_archived<C>(
    db: &C,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    archived: bool,
) -> Result<lead::Model>
where
    C: Db,
{
    viewer.require(Area::Leads, Action::Write)?;
    let current = find::<lead::Entity>(db, viewer, id, "lead").await?;
    check_owner(db, viewer, current.owner_id).await?;
    let mut model: lead::ActiveModel = current.clone().into();
    model.archived_at = Set(archived.then(Utc::now));
    let event = if archived {
        "lead.archived"
    } else {
        "lead.restored"
    };
    save_recorded_alone(db, viewer, &current, model, version, event).await
}

async fn editable(db: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> Result<lead::Model> {
    viewer.require(Area::Leads, Action::Write)?;
    let current = find::<lead::Entity>(db, viewer, id, "lead").await?;
    check_owner(db, viewer, current.owner_id).await?;
    if current.archived_at.is_some() {
        return Err(Error::field(FieldError::invalid(
            "id",
            "the lead is archived; restore it first",
        )));
    }
    if current.status == LeadStatus::Converted {
        return Err(Error::field(FieldError::invalid(
            "id",
            "the lead is converted already",
        )));
    }
    Ok(current)
}

/// How `convertLead` finds or makes the contact and organization.
pub enum Party<T> {
    /// Keep what the lead has (nothing when it has none).
    FromLead,
    /// Link this existing record.
    Existing(Uuid),
    /// Create a new one.
    New(T),
}

/// What `convertLead` needs.
pub struct Conversion {
    /// The lead.
    pub lead_id: Uuid,
    /// Its version.
    pub version: i32,
    /// The contact of the deal.
    pub contact: Party<ContactFields>,
    /// The organization of the deal.
    pub organization: Party<OrganizationFields>,
    /// The deal to create.
    pub deal: DealFields,
}

/// The records a conversion produced.
pub struct Converted {
    /// The lead, now `converted`.
    pub lead: lead::Model,
    /// The new deal.
    pub deal: entity::deal::Model,
    /// Its contact.
    pub contact: Option<contact::Model>,
    /// Its organization.
    pub organization: Option<organization::Model>,
}

/// Converts a lead: creates or links the organization and contact, creates
/// the deal, marks the lead converted, all in one transaction (nothing is
/// written when any part fails).
pub async fn convert<C>(db: &C, viewer: &Viewer, conversion: Conversion) -> Result<Converted>
where
    C: Db,
{
    let current = editable(db, viewer, conversion.lead_id).await?;
    if current.version != conversion.version {
        return Err(stale("lead"));
    }
    let txn = crate::db::begin(db).await?;
    let organization = match conversion.organization {
        Party::FromLead => match current.organization_id {
            Some(id) => Some(find::<organization::Entity>(&txn, viewer, id, "organization").await?),
            None => None,
        },
        Party::Existing(id) => Some(
            find::<organization::Entity>(&txn, viewer, id, "organization")
                .await
                .map_err(|_| {
                    Error::field(FieldError::not_found(
                        "organizationId",
                        "no such organization in this workspace",
                    ))
                })?,
        ),
        Party::New(fields) => Some(organizations::create(&txn, viewer, fields, None).await?),
    };
    let contact = match conversion.contact {
        Party::FromLead => match current.contact_id {
            Some(id) => Some(find::<contact::Entity>(&txn, viewer, id, "contact").await?),
            None => None,
        },
        Party::Existing(id) => Some(
            find::<contact::Entity>(&txn, viewer, id, "contact")
                .await
                .map_err(|_| {
                    Error::field(FieldError::not_found(
                        "contactId",
                        "no such contact in this workspace",
                    ))
                })?,
        ),
        Party::New(mut fields) => {
            if fields.organization_id.is_none() {
                fields.organization_id = Some(organization.as_ref().map(|o| o.id));
            }
            Some(contacts::create(&txn, viewer, fields, None).await?)
        }
    };
    let mut deal_fields = conversion.deal;
    deal_fields.contact_id = deal_fields
        .contact_id
        .or(Some(contact.as_ref().map(|c| c.id)));
    deal_fields.organization_id = deal_fields
        .organization_id
        .or(Some(organization.as_ref().map(|o| o.id)));
    if deal_fields.source.is_none() {
        deal_fields.source = Some(current.source.clone());
    }
    let deal = deals::create(&txn, viewer, deal_fields, None).await?;
    let mut model: lead::ActiveModel = current.clone().into();
    model.status = Set(LeadStatus::Converted);
    model.converted_deal_id = Set(Some(deal.id));
    model.contact_id = Set(contact.as_ref().map(|c| c.id).or(current.contact_id));
    model.organization_id = Set(organization
        .as_ref()
        .map(|o| o.id)
        .or(current.organization_id));
    let lead = save_recorded(
        &txn,
        viewer,
        &current,
        model,
        conversion.version,
        "lead.converted",
        json!({ "dealId": deal.id }),
    )
    .await?;
    txn.commit().await?;
    Ok(Converted {
        lead,
        deal,
        contact,
        organization,
    })
}
