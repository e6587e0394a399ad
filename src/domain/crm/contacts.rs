//! Contacts: create, update, archive and restore.

use chrono::Utc;
use entity::{
    TenantScoped, contact,
    enums::{EntityType, LifecycleStage},
    organization,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    Db, check_owner, check_user, custom_fields, find, optional_text, remember, replayed,
    required_text, save_recorded_alone,
};
use crate::{
    domain::{
        access::{Action, Area, Viewer},
        email::Email,
        events::{self, Event},
        ids,
    },
    error::{Error, FieldError, Result},
};

/// Fields of a contact as events record them.
pub fn snapshot(c: &contact::Model) -> Value {
    json!({
        "firstName": c.first_name, "lastName": c.last_name, "email": c.email, "phones": c.phones,
        "title": c.title, "lifecycleStage": c.lifecycle_stage, "source": c.source, "score": c.score,
        "organizationId": c.organization_id, "ownerId": c.owner_id, "customFields": c.custom_fields,
        "archived": c.archived_at.is_some(),
    })
}

/// What a contact is created or updated with; absent fields are left alone
/// (on create: defaults).
#[derive(Default)]
pub struct ContactFields {
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Primary e-mail; `Some(None)` clears it.
    pub email: Option<Option<String>>,
    /// Phone numbers.
    pub phones: Option<Vec<String>>,
    /// Job title; `Some(None)` clears it.
    pub title: Option<Option<String>>,
    /// Lifecycle stage.
    pub lifecycle_stage: Option<LifecycleStage>,
    /// Source.
    pub source: Option<Option<String>>,
    /// Lead score, 0 to 100.
    pub score: Option<i32>,
    /// Organization; `Some(None)` detaches.
    pub organization_id: Option<Option<Uuid>>,
    /// Owner; `Some(None)` clears.
    pub owner_id: Option<Option<Uuid>>,
    /// Custom-field values to set (`null` clears one).
    pub custom_fields: Option<Value>,
}

