//! Activities: schedule, complete, archive.

use chrono::{DateTime, Utc};
use entity::{activity, contact, deal, enums::ActivityKind, organization};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    check_owner, check_user, diff, find, optional_text, remember, replayed, required_text,
    save_versioned, stale,
};
use crate::{
    domain::{
        access::{Action, Area, Viewer},
        events::{self, Event},
        ids,
    },
    error::{Error, FieldError, Result},
};

/// Fields of an activity as events record them.
pub fn snapshot(a: &activity::Model) -> Value {
    json!({
        "kind": a.kind, "subject": a.subject, "dueAt": a.due_at, "durationMinutes": a.duration_minutes,
        "doneAt": a.done_at, "ownerId": a.owner_id, "dealId": a.deal_id, "contactId": a.contact_id,
        "organizationId": a.organization_id, "archived": a.archived_at.is_some(),
    })
}

/// What `scheduleActivity` needs.
pub struct NewActivity {
    /// Kind of work.
    pub kind: ActivityKind,
    /// Short description.
    pub subject: String,
    /// Details.
    pub note: Option<String>,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
    /// Planned length in minutes.
    pub duration_minutes: Option<i32>,
    /// Who does it; the caller when absent.
    pub owner_id: Option<Uuid>,
    /// Linked deal.
    pub deal_id: Option<Uuid>,
    /// Linked contact.
    pub contact_id: Option<Uuid>,
    /// Linked organization.
    pub organization_id: Option<Uuid>,
}

