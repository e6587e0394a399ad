//! Pipelines and stages: create, rename, reorder, set probability and
//! rotting days, delete a stage by moving its deals to another.

use chrono::Utc;
use entity::{TenantScoped, deal, pipeline, stage};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, PaginatorTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;
use uuid::Uuid;

use super::{find, required_text, save_versioned, stale};
use crate::{
    domain::{
        access::{Action, Area, Viewer},
        events::{self, Event},
        ids,
    },
    error::{Error, FieldError, Result, code},
};

/// A stage as created with its pipeline or on its own.
pub struct NewStage {
    /// Display name.
    pub name: String,
    /// Win probability in percent, 0 to 100.
    pub probability: i32,
    /// Rotting threshold in days.
    pub rotting_days: Option<i32>,
}

fn check_stage(index: Option<usize>, stage: &NewStage, errors: &mut Vec<FieldError>) -> String {
    let path = |field: &str| match index {
        Some(i) => vec![
            "input".to_owned(),
            "stages".to_owned(),
            i.to_string(),
            field.to_owned(),
        ],
        None => vec!["input".to_owned(), field.to_owned()],
    };
    let mut local = Vec::new();
    let name = required_text("name", &stage.name, 100, &mut local);
    if !local.is_empty() {
        errors.push(FieldError {
            field: path("name"),
            code: code::BAD_USER_INPUT,
            message: "must be between 1 and 100 characters".to_owned(),
        });
    }
    if !(0..=100).contains(&stage.probability) {
        errors.push(FieldError {
            field: path("probability"),
            code: code::BAD_USER_INPUT,
            message: "must be between 0 and 100".to_owned(),
        });
    }
    if stage.rotting_days.is_some_and(|d| d < 1) {
        errors.push(FieldError {
            field: path("rottingDays"),
            code: code::BAD_USER_INPUT,
            message: "must be at least 1".to_owned(),
        });
    }
    name
}

async fn insert_stage(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    pipeline_id: Uuid,
    name: String,
    stage: &NewStage,
    position: i32,
) -> Result<stage::Model> {
    let now = Utc::now();
    Ok(stage::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(viewer.workspace.0),
        pipeline_id: Set(pipeline_id),
        name: Set(name),
        position: Set(position),
        probability: Set(i16::try_from(stage.probability).unwrap_or(0)),
        rotting_days: Set(stage.rotting_days),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        archived_at: Set(None),
    }
    .insert(db)
    .await?)
}