/// Validates `fields` and applies them to `model`.
async fn apply(
    db: &impl Db,
    viewer: &Viewer,
    fields: ContactFields,
    model: &mut contact::ActiveModel,
    current_custom: &Value,
) -> Result<()> {
    let mut errors = Vec::new();
    if let Some(first) = &fields.first_name {
        model.first_name = Set(required_text("firstName", first, 100, &mut errors));
    }
    if let Some(last) = &fields.last_name {
        model.last_name = Set(required_text("lastName", last, 100, &mut errors));
    }
    if let Some(email) = fields.email {
        let parsed = match email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(raw) => match Email::parse(raw) {
                Ok(email) => Some(email.to_string()),
                Err(message) => {
                    errors.push(FieldError::invalid("email", message));
                    None
                }
            },
            None => None,
        };
        model.emails = Set(json!(parsed.iter().collect::<Vec<_>>()));
        model.email = Set(parsed);
    }
    if let Some(phones) = fields.phones {
        let phones: Vec<String> = phones
            .iter()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect();
        if phones.iter().any(|p| {
            p.len() > 40
                || !p
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
        }) {
            errors.push(FieldError::invalid(
                "phones",
                "phone numbers use digits, spaces and + - ( ) . /",
            ));
        }
        model.phones = Set(json!(phones));
    }
    if let Some(title) = fields.title {
        model.title = Set(optional_text("title", title.as_deref(), 100, &mut errors));
    }
    if let Some(stage) = fields.lifecycle_stage {
        model.lifecycle_stage = Set(stage);
    }
    if let Some(source) = fields.source {
        model.source = Set(optional_text("source", source.as_deref(), 100, &mut errors));
    }
    if let Some(score) = fields.score {
        if !(0..=100).contains(&score) {
            errors.push(FieldError::invalid("score", "must be between 0 and 100"));
        }
        model.score = Set(score);
    }
    if let Some(organization_id) = fields.organization_id {
        if let Some(id) = organization_id {
            match organization::Entity::find_by_id_in(viewer.workspace, id)
                .one(db)
                .await?
            {
                None => errors.push(FieldError::not_found(
                    "organizationId",
                    "no such organization in this workspace",
                )),
                Some(org) if org.archived_at.is_some() => errors.push(FieldError::invalid(
                    "organizationId",
                    "the organization is archived",
                )),
                Some(_) => {}
            }
        }
        model.organization_id = Set(organization_id);
    }
    if let Some(owner_id) = fields.owner_id {
        check_user(db, viewer.workspace, "ownerId", owner_id, &mut errors).await?;
        model.owner_id = Set(owner_id);
    }
    if let Some(values) = &fields.custom_fields {
        let merged = custom_fields::validate(
            db,
            viewer.workspace,
            EntityType::Contact,
            current_custom,
            values,
            &mut errors,
        )
        .await?;
        model.custom_fields = Set(merged);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

/// Creates a contact. With an `idempotency_key` a retry returns the first
/// result.
pub async fn create(
    db: &impl Db,
    viewer: &Viewer,
    fields: ContactFields,
    idempotency_key: Option<&str>,
) -> Result<contact::Model> {
    viewer.require(Area::Contacts, Action::Write)?;
    if let Some(id) = replayed(db, viewer.workspace, "createContact", idempotency_key).await? {
        return find::<contact::Entity>(db, viewer, id, "contact").await;
    }
    let mut errors = Vec::new();
    if fields.first_name.is_none() {
        errors.push(FieldError::invalid("firstName", "is required"));
    }
    if fields.last_name.is_none() {
        errors.push(FieldError::invalid("lastName", "is required"));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let now = Utc::now();
    let id = ids::new_id();
    let mut model = contact::ActiveModel {
        id: Set(id),
        workspace_id: Set(viewer.workspace.0),
        first_name: Set(String::new()),
        last_name: Set(String::new()),
        email: Set(None),
        emails: Set(json!([])),
        phones: Set(json!([])),
        title: Set(None),
        lifecycle_stage: Set(LifecycleStage::Lead),
        source: Set(None),
        score: Set(0),
        custom_fields: Set(json!({})),
        last_contacted_at: Set(None),
        organization_id: Set(None),
        owner_id: Set(viewer.user_id()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        archived_at: Set(None),
    };
    apply(db, viewer, fields, &mut model, &json!({})).await?;
    let txn = crate::db::begin(db).await?;
    let contact = model.insert(&txn).await?;
    if !remember(
        &txn,
        viewer.workspace,
        "createContact",
        idempotency_key,
        contact.id,
    )
    .await?
    {
        txn.rollback().await?;
        let id = replayed(db, viewer.workspace, "createContact", idempotency_key)
            .await?
            .ok_or(Error::NotFound("contact"))?;
        return find::<contact::Entity>(db, viewer, id, "contact").await;
    }
    events::record(
        &txn,
        viewer.workspace,
        viewer.actor(),
        Event {
            event_type: "contact.created",
            entity_type: "contact",
            entity_id: contact.id,
            payload: json!({ "before": null, "after": snapshot(&contact) }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(contact)
}

/// Updates a contact at `version`; a stale version is a CONFLICT and
/// changes nothing.
pub async fn update(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    fields: ContactFields,
) -> Result<contact::Model> {
    viewer.require(Area::Contacts, Action::Write)?;
    let current = find::<contact::Entity>(db, viewer, id, "contact").await?;
    check_owner(db, viewer, current.owner_id).await?;
    if current.archived_at.is_some() {
        return Err(Error::field(FieldError::invalid(
            "id",
            "the contact is archived; restore it first",
        )));
    }
    if fields.owner_id.is_some() {
        // Handing a record over is an edit of the new owner's records too.
        check_owner(db, viewer, fields.owner_id.flatten()).await?;
    }
    let mut model: contact::ActiveModel = current.clone().into();
    apply(db, viewer, fields, &mut model, &current.custom_fields).await?;
    save_recorded_alone(db, viewer, &current, model, version, "contact.updated").await
}

/// Archives (soft-deletes) a contact at `version`.
pub async fn archive(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
) -> Result<contact::Model> {
    set_archived(db, viewer, id, version, true).await
}

/// Restores an archived contact at `version`.
pub async fn restore(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
) -> Result<contact::Model> {
    set_archived(db, viewer, id, version, false).await
}

async fn set_archived(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    archived: bool,
) -> Result<contact::Model> {
    viewer.require(Area::Contacts, Action::Write)?;
    let current = find::<contact::Entity>(db, viewer, id, "contact").await?;
    check_owner(db, viewer, current.owner_id).await?;
    let mut model: contact::ActiveModel = current.clone().into();
    model.archived_at = Set(archived.then(Utc::now));
    let event = if archived {
        "contact.archived"
    } else {
        "contact.restored"
    };
    save_recorded_alone(db, viewer, &current, model, version, event).await
}
