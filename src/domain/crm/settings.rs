//! Workspace settings of the CRM: custom-field definitions and goals.

use chrono::{NaiveDate, Utc};
use entity::{
    TenantScoped, custom_field,
    enums::{EntityType, FieldType, GoalMetric},
    goal, pipeline, team,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder,
    sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use super::{Db, check_user, find, required_text};
use crate::{
    domain::{
        access::{Action, Area, Viewer},
        events::{self, Event},
        ids,
        money::{CurrencyCode, Money},
    },
    error::{Error, FieldError, Result, is_unique_violation},
};

/// What `createCustomField` needs.
pub struct NewCustomField {
    /// Record type it applies to.
    pub entity_type: EntityType,
    /// Key in the records' `customFields` (lower-case letters, digits, `_`).
    pub key: String,
    /// Display label.
    pub label: String,
    /// Value type.
    pub field_type: FieldType,
    /// Allowed values of an `enum` field.
    pub options: Vec<String>,
}

/// Defines a custom field (admins: it changes what every record accepts).
pub async fn create_custom_field(
    db: &impl Db,
    viewer: &Viewer,
    input: NewCustomField,
) -> Result<custom_field::Model> {
    viewer.require(Area::Workspace, Action::Write)?;
    let mut errors = Vec::new();
    let key = input.key.trim().to_owned();
    if key.is_empty()
        || key.len() > 40
        || !key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        errors.push(FieldError::invalid(
            "key",
            "must be 1 to 40 lower-case letters, digits or _",
        ));
    }
    let label = required_text("label", &input.label, 100, &mut errors);
    let options: Vec<String> = input
        .options
        .iter()
        .map(|o| o.trim().to_owned())
        .filter(|o| !o.is_empty())
        .collect();
    match input.field_type {
        FieldType::Enum if options.is_empty() => errors.push(FieldError::invalid(
            "options",
            "an enum field needs options",
        )),
        FieldType::Enum => {}
        _ if !options.is_empty() => errors.push(FieldError::invalid(
            "options",
            "only enum fields take options",
        )),
        _ => {}
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let position = custom_field::Entity::find_in(viewer.workspace)
        .filter(custom_field::Column::EntityType.eq(input.entity_type))
        .all(db)
        .await?
        .len();
    let now = Utc::now();
    let txn = crate::db::begin(db).await?;
    let row = custom_field::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(viewer.workspace.0),
        entity_type: Set(input.entity_type),
        key: Set(key),
        label: Set(label),
        field_type: Set(input.field_type),
        options: Set(json!(options)),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        archived_at: Set(None),
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            Error::field(FieldError::taken(
                "key",
                "this record type has a field with this key already",
            ))
        } else {
            e.into()
        }
    })?;
    events::record(&txn, viewer.workspace, viewer.actor(), Event {
        event_type: "custom_field.created",
        entity_type: "custom_field",
        entity_id: row.id,
        payload: json!({ "after": { "entityType": row.entity_type, "key": row.key, "fieldType": row.field_type } }),
    })
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Retires a custom field: records keep their values, new values are refused.
pub async fn archive_custom_field(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
) -> Result<custom_field::Model> {
    viewer.require(Area::Workspace, Action::Write)?;
    let current = find::<custom_field::Entity>(db, viewer, id, "custom field").await?;
    let txn = crate::db::begin(db).await?;
    custom_field::Entity::update_many_in(viewer.workspace)
        .col_expr(custom_field::Column::ArchivedAt, Expr::value(Utc::now()))
        .filter(custom_field::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    events::record(
        &txn,
        viewer.workspace,
        viewer.actor(),
        Event {
            event_type: "custom_field.archived",
            entity_type: "custom_field",
            entity_id: id,
            payload: json!({ "before": { "key": current.key } }),
        },
    )
    .await?;
    let row = find::<custom_field::Entity>(&txn, viewer, id, "custom field").await?;
    txn.commit().await?;
    Ok(row)
}

/// The active custom-field definitions, optionally of one record type.
pub async fn custom_fields(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    entity_type: Option<EntityType>,
) -> Result<Vec<custom_field::Model>> {
    let mut query = custom_field::Entity::find_in(viewer.workspace)
        .filter(custom_field::Column::ArchivedAt.is_null());
    if let Some(entity_type) = entity_type {
        query = query.filter(custom_field::Column::EntityType.eq(entity_type));
    }
    Ok(query
        .order_by_asc(custom_field::Column::EntityType)
        .order_by_asc(custom_field::Column::Position)
        .all(db)
        .await?)
}

/// What `createGoal` needs.
pub struct NewGoal {
    /// Display name.
    pub name: String,
    /// What is counted.
    pub metric: GoalMetric,
    /// First day.
    pub period_start: NaiveDate,
    /// Last day.
    pub period_end: NaiveDate,
    /// Target: a decimal amount for `WON_VALUE`, a count otherwise.
    pub target: String,
    /// Currency of a `WON_VALUE` target; the workspace's when absent.
    pub currency: Option<String>,
    /// Whose goal (none: team or workspace).
    pub user_id: Option<Uuid>,
    /// Team goal.
    pub team_id: Option<Uuid>,
    /// Only this pipeline.
    pub pipeline_id: Option<Uuid>,
}

/// Sets a goal (managers, admins and owners).
pub async fn create_goal(db: &impl Db, viewer: &Viewer, input: NewGoal) -> Result<goal::Model> {
    viewer.require(Area::Goals, Action::Write)?;
    let mut errors = Vec::new();
    let name = required_text("name", &input.name, 200, &mut errors);
    if input.period_end < input.period_start {
        errors.push(FieldError::invalid(
            "periodEnd",
            "must not be before periodStart",
        ));
    }
    let currency = if input.metric == GoalMetric::WonValue {
        match input.currency.as_deref() {
            Some(code) => CurrencyCode::parse(code)
                .map_err(|m| errors.push(FieldError::invalid("currency", m)))
                .ok(),
            None => entity::workspace::Entity::find_by_workspace_id(viewer.workspace)
                .one(db)
                .await?
                .and_then(|w| CurrencyCode::parse(&w.default_currency).ok()),
        }
    } else {
        None
    };
    let target = match (input.metric, currency) {
        (GoalMetric::WonValue, Some(code)) => Money::parse_decimal(&input.target, code)
            .map(|m| m.minor)
            .map_err(|m| errors.push(FieldError::invalid("target", m)))
            .ok(),
        (GoalMetric::WonValue, None) => None,
        _ => input
            .target
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .or_else(|| {
                errors.push(FieldError::invalid(
                    "target",
                    "must be a whole number of at least 0",
                ));
                None
            }),
    };
    check_user(db, viewer.workspace, "userId", input.user_id, &mut errors).await?;
    if let Some(team_id) = input.team_id
        && team::Entity::find_by_id_in(viewer.workspace, team_id)
            .one(db)
            .await?
            .is_none()
    {
        errors.push(FieldError::not_found(
            "teamId",
            "no such team in this workspace",
        ));
    }
    if let Some(pipeline_id) = input.pipeline_id
        && pipeline::Entity::find_by_id_in(viewer.workspace, pipeline_id)
            .one(db)
            .await?
            .is_none()
    {
        errors.push(FieldError::not_found(
            "pipelineId",
            "no such pipeline in this workspace",
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let now = Utc::now();
    let txn = crate::db::begin(db).await?;
    let row = goal::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(viewer.workspace.0),
        name: Set(name),
        metric: Set(input.metric),
        period_start: Set(input.period_start),
        period_end: Set(input.period_end),
        target: Set(target.unwrap_or(0)),
        currency: Set(currency.map(|c| c.to_string())),
        user_id: Set(input.user_id),
        team_id: Set(input.team_id),
        pipeline_id: Set(input.pipeline_id),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        archived_at: Set(None),
    }
    .insert(&txn)
    .await?;
    events::record(&txn, viewer.workspace, viewer.actor(), Event {
        event_type: "goal.created",
        entity_type: "goal",
        entity_id: row.id,
        payload: json!({ "after": { "name": row.name, "metric": row.metric, "target": row.target } }),
    })
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The workspace's goals, latest period first.
pub async fn goals(db: &impl ConnectionTrait, viewer: &Viewer) -> Result<Vec<goal::Model>> {
    viewer.require(Area::Goals, Action::Read)?;
    Ok(goal::Entity::find_in(viewer.workspace)
        .filter(goal::Column::ArchivedAt.is_null())
        .order_by_desc(goal::Column::PeriodStart)
        .all(db)
        .await?)
}

/// The workspace's campaigns, newest first.
pub async fn campaigns(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
) -> Result<Vec<entity::campaign::Model>> {
    viewer.require(Area::Campaigns, Action::Read)?;
    Ok(entity::campaign::Entity::find_in(viewer.workspace)
        .filter(entity::campaign::Column::ArchivedAt.is_null())
        .order_by_desc(entity::campaign::Column::CreatedAt)
        .all(db)
        .await?)
}

/// What `updateGoal` changes; absent fields stay as they are.
#[derive(Default)]
pub struct GoalChanges {
    /// Display name.
    pub name: Option<String>,
    /// New target, in the goal's unit (decimal amount or whole number).
    pub target: Option<String>,
    /// First day.
    pub period_start: Option<NaiveDate>,
    /// Last day.
    pub period_end: Option<NaiveDate>,
}

/// Renames a goal, moves its period or changes its target, at `version`;
/// `archived` archives or restores it.
pub async fn update_goal(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    changes: GoalChanges,
    archived: Option<bool>,
) -> Result<goal::Model> {
    viewer.require(Area::Goals, Action::Write)?;
    let current = find::<goal::Entity>(db, viewer, id, "goal").await?;
    let mut errors = Vec::new();
    let mut model: goal::ActiveModel = current.clone().into();
    if let Some(name) = &changes.name {
        model.name = Set(required_text("name", name, 200, &mut errors));
    }
    if let Some(target) = &changes.target {
        let parsed = match current.currency.as_deref().map(CurrencyCode::parse) {
            Some(Ok(code)) => Money::parse_decimal(target, code)
                .map(|m| m.minor)
                .map_err(|m| errors.push(FieldError::invalid("target", m)))
                .ok(),
            _ => target
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .or_else(|| {
                    errors.push(FieldError::invalid(
                        "target",
                        "must be a whole number of at least 0",
                    ));
                    None
                }),
        };
        if let Some(parsed) = parsed {
            model.target = Set(parsed);
        }
    }
    let start = changes.period_start.unwrap_or(current.period_start);
    let end = changes.period_end.unwrap_or(current.period_end);
    if end < start {
        errors.push(FieldError::invalid(
            "periodEnd",
            "must not be before periodStart",
        ));
    }
    model.period_start = Set(start);
    model.period_end = Set(end);
    if let Some(archived) = archived {
        model.archived_at = Set(archived.then(Utc::now));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if current.version != version {
        return Err(super::stale("goal"));
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
        goal::Column::Version,
        "goal",
    )
    .await?;
    events::record(&txn, viewer.workspace, viewer.actor(), Event {
        event_type: match archived {
            Some(true) => "goal.archived",
            Some(false) => "goal.restored",
            None => "goal.updated",
        },
        entity_type: "goal",
        entity_id: id,
        payload: json!({
            "before": { "name": current.name, "target": current.target, "periodStart": current.period_start, "periodEnd": current.period_end },
            "after": { "name": updated.name, "target": updated.target, "periodStart": updated.period_start, "periodEnd": updated.period_end },
        }),
    })
    .await?;
    txn.commit().await?;
    Ok(updated)
}
