//! Organizations: create, update, archive and restore.

use chrono::Utc;
use entity::{enums::EntityType, organization};
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
        events::{self, Event},
        ids,
    },
    error::{Error, FieldError, Result},
};

/// Fields of an organization as events record them.
pub fn snapshot(o: &organization::Model) -> Value {
    json!({
        "name": o.name, "domain": o.domain, "industry": o.industry, "employeeCount": o.employee_count,
        "address": o.address, "ownerId": o.owner_id, "customFields": o.custom_fields, "archived": o.archived_at.is_some(),
    })
}

/// What an organization is created or updated with; absent fields are left
/// alone.
#[derive(Default)]
pub struct OrganizationFields {
    /// Company name.
    pub name: Option<String>,
    /// Web domain; `Some(None)` clears it.
    pub domain: Option<Option<String>>,
    /// Industry.
    pub industry: Option<Option<String>>,
    /// Number of employees.
    pub employee_count: Option<Option<i32>>,
    /// Postal address (a JSON object).
    pub address: Option<Option<Value>>,
    /// Owner.
    pub owner_id: Option<Option<Uuid>>,
    /// Custom-field values to set.
    pub custom_fields: Option<Value>,
}

async fn apply(
    db: &impl Db,
    viewer: &Viewer,
    fields: OrganizationFields,
    model: &mut organization::ActiveModel,
    current_custom: &Value,
) -> Result<()> {
    let mut errors = Vec::new();
    if let Some(name) = &fields.name {
        model.name = Set(required_text("name", name, 200, &mut errors));
    }
    if let Some(domain) = fields.domain {
        let domain =
            optional_text("domain", domain.as_deref(), 253, &mut errors).map(|d| d.to_lowercase());
        if domain
            .as_deref()
            .is_some_and(|d| !d.contains('.') || d.contains(char::is_whitespace) || d.contains('/'))
        {
            errors.push(FieldError::invalid(
                "domain",
                "must be a domain name such as example.com",
            ));
        }
        model.domain = Set(domain);
    }
    if let Some(industry) = fields.industry {
        model.industry = Set(optional_text(
            "industry",
            industry.as_deref(),
            100,
            &mut errors,
        ));
    }
    if let Some(count) = fields.employee_count {
        if count.is_some_and(|c| c < 0) {
            errors.push(FieldError::invalid("employeeCount", "must not be negative"));
        }
        model.employee_count = Set(count);
    }
    if let Some(address) = fields.address {
        if address.as_ref().is_some_and(|a| !a.is_object()) {
            errors.push(FieldError::invalid("address", "must be a JSON object"));
        }
        model.address = Set(address);
    }
    if let Some(owner_id) = fields.owner_id {
        check_user(db, viewer.workspace, "ownerId", owner_id, &mut errors).await?;
        model.owner_id = Set(owner_id);
    }
    if let Some(values) = &fields.custom_fields {
        let merged = custom_fields::validate(
            db,
            viewer.workspace,
            EntityType::Organization,
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

/// Creates an organization; with an `idempotency_key` a retry returns the
/// first result.
pub async fn create(
    db: &impl Db,
    viewer: &Viewer,
    fields: OrganizationFields,
    idempotency_key: Option<&str>,
) -> Result<organization::Model> {
    viewer.require(Area::Organizations, Action::Write)?;
    if let Some(id) = replayed(db, viewer.workspace, "createOrganization", idempotency_key).await? {
        return find::<organization::Entity>(db, viewer, id, "organization").await;
    }
    if fields.name.is_none() {
        return Err(Error::field(FieldError::invalid("name", "is required")));
    }
    let now = Utc::now();
    let mut model = organization::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(viewer.workspace.0),
        name: Set(String::new()),
        domain: Set(None),
        industry: Set(None),
        employee_count: Set(None),
        address: Set(None),
        custom_fields: Set(json!({})),
        last_contacted_at: Set(None),
        owner_id: Set(viewer.user_id()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        archived_at: Set(None),
    };
    apply(db, viewer, fields, &mut model, &json!({})).await?;
    let txn = crate::db::begin(db).await?;
    let organization = model.insert(&txn).await?;
    if !remember(
        &txn,
        viewer.workspace,
        "createOrganization",
        idempotency_key,
        organization.id,
    )
    .await?
    {
        txn.rollback().await?;
        let id = replayed(db, viewer.workspace, "createOrganization", idempotency_key)
            .await?
            .ok_or(Error::NotFound("organization"))?;
        return find::<organization::Entity>(db, viewer, id, "organization").await;
    }
    events::record(
        &txn,
        viewer.workspace,
        viewer.actor(),
        Event {
            event_type: "organization.created",
            entity_type: "organization",
            entity_id: organization.id,
            payload: json!({ "before": null, "after": snapshot(&organization) }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(organization)
}

/// Updates an organization at `version`.
pub async fn update(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    fields: OrganizationFields,
) -> Result<organization::Model> {
    viewer.require(Area::Organizations, Action::Write)?;
    let current = find::<organization::Entity>(db, viewer, id, "organization").await?;
    check_owner(db, viewer, current.owner_id).await?;
    if current.archived_at.is_some() {
        return Err(Error::field(FieldError::invalid(
            "id",
            "the organization is archived; restore it first",
        )));
    }
    let mut model: organization::ActiveModel = current.clone().into();
    apply(db, viewer, fields, &mut model, &current.custom_fields).await?;
    save_recorded_alone(db, viewer, &current, model, version, "organization.updated").await
}

/// Archives or restores an organization at `version`.
pub async fn set_archived(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    archived: bool,
) -> Result<organization::Model> {
    viewer.require(Area::Organizations, Action::Write)?;
    let current = find::<organization::Entity>(db, viewer, id, "organization").await?;
    check_owner(db, viewer, current.owner_id).await?;
    let mut model: organization::ActiveModel = current.clone().into();
    model.archived_at = Set(archived.then(Utc::now));
    let event = if archived {
        "organization.archived"
    } else {
        "organization.restored"
    };
    save_recorded_alone(db, viewer, &current, model, version, event).await
}
