//! Funnels: the stage funnel of a pipeline from its stage history, and
//! ordered event funnels over tracked product events.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{Filter, pipeline::stages_of, share, sql::Sql};
use crate::{
    domain::access::Viewer,
    error::{Error, Result},
};

/// One stage of a stage funnel.
#[derive(Clone, Debug, PartialEq)]
pub struct StageStep {
    /// The stage.
    pub stage: entity::stage::Model,
    /// Deals that entered the stage (in the range, when given).
    pub entered: i64,
    /// Of those, deals that later entered a later stage of the pipeline, or
    /// were won.
    pub advanced: i64,
    /// Of those, deals lost without advancing.
    pub dropped: i64,
    /// Of those, deals won (at any later point).
    pub won: i64,
    /// advanced / entered.
    pub conversion_to_next: Option<f64>,
    /// won / entered.
    pub conversion_to_won: Option<f64>,
    /// Median days from entering the stage to the deal's next stage change
    /// (stays that have ended).
    pub median_days_in_stage: Option<f64>,
}

/// The stage funnel of a pipeline from `deal_stage_change`; the range
/// applies to when deals entered each stage, owner and team to the deal.
pub async fn stage_funnel(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    pipeline: Uuid,
    filter: &Filter,
) -> Result<Vec<StageStep>> {
    let stages = stages_of(db, viewer, pipeline).await?;
    let mut q = Sql::new(db.get_database_backend());
    let deals = Filter {
        pipeline: Some(pipeline),
        ..filter.clone()
    }
    .deals(&mut q, viewer, "d");
    let entered = filter.range(&mut q, "c.changed_at");
    // Every entry of a deal into a stage of this pipeline, with the stage's
    // position, the deal's furthest position ever and the next change.
    let entries = format!(
        "SELECT c.deal_id, c.to_stage_id AS stage_id, s.position, c.changed_at, d.status, \
         LEAD(c.changed_at) OVER (PARTITION BY c.deal_id ORDER BY c.changed_at, c.id) AS left_at, \
         MAX(s.position) OVER (PARTITION BY c.deal_id) AS furthest \
         FROM deal_stage_change c \
         JOIN deal d ON d.id = c.deal_id AND d.workspace_id = c.workspace_id \
         JOIN stage s ON s.id = c.to_stage_id AND s.workspace_id = c.workspace_id \
         WHERE {deals} AND c.pipeline_id = d.pipeline_id"
    );
    let stay = format!("({} - {})", q.epoch("e.left_at"), q.epoch("e.changed_at"));
    let median = Sql::median(
        "e.stage_id",
        &stay,
        &format!(
            "({entries}) e WHERE e.left_at IS NOT NULL{}",
            entered.replace("c.changed_at", "e.changed_at")
        ),
    );
    let sql = format!(
        "WITH entries AS ({entries}), \
         per_deal AS (SELECT e.deal_id, e.stage_id, MAX(e.position) AS position, MAX(e.furthest) AS furthest, \
                      MAX(e.status) AS status FROM entries e WHERE 1 = 1{range} GROUP BY e.deal_id, e.stage_id), \
         medians AS ({median}) \
         SELECT p.stage_id AS stage_id, COUNT(*) AS entered, \
         CAST(SUM(CASE WHEN p.furthest > p.position OR p.status = 'won' THEN 1 ELSE 0 END) AS BIGINT) AS advanced, \
         CAST(SUM(CASE WHEN p.furthest <= p.position AND p.status = 'lost' THEN 1 ELSE 0 END) AS BIGINT) AS dropped, \
         CAST(SUM(CASE WHEN p.status = 'won' THEN 1 ELSE 0 END) AS BIGINT) AS won, \
         MAX(m.median) AS median_seconds \
         FROM per_deal p LEFT JOIN medians m ON m.g = p.stage_id GROUP BY p.stage_id",
        range = entered.replace("c.changed_at", "e.changed_at"),
    );
    let mut figures: HashMap<Uuid, (i64, i64, i64, i64, Option<f64>)> = HashMap::new();
    for row in q.all(db, sql).await? {
        figures.insert(
            row.try_get("", "stage_id")?,
            (
                row.try_get("", "entered")?,
                row.try_get("", "advanced")?,
                row.try_get("", "dropped")?,
                row.try_get("", "won")?,
                row.try_get("", "median_seconds")?,
            ),
        );
    }
    Ok(stages
        .into_iter()
        .map(|stage| {
            let (entered, advanced, dropped, won, median) =
                figures.get(&stage.id).copied().unwrap_or_default();
            StageStep {
                stage,
                entered,
                advanced,
                dropped,
                won,
                conversion_to_next: share(advanced, entered),
                conversion_to_won: share(won, entered),
                median_days_in_stage: median.map(|s| s / 86_400.0),
            }
        })
        .collect())
}

