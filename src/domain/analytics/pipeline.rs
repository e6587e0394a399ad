//! The pipeline's current state per stage: the pipeline summary and the
//! live board's columns.

use std::collections::HashMap;

use chrono::Utc;
use entity::{TenantScoped, deal, pipeline, stage};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{Filter, percent_of, sql::Sql};
use crate::{
    domain::{
        access::Viewer,
        crm::read::{Totals, top_per_parent},
    },
    error::{Error, Result},
};

/// One stage's open deals.
#[derive(Clone, Debug)]
pub struct StageSummary {
    /// The stage.
    pub stage: stage::Model,
    /// Open deals in it.
    pub deals: i64,
    /// Their value, per currency (minor units).
    pub value: Totals,
    /// Their value times the stage's probability, per currency (minor
    /// units, rounded).
    pub weighted: Totals,
    /// Mean days since the deals were created.
    pub average_age_days: Option<f64>,
    /// Mean days since the deals entered this stage.
    pub average_days_in_stage: Option<f64>,
    /// Deals idle in the stage longer than its rotting days.
    pub rotting: i64,
}

/// The stages of `pipeline` in order, each with its open deals' figures
/// (owner and team filters apply; dates do not: this is the current state).
pub async fn summary(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    pipeline_id: Uuid,
    filter: &Filter,
) -> Result<Vec<StageSummary>> {
    let stages = stages_of(db, viewer, pipeline_id).await?;
    let mut q = Sql::new(db.get_database_backend());
    let now = q.bind(Utc::now().timestamp());
    let entered = q.epoch("d.stage_entered_at");
    let created = q.epoch("d.created_at");
    let deals = Filter {
        pipeline: Some(pipeline_id),
        ..filter.clone()
    }
    .deals(&mut q, viewer, "d");
    let sql = format!(
        "SELECT d.stage_id AS stage_id, d.currency AS currency, COUNT(*) AS deals, \
         CAST(SUM(d.value_amount) AS BIGINT) AS value, \
         CAST(SUM(d.value_amount * s.probability) AS BIGINT) AS weighted, \
         CAST(SUM({now} - {created}) AS BIGINT) AS age_seconds, \
         CAST(SUM({now} - {entered}) AS BIGINT) AS stage_seconds, \
         CAST(SUM(CASE WHEN s.rotting_days IS NOT NULL \
              AND {now} - {entered} > s.rotting_days * 86400 THEN 1 ELSE 0 END) AS BIGINT) AS rotting \
         FROM deal d JOIN stage s ON s.id = d.stage_id AND s.workspace_id = d.workspace_id \
         WHERE {deals} AND d.status = 'open' \
         GROUP BY d.stage_id, d.currency ORDER BY d.stage_id, d.currency"
    );
    let mut figures: HashMap<Uuid, StageSummary> = stages
        .iter()
        .map(|s| {
            (
                s.id,
                StageSummary {
                    stage: s.clone(),
                    deals: 0,
                    value: Vec::new(),
                    weighted: Vec::new(),
                    average_age_days: None,
                    average_days_in_stage: None,
                    rotting: 0,
                },
            )
        })
        .collect();
    let mut seconds: HashMap<Uuid, (i64, i64)> = HashMap::new();
    for row in q.all(db, sql).await? {
        let stage: Uuid = row.try_get("", "stage_id")?;
        let Some(entry) = figures.get_mut(&stage) else {
            continue;
        };
        let currency: String = row.try_get("", "currency")?;
        let deals: i64 = row.try_get("", "deals")?;
        entry.deals += deals;
        entry
            .value
            .push((currency.clone(), row.try_get("", "value")?));
        let weighted: i64 = row.try_get("", "weighted")?;
        entry.weighted.push((currency, percent_of(weighted)));
        entry.rotting += row.try_get::<i64>("", "rotting")?;
        let sums = seconds.entry(stage).or_default();
        sums.0 += row.try_get::<i64>("", "age_seconds")?;
        sums.1 += row.try_get::<i64>("", "stage_seconds")?;
    }
    Ok(stages
        .iter()
        .filter_map(|s| figures.remove(&s.id))
        .map(|mut entry| {
            if let Some((age, in_stage)) = seconds.get(&entry.stage.id)
                && entry.deals > 0
            {
                let days = |total: i64| total as f64 / entry.deals as f64 / 86_400.0;
                entry.average_age_days = Some(days(*age));
                entry.average_days_in_stage = Some(days(*in_stage));
            }
            entry
        })
        .collect())
}

/// The live board of a pipeline: every stage's figures and its first
/// cards in board order.
#[derive(Clone, Debug)]
pub struct Board {
    /// The pipeline.
    pub pipeline: pipeline::Model,
    /// The columns in stage order.
    pub columns: Vec<Column>,
    /// When it was computed.
    pub computed_at: chrono::DateTime<Utc>,
}

/// One column of a board.
#[derive(Clone, Debug)]
pub struct Column {
    /// The stage and its figures.
    pub summary: StageSummary,
    /// The first open deals in board order.
    pub cards: Vec<deal::Model>,
}

/// Computes the board of `pipeline_id` with up to `cards` cards per column.
pub async fn board(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    pipeline_id: Uuid,
    cards: u64,
) -> Result<Board> {
    let pipeline = pipeline::Entity::find_by_id_in(viewer.workspace, pipeline_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("pipeline"))?;
    let summaries = summary(db, viewer, pipeline_id, &Filter::default()).await?;
    let stage_ids: Vec<Uuid> = summaries.iter().map(|s| s.stage.id).collect();
    let mut decks = top_per_parent::<deal::Model>(
        db,
        viewer.workspace,
        "deal",
        "stage_id",
        &stage_ids,
        "t.position ASC, t.id ASC",
        "AND t.archived_at IS NULL AND t.status = 'open'",
        cards,
    )
    .await?;
    Ok(Board {
        pipeline,
        columns: summaries
            .into_iter()
            .map(|summary| Column {
                cards: decks.remove(&summary.stage.id).unwrap_or_default(),
                summary,
            })
            .collect(),
        computed_at: Utc::now(),
    })
}

/// The stages of a pipeline of the viewer's workspace, in order.
pub async fn stages_of(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    pipeline_id: Uuid,
) -> Result<Vec<stage::Model>> {
    let stages = crate::domain::crm::pipelines::stages(db, viewer, pipeline_id).await?;
    if stages.is_empty() {
        return Err(Error::NotFound("pipeline"));
    }
    Ok(stages)
}