/// Schedules an activity; with an `idempotency_key` a retry returns the
/// first result.
pub async fn schedule(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: NewActivity,
    idempotency_key: Option<&str>,
) -> Result<activity::Model> {
    viewer.require(Area::Activities, Action::Write)?;
    if let Some(id) = replayed(db, viewer.workspace, "scheduleActivity", idempotency_key).await? {
        return find::<activity::Entity>(db, viewer, id, "activity").await;
    }
    let mut errors = Vec::new();
    let subject = required_text("subject", &input.subject, 200, &mut errors);
    let note = optional_text("note", input.note.as_deref(), 10_000, &mut errors);
    if input
        .duration_minutes
        .is_some_and(|d| !(0..=24 * 60).contains(&d))
    {
        errors.push(FieldError::invalid(
            "durationMinutes",
            "must be between 0 and 1440",
        ));
    }
    let owner = input.owner_id.or(viewer.user_id());
    check_user(db, viewer.workspace, "ownerId", owner, &mut errors).await?;
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
    let activity = activity::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(viewer.workspace.0),
        kind: Set(input.kind),
        subject: Set(subject),
        note: Set(note),
        due_at: Set(input.due_at),
        duration_minutes: Set(input.duration_minutes),
        done_at: Set(None),
        owner_id: Set(owner),
        deal_id: Set(input.deal_id),
        contact_id: Set(input.contact_id),
        organization_id: Set(input.organization_id),
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
        "scheduleActivity",
        idempotency_key,
        activity.id,
    )
    .await?
    {
        txn.rollback().await?;
        let id = replayed(db, viewer.workspace, "scheduleActivity", idempotency_key)
            .await?
            .ok_or(Error::NotFound("activity"))?;
        return find::<activity::Entity>(db, viewer, id, "activity").await;
    }
    events::record(
        &txn,
        viewer.workspace,
        viewer.actor(),
        Event {
            event_type: "activity.scheduled",
            entity_type: "activity",
            entity_id: activity.id,
            payload: json!({ "before": null, "after": snapshot(&activity) }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(activity)
}

/// Checks that linked records exist in the workspace and are not archived.
pub(crate) async fn links(
    db: &DatabaseConnection,
    viewer: &Viewer,
    deal_id: Option<Uuid>,
    contact_id: Option<Uuid>,
    organization_id: Option<Uuid>,
    errors: &mut Vec<FieldError>,
) -> Result<()> {
    use entity::TenantScoped;
    if let Some(id) = deal_id {
        match deal::Entity::find_by_id_in(viewer.workspace, id)
            .one(db)
            .await?
        {
            None => errors.push(FieldError::not_found(
                "dealId",
                "no such deal in this workspace",
            )),
            Some(d) if d.archived_at.is_some() => {
                errors.push(FieldError::invalid("dealId", "the deal is archived"))
            }
            Some(_) => {}
        }
    }
    if let Some(id) = contact_id {
        match contact::Entity::find_by_id_in(viewer.workspace, id)
            .one(db)
            .await?
        {
            None => errors.push(FieldError::not_found(
                "contactId",
                "no such contact in this workspace",
            )),
            Some(c) if c.archived_at.is_some() => {
                errors.push(FieldError::invalid("contactId", "the contact is archived"))
            }
            Some(_) => {}
        }
    }
    if let Some(id) = organization_id {
        match organization::Entity::find_by_id_in(viewer.workspace, id)
            .one(db)
            .await?
        {
            None => errors.push(FieldError::not_found(
                "organizationId",
                "no such organization in this workspace",
            )),
            Some(o) if o.archived_at.is_some() => errors.push(FieldError::invalid(
                "organizationId",
                "the organization is archived",
            )),
            Some(_) => {}
        }
    }
    Ok(())
}

/// Marks an activity done at `version`.
pub async fn complete(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
) -> Result<activity::Model> {
    viewer.require(Area::Activities, Action::Write)?;
    let current = find::<activity::Entity>(db, viewer, id, "activity").await?;
    check_owner(db, viewer, current.owner_id).await?;
    if current.done_at.is_some() {
        return Err(Error::field(FieldError::invalid(
            "id",
            "the activity is done already",
        )));
    }
    if current.archived_at.is_some() {
        return Err(Error::field(FieldError::invalid(
            "id",
            "the activity is archived",
        )));
    }
    if current.version != version {
        return Err(stale("activity"));
    }
    let mut model: activity::ActiveModel = current.clone().into();
    model.done_at = Set(Some(Utc::now()));
    model.version = Set(version + 1);
    model.updated_at = Set(Utc::now());
    let txn = crate::db::begin(db).await?;
    let done = save_versioned(
        &txn,
        viewer,
        id,
        version,
        model,
        activity::Column::Version,
        "activity",
    )
    .await?;
    events::record(
        &txn,
        viewer.workspace,
        viewer.actor(),
        Event {
            event_type: "activity.completed",
            entity_type: "activity",
            entity_id: done.id,
            payload: diff(&snapshot(&current), &snapshot(&done)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(done)
}

/// What `updateActivity` changes; absent fields stay as they are.
#[derive(Default)]
pub struct ActivityChanges {
    /// Kind of work.
    pub kind: Option<ActivityKind>,
    /// Short description.
    pub subject: Option<String>,
    /// Details.
    pub note: Option<Option<String>>,
    /// When it is due.
    pub due_at: Option<Option<DateTime<Utc>>>,
    /// Planned length.
    pub duration_minutes: Option<Option<i32>>,
    /// Who does it.
    pub owner_id: Option<Option<Uuid>>,
}

/// Reschedules or edits an activity at `version`; `archived` archives or
/// restores it.
pub async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    changes: ActivityChanges,
    archived: Option<bool>,
) -> Result<activity::Model> {
    viewer.require(Area::Activities, Action::Write)?;
    let current = find::<activity::Entity>(db, viewer, id, "activity").await?;
    check_owner(db, viewer, current.owner_id).await?;
    if current.archived_at.is_some() && archived != Some(false) {
        return Err(Error::field(FieldError::invalid(
            "id",
            "the activity is archived; restore it first",
        )));
    }
    let mut errors = Vec::new();
    let mut model: activity::ActiveModel = current.clone().into();
    if let Some(kind) = changes.kind {
        model.kind = Set(kind);
    }
    if let Some(subject) = &changes.subject {
        model.subject = Set(required_text("subject", subject, 200, &mut errors));
    }
    if let Some(note) = changes.note {
        model.note = Set(optional_text("note", note.as_deref(), 10_000, &mut errors));
    }
    if let Some(due_at) = changes.due_at {
        model.due_at = Set(due_at);
    }
    if let Some(duration) = changes.duration_minutes {
        if duration.is_some_and(|d| !(0..=24 * 60).contains(&d)) {
            errors.push(FieldError::invalid(
                "durationMinutes",
                "must be between 0 and 1440",
            ));
        }
        model.duration_minutes = Set(duration);
    }
    if let Some(owner) = changes.owner_id {
        check_user(db, viewer.workspace, "ownerId", owner, &mut errors).await?;
        model.owner_id = Set(owner);
    }
    if let Some(archived) = archived {
        model.archived_at = Set(archived.then(Utc::now));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if current.version != version {
        return Err(stale("activity"));
    }
    model.version = Set(version + 1);
    model.updated_at = Set(Utc::now());
    let event_type = match archived {
        Some(true) => "activity.archived",
        Some(false) => "activity.restored",
        None => "activity.updated",
    };
    let txn = crate::db::begin(db).await?;
    let updated = save_versioned(
        &txn,
        viewer,
        id,
        version,
        model,
        activity::Column::Version,
        "activity",
    )
    .await?;
    events::record(
        &txn,
        viewer.workspace,
        viewer.actor(),
        Event {
            event_type,
            entity_type: "activity",
            entity_id: id,
            payload: diff(&snapshot(&current), &snapshot(&updated)),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// The open activities of `owner` due in `[from, to)`, soonest first (the
/// "due within 15 minutes" notifications).
pub async fn due_between(
    db: &impl sea_orm::ConnectionTrait,
    viewer: &Viewer,
    owner: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<activity::Model>> {
    use entity::TenantScoped;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    viewer.require(Area::Activities, Action::Read)?;
    Ok(activity::Entity::find_in(viewer.workspace)
        .filter(activity::Column::OwnerId.eq(owner))
        .filter(activity::Column::DoneAt.is_null())
        .filter(activity::Column::ArchivedAt.is_null())
        .filter(activity::Column::DueAt.gte(from))
        .filter(activity::Column::DueAt.lt(to))
        .order_by_asc(activity::Column::DueAt)
        .all(db)
        .await?)
}