/// Most steps of an event funnel.
pub const MAX_STEPS: usize = 10;

/// One step of an event funnel.
#[derive(Clone, Debug, PartialEq)]
pub struct EventStep {
    /// The event name.
    pub name: String,
    /// Contacts that reached this step in order within the window.
    pub reached: i64,
    /// reached / reached the previous step.
    pub conversion_from_previous: Option<f64>,
    /// reached / reached the first step.
    pub conversion_from_start: Option<f64>,
    /// Median seconds from the previous step (`None` for the first).
    pub median_seconds_from_previous: Option<f64>,
}

/// An ordered funnel over `tracked_event`: a contact reaches step 1 with
/// its first event named `steps[0]` in the range, and step k with the first
/// event named `steps[k]` at or after its step k−1, within `window_seconds`
/// of its step 1.
pub async fn event_funnel(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    steps: &[String],
    window_seconds: i64,
    filter: &Filter,
) -> Result<Vec<EventStep>> {
    if steps.is_empty() || steps.len() > MAX_STEPS {
        return Err(Error::Validation(format!(
            "an event funnel has 1 to {MAX_STEPS} steps"
        )));
    }
    if window_seconds <= 0 {
        return Err(Error::Validation("the window must be positive".to_owned()));
    }
    let mut q = Sql::new(db.get_database_backend());
    let ws = q.bind(viewer.workspace.0);
    let window = q.bind(window_seconds);
    let range = filter.range(&mut q, "e.occurred_at");
    let mut ctes = Vec::new();
    for (k, step) in steps.iter().enumerate() {
        let name = q.bind(step.clone());
        let cte = if k == 0 {
            format!(
                "s0 AS (SELECT e.contact_id, MIN(e.occurred_at) AS t, MIN(e.occurred_at) AS t0 \
                 FROM tracked_event e WHERE e.workspace_id = {ws} AND e.contact_id IS NOT NULL \
                 AND e.name = {name}{range} GROUP BY e.contact_id)"
            )
        } else {
            let previous = format!("s{}", k - 1);
            format!(
                "s{k} AS (SELECT e.contact_id, MIN(e.occurred_at) AS t, MIN(p.t0) AS t0 \
                 FROM tracked_event e JOIN {previous} p ON p.contact_id = e.contact_id \
                 WHERE e.workspace_id = {ws} AND e.name = {name} AND e.occurred_at >= p.t \
                 AND {e_at} <= {p_t0} + {window} GROUP BY e.contact_id)",
                e_at = q.epoch("e.occurred_at"),
                p_t0 = q.epoch("p.t0"),
            )
        };
        ctes.push(cte);
    }
    let mut selects = Vec::new();
    for k in 0..steps.len() {
        let median = if k == 0 {
            "NULL".to_owned()
        } else {
            let gap = format!("({} - {})", q.epoch("c.t"), q.epoch("p.t"));
            format!(
                "(SELECT median FROM ({}) m)",
                Sql::median(
                    "1",
                    &gap,
                    &format!("s{k} c JOIN s{} p ON p.contact_id = c.contact_id", k - 1)
                )
            )
        };
        selects.push(format!(
            "SELECT CAST({k} AS BIGINT) AS step, (SELECT COUNT(*) FROM s{k}) AS reached, \
             CAST({median} AS DOUBLE PRECISION) AS median_seconds"
        ));
    }
    let sql = format!(
        "WITH {} {} ORDER BY step",
        ctes.join(", "),
        selects.join(" UNION ALL ")
    );
    let mut reached = vec![0i64; steps.len()];
    let mut medians = vec![None; steps.len()];
    for row in q.all(db, sql).await? {
        let step: i64 = row.try_get("", "step")?;
        if let Ok(step) = usize::try_from(step)
            && step < steps.len()
        {
            reached[step] = row.try_get("", "reached")?;
            medians[step] = row.try_get("", "median_seconds")?;
        }
    }
    Ok(steps
        .iter()
        .enumerate()
        .map(|(k, name)| EventStep {
            name: name.clone(),
            reached: reached[k],
            conversion_from_previous: if k == 0 {
                None
            } else {
                share(reached[k], reached[k - 1])
            },
            conversion_from_start: share(reached[k], reached[0]),
            median_seconds_from_previous: medians[k],
        })
        .collect())
}