/// Creates a pipeline with its stages in order.
pub async fn create_pipeline(
    db: &DatabaseConnection,
    viewer: &Viewer,
    name: &str,
    stages: Vec<NewStage>,
) -> Result<pipeline::Model> {
    viewer.require(Area::Pipelines, Action::Write)?;
    let mut errors = Vec::new();
    let name = required_text("name", name, 100, &mut errors);
    if stages.is_empty() {
        errors.push(FieldError::invalid(
            "stages",
            "a pipeline needs at least one stage",
        ));
    }
    let names: Vec<String> = stages
        .iter()
        .enumerate()
        .map(|(i, s)| check_stage(Some(i), s, &mut errors))
        .collect();
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let position = pipeline::Entity::find_in(viewer.workspace)
        .count(db)
        .await?;
    let now = Utc::now();
    let txn = crate::db::begin(db).await?;
    let pipeline = pipeline::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(viewer.workspace.0),
        name: Set(name),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        archived_at: Set(None),
    }
    .insert(&txn)
    .await?;
    for (i, (stage, name)) in stages.iter().zip(names).enumerate() {
        insert_stage(&txn, viewer, pipeline.id, name, stage, i as i32).await?;
    }
    events::record(
        &txn,
        viewer.workspace,
        viewer.actor(),
        Event {
            event_type: "pipeline.created",
            entity_type: "pipeline",
            entity_id: pipeline.id,
            payload: json!({ "after": { "name": pipeline.name, "stages": stages.len() } }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(pipeline)
}

/// Renames a pipeline at `version`.
pub async fn rename_pipeline(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    name: &str,
) -> Result<pipeline::Model> {
    viewer.require(Area::Pipelines, Action::Write)?;
    let current = find::<pipeline::Entity>(db, viewer, id, "pipeline").await?;
    let mut errors = Vec::new();
    let name = required_text("name", name, 100, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if current.version != version {
        return Err(stale("pipeline"));
    }
    let mut model: pipeline::ActiveModel = current.clone().into();
    model.name = Set(name);
    model.version = Set(version + 1);
    model.updated_at = Set(Utc::now());
    let txn = crate::db::begin(db).await?;
    let updated = save_versioned(
        &txn,
        viewer,
        id,
        version,
        model,
        pipeline::Column::Version,
        "pipeline",
    )
    .await?;
    events::record(&txn, viewer.workspace, viewer.actor(), Event {
        event_type: "pipeline.renamed",
        entity_type: "pipeline",
        entity_id: id,
        payload: json!({ "before": { "name": current.name }, "after": { "name": updated.name } }),
    })
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Adds a stage at the end of a pipeline.
pub async fn add_stage(
    db: &DatabaseConnection,
    viewer: &Viewer,
    pipeline_id: Uuid,
    stage: NewStage,
) -> Result<stage::Model> {
    viewer.require(Area::Pipelines, Action::Write)?;
    find::<pipeline::Entity>(db, viewer, pipeline_id, "pipeline").await?;
    let mut errors = Vec::new();
    let name = check_stage(None, &stage, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let txn = crate::db::begin(db).await?;
    let count = stages(&txn, viewer, pipeline_id).await?.len();
    let created = insert_stage(&txn, viewer, pipeline_id, name, &stage, count as i32).await?;
    events::record(&txn, viewer.workspace, viewer.actor(), Event {
        event_type: "stage.created",
        entity_type: "stage",
        entity_id: created.id,
        payload: json!({ "after": { "name": created.name, "pipelineId": pipeline_id, "probability": created.probability } }),
    })
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// What `updateStage` changes.
pub struct StageChanges {
    /// New name.
    pub name: Option<String>,
    /// New win probability.
    pub probability: Option<i32>,
    /// New rotting threshold; `Some(None)` clears it.
    pub rotting_days: Option<Option<i32>>,
}

/// Renames a stage or sets its probability or rotting threshold, at `version`.
pub async fn update_stage(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    changes: StageChanges,
) -> Result<stage::Model> {
    viewer.require(Area::Pipelines, Action::Write)?;
    let current = find::<stage::Entity>(db, viewer, id, "stage").await?;
    let probe = NewStage {
        name: changes.name.clone().unwrap_or_else(|| current.name.clone()),
        probability: changes
            .probability
            .unwrap_or(i32::from(current.probability)),
        rotting_days: changes.rotting_days.unwrap_or(current.rotting_days),
    };
    let mut errors = Vec::new();
    let name = check_stage(None, &probe, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    if current.version != version {
        return Err(stale("stage"));
    }
    let mut model: stage::ActiveModel = current.clone().into();
    model.name = Set(name);
    model.probability = Set(i16::try_from(probe.probability).unwrap_or(0));
    model.rotting_days = Set(probe.rotting_days);
    model.version = Set(version + 1);
    model.updated_at = Set(Utc::now());
    let txn = crate::db::begin(db).await?;
    let updated = save_versioned(
        &txn,
        viewer,
        id,
        version,
        model,
        stage::Column::Version,
        "stage",
    )
    .await?;
    events::record(&txn, viewer.workspace, viewer.actor(), Event {
        event_type: "stage.updated",
        entity_type: "stage",
        entity_id: id,
        payload: json!({
            "before": { "name": current.name, "probability": current.probability, "rottingDays": current.rotting_days },
            "after": { "name": updated.name, "probability": updated.probability, "rottingDays": updated.rotting_days },
        }),
    })
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// The live (not archived) stages of a pipeline of the viewer's workspace,
/// in board order; none when the pipeline is not there.
pub async fn stages(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    pipeline_id: Uuid,
) -> Result<Vec<stage::Model>> {
    Ok(stage::Entity::find_in(viewer.workspace)
        .filter(stage::Column::PipelineId.eq(pipeline_id))
        .filter(stage::Column::ArchivedAt.is_null())
        .order_by_asc(stage::Column::Position)
        .all(db)
        .await?)
}

/// Puts a pipeline's stages in the given order (every stage exactly once).
pub async fn reorder_stages(
    db: &DatabaseConnection,
    viewer: &Viewer,
    pipeline_id: Uuid,
    order: &[Uuid],
) -> Result<Vec<stage::Model>> {
    viewer.require(Area::Pipelines, Action::Write)?;
    find::<pipeline::Entity>(db, viewer, pipeline_id, "pipeline").await?;
    let txn = crate::db::begin(db).await?;
    let current = stages(&txn, viewer, pipeline_id).await?;
    let mut expected: Vec<Uuid> = current.iter().map(|s| s.id).collect();
    let mut given = order.to_vec();
    expected.sort();
    given.sort();
    if expected != given {
        return Err(Error::field(FieldError::invalid(
            "stageIds",
            "list every stage of the pipeline exactly once",
        )));
    }
    for (position, id) in order.iter().enumerate() {
        stage::Entity::update_many_in(viewer.workspace)
            .col_expr(stage::Column::Position, Expr::value(position as i32))
            .col_expr(
                stage::Column::Version,
                Expr::col(stage::Column::Version).add(1),
            )
            .filter(stage::Column::Id.eq(*id))
            .exec(&txn)
            .await?;
    }
    events::record(&txn, viewer.workspace, viewer.actor(), Event {
        event_type: "pipeline.stages_reordered",
        entity_type: "pipeline",
        entity_id: pipeline_id,
        payload: json!({ "before": current.iter().map(|s| s.id).collect::<Vec<_>>(), "after": order }),
    })
    .await?;
    let reordered = stages(&txn, viewer, pipeline_id).await?;
    txn.commit().await?;
    Ok(reordered)
}

/// Deletes a stage, first moving its deals (open or closed) to `move_to`, a
/// stage of the same pipeline; each open deal's move is recorded as a stage
/// change.
pub async fn delete_stage(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    move_to: Uuid,
) -> Result<Vec<stage::Model>> {
    viewer.require(Area::Pipelines, Action::Write)?;
    let doomed = find::<stage::Entity>(db, viewer, id, "stage").await?;
    let target = stage::Entity::find_by_id_in(viewer.workspace, move_to)
        .one(db)
        .await?;
    match &target {
        Some(t)
            if t.pipeline_id == doomed.pipeline_id
                && t.id != doomed.id
                && t.archived_at.is_none() => {}
        _ => {
            return Err(Error::field(FieldError::invalid(
                "moveDealsTo",
                "must be another stage of the same pipeline",
            )));
        }
    }
    let now = Utc::now();
    let txn = crate::db::begin(db).await?;
    let moving = deal::Entity::find_in(viewer.workspace)
        .filter(deal::Column::StageId.eq(id))
        .all(&txn)
        .await?;
    for deal in &moving {
        entity::deal_stage_change::ActiveModel {
            id: Set(ids::new_id()),
            workspace_id: Set(viewer.workspace.0),
            deal_id: Set(deal.id),
            pipeline_id: Set(deal.pipeline_id),
            from_stage_id: Set(Some(id)),
            to_stage_id: Set(move_to),
            changed_by: Set(viewer.user_id()),
            changed_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    deal::Entity::update_many_in(viewer.workspace)
        .col_expr(deal::Column::StageId, Expr::value(move_to))
        .col_expr(deal::Column::StageEnteredAt, Expr::value(now))
        .col_expr(
            deal::Column::Version,
            Expr::col(deal::Column::Version).add(1),
        )
        .filter(deal::Column::StageId.eq(id))
        .exec(&txn)
        .await?;
    // History keeps pointing at the stage, so it is archived, not dropped.
    stage::Entity::update_many_in(viewer.workspace)
        .col_expr(stage::Column::ArchivedAt, Expr::value(now))
        .filter(stage::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    events::record(&txn, viewer.workspace, viewer.actor(), Event {
        event_type: "stage.deleted",
        entity_type: "stage",
        entity_id: id,
        payload: json!({ "before": { "name": doomed.name }, "movedDealsTo": move_to, "movedDeals": moving.len() }),
    })
    .await?;
    let remaining = stages(&txn, viewer, doomed.pipeline_id).await?;
    txn.commit().await?;
    Ok(remaining)
}
