//! Deal metrics: win rate, deal size, sales cycle, velocity, the revenue
//! series, the forecast, the leaderboard and goal progress.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{Filter, share, sql::Sql, workspace_of};
use crate::{
    domain::access::Viewer,
    error::{Error, Result},
};

/// Deals closed in the period: the win rate, the average won deal, the sales
/// cycle and the sales velocity.
#[derive(Clone, Debug, PartialEq)]
pub struct Sales {
    /// The currency of the money figures.
    pub currency: String,
    /// Deals won in the period (`closed_at` in the range).
    pub won: i64,
    /// Deals lost in the period.
    pub lost: i64,
    /// Value won (minor units).
    pub won_value: i64,
    /// won / (won + lost).
    pub win_rate: Option<f64>,
    /// won value / won deals (minor units, rounded down).
    pub average_won_value: Option<i64>,
    /// Median days from creation to won.
    pub median_cycle_days: Option<f64>,
    /// Mean days from creation to won.
    pub mean_cycle_days: Option<f64>,
    /// Open deals now (owner, team and pipeline filters apply).
    pub open_deals: i64,
    /// open deals × win rate × average won value / mean cycle days: value
    /// expected to be won per day (minor units).
    pub velocity_per_day: Option<f64>,
}

/// Computes [`Sales`] under `filter` (the range applies to `closed_at`).
pub async fn sales(db: &impl ConnectionTrait, viewer: &Viewer, filter: &Filter) -> Result<Sales> {
    let currency = filter.currency(db, viewer).await?;
    let mut q = Sql::new(db.get_database_backend());
    let deals = filter.deals(&mut q, viewer, "d");
    let currency_p = q.bind(currency.clone());
    let closed = filter.range(&mut q, "d.closed_at");
    let cycle = format!("({} - {})", q.epoch("d.closed_at"), q.epoch("d.created_at"));
    let base = format!("{deals} AND d.currency = {currency_p}");
    let won_cycles = format!(
        "(SELECT {cycle} AS cycle FROM deal d WHERE {base} AND d.status = 'won' {closed}) w"
    );
    let median = format!(
        "SELECT median FROM ({}) m",
        Sql::median("1", "w.cycle", &won_cycles)
    );
    let sql = format!(
        "SELECT \
         CAST(COALESCE(SUM(CASE WHEN d.status = 'won' {closed} THEN 1 ELSE 0 END), 0) AS BIGINT) AS won, \
         CAST(COALESCE(SUM(CASE WHEN d.status = 'lost' {closed} THEN 1 ELSE 0 END), 0) AS BIGINT) AS lost, \
         CAST(COALESCE(SUM(CASE WHEN d.status = 'won' {closed} THEN d.value_amount ELSE 0 END), 0) AS BIGINT) AS won_value, \
         CAST(COALESCE(SUM(CASE WHEN d.status = 'won' {closed} THEN {cycle} ELSE 0 END), 0) AS BIGINT) AS cycle_seconds, \
         CAST(COALESCE(SUM(CASE WHEN d.status = 'open' THEN 1 ELSE 0 END), 0) AS BIGINT) AS open_deals, \
         ({median}) AS median_seconds \
         FROM deal d WHERE {base}",
    );
    let row = q
        .all(db, sql)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("an aggregate returned no row")))?;
    let won: i64 = row.try_get("", "won")?;
    let lost: i64 = row.try_get("", "lost")?;
    let won_value: i64 = row.try_get("", "won_value")?;
    let cycle_seconds: i64 = row.try_get("", "cycle_seconds")?;
    let open_deals: i64 = row.try_get("", "open_deals")?;
    let median_seconds: Option<f64> = row.try_get("", "median_seconds")?;
    let win_rate = share(won, won + lost);
    let average_won_value = (won > 0).then(|| won_value.div_euclid(won));
    let mean_cycle_days = (won > 0).then(|| cycle_seconds as f64 / won as f64 / 86_400.0);
    let velocity_per_day = match (win_rate, average_won_value, mean_cycle_days) {
        (Some(rate), Some(size), Some(days)) if days > 0.0 => {
            Some(open_deals as f64 * rate * size as f64 / days)
        }
        _ => None,
    };
    Ok(Sales {
        currency,
        won,
        lost,
        won_value,
        win_rate,
        average_won_value,
        median_cycle_days: median_seconds.map(|s| s / 86_400.0),
        mean_cycle_days,
        open_deals,
        velocity_per_day,
    })
}

/// Bucket size of a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interval {
    /// Calendar days.
    Day,
    /// Weeks starting on Monday.
    Week,
    /// Calendar months.
    Month,
}

/// Most buckets one series may have.
pub const MAX_BUCKETS: usize = 400;

/// One bucket of a series.
#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    /// First day of the bucket, in the workspace's time zone.
    pub start: NaiveDate,
    /// Deals won in it.
    pub deals: i64,
    /// Their value (minor units).
    pub value: i64,
}

/// The local day that starts the bucket containing `day`.
fn bucket_start(day: NaiveDate, interval: Interval) -> NaiveDate {
    match interval {
        Interval::Day => day,
        Interval::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
        Interval::Month => day.with_day(1).unwrap_or(day),
    }
}

fn next_start(start: NaiveDate, interval: Interval) -> NaiveDate {
    match interval {
        Interval::Day => start + Duration::days(1),
        Interval::Week => start + Duration::days(7),
        Interval::Month => start
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(start),
    }
}

/// Local midnight of `day` in `zone`, as UTC.
fn midnight(zone: chrono_tz::Tz, day: NaiveDate) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
}

/// The workspace's time zone (UTC when it names none that is known).
pub async fn zone_of(db: &impl ConnectionTrait, viewer: &Viewer) -> Result<chrono_tz::Tz> {
    Ok(workspace_of(db, viewer)
        .await?
        .time_zone
        .parse()
        .unwrap_or(chrono_tz::UTC))
}

/// Won value per bucket of the workspace's calendar (its time zone), every
/// bucket of the range present, empty ones with zeros. The range defaults to
/// the last 12 months (months), 12 weeks (weeks) or 30 days (days).
pub async fn revenue_series(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: &Filter,
    interval: Interval,
) -> Result<Vec<Bucket>> {
    let zone = zone_of(db, viewer).await?;
    let now = Utc::now();
    let to = filter.to.unwrap_or(now);
    let from = filter.from.unwrap_or_else(|| match interval {
        Interval::Day => to - Duration::days(30),
        Interval::Week => to - Duration::weeks(12),
        Interval::Month => to - Duration::days(365),
    });
    let mut starts = Vec::new();
    let mut start = bucket_start(from.with_timezone(&zone).date_naive(), interval);
    let last = to.with_timezone(&zone).date_naive();
    while start <= last {
        starts.push(start);
        if starts.len() > MAX_BUCKETS {
            return Err(Error::Validation(format!(
                "the range has more than {MAX_BUCKETS} buckets; choose a larger interval"
            )));
        }
        start = next_start(start, interval);
    }
    let currency = filter.currency(db, viewer).await?;
    let mut q = Sql::new(db.get_database_backend());
    let rows: Vec<String> = starts
        .iter()
        .enumerate()
        .map(|(i, day)| {
            let index = q.bind(i as i64);
            let start = q.bind(midnight(zone, *day));
            let end = q.bind(midnight(zone, next_start(*day, interval)));
            format!("({index}, {start}, {end})")
        })
        .collect();
    let deals = Filter {
        from: None,
        to: None,
        ..filter.clone()
    }
    .deals(&mut q, viewer, "d");
    let currency_p = q.bind(currency);
    let sql = format!(
        "SELECT b.column1 AS bucket, COUNT(d.id) AS deals, \
         CAST(COALESCE(SUM(d.value_amount), 0) AS BIGINT) AS value \
         FROM (VALUES {buckets}) AS b \
         LEFT JOIN deal d ON {deals} AND d.currency = {currency_p} AND d.status = 'won' \
         AND d.closed_at >= b.column2 AND d.closed_at < b.column3 \
         GROUP BY b.column1 ORDER BY b.column1",
        buckets = rows.join(", "),
    );
    let mut buckets: Vec<Bucket> = starts
        .iter()
        .map(|start| Bucket {
            start: *start,
            deals: 0,
            value: 0,
        })
        .collect();
    for row in q.all(db, sql).await? {
        let index: i64 = row.try_get("", "bucket")?;
        if let Some(bucket) = usize::try_from(index).ok().and_then(|i| buckets.get_mut(i)) {
            bucket.deals = row.try_get("", "deals")?;
            bucket.value = row.try_get("", "value")?;
        }
    }
    Ok(buckets)
}

/// One month of the forecast.
#[derive(Clone, Debug, PartialEq)]
pub struct ForecastMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Open deals expected to close in it.
    pub open_deals: i64,
    /// Their value (minor units).
    pub pipeline: i64,
    /// Value × stage probability (minor units, rounded).
    pub weighted: i64,
    /// Value × the stage's historical conversion to won (minor units,
    /// rounded); the weighted value where a stage has no closed history.
    pub calibrated: i64,
    /// Value already won in the month (minor units).
    pub won: i64,
    /// Won-value goals of the month (minor units), if any.
    pub goal: Option<i64>,
}

/// The forecast per month of expected close, for the months of the range
/// (default: this month and the next five, workspace time zone).
pub async fn forecast(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: &Filter,
) -> Result<Vec<ForecastMonth>> {
    let zone = zone_of(db, viewer).await?;
    let now = Utc::now().with_timezone(&zone).date_naive();
    let first = bucket_start(
        filter
            .from
            .map_or(now, |f| f.with_timezone(&zone).date_naive()),
        Interval::Month,
    );
    let last = filter.to.map_or_else(
        || {
            first
                .checked_add_months(chrono::Months::new(5))
                .unwrap_or(first)
        },
        |t| t.with_timezone(&zone).date_naive(),
    );
    let mut months = Vec::new();
    let mut start = first;
    while start <= last && months.len() < 36 {
        months.push(start);
        start = next_start(start, Interval::Month);
    }
    let currency = filter.currency(db, viewer).await?;
    let backend = db.get_database_backend();

    // Open pipeline by month of expected close, weighted two ways.
    let mut q = Sql::new(backend);
    let deals = Filter {
        from: None,
        to: None,
        ..filter.clone()
    }
    .deals(&mut q, viewer, "d");
    let history_deals = Filter {
        from: None,
        to: None,
        owner: None,
        team: None,
        ..filter.clone()
    }
    .deals(&mut q, viewer, "hd");
    let currency_p = q.bind(currency.clone());
    let month = q.date_month("d.expected_close_date");
    let sql = format!(
        "WITH history AS ( \
           SELECT c.to_stage_id AS stage_id, COUNT(DISTINCT c.deal_id) AS closed, \
           COUNT(DISTINCT CASE WHEN hd.status = 'won' THEN c.deal_id END) AS won \
           FROM deal_stage_change c JOIN deal hd ON hd.id = c.deal_id AND hd.workspace_id = c.workspace_id \
           WHERE {history_deals} AND hd.status IN ('won', 'lost') GROUP BY c.to_stage_id) \
         SELECT {month} AS month, COUNT(*) AS deals, \
         CAST(SUM(d.value_amount) AS BIGINT) AS pipeline, \
         CAST(SUM(d.value_amount * s.probability) AS BIGINT) AS weighted, \
         CAST(SUM(CASE WHEN h.closed > 0 THEN CAST(d.value_amount AS DOUBLE PRECISION) * h.won / h.closed \
              ELSE d.value_amount * s.probability / 100.0 END) AS DOUBLE PRECISION) AS calibrated \
         FROM deal d JOIN stage s ON s.id = d.stage_id AND s.workspace_id = d.workspace_id \
         LEFT JOIN history h ON h.stage_id = d.stage_id \
         WHERE {deals} AND d.currency = {currency_p} AND d.status = 'open' \
         AND d.expected_close_date IS NOT NULL GROUP BY {month}"
    );
    let mut open: HashMap<String, (i64, i64, i64, f64)> = HashMap::new();
    for row in q.all(db, sql).await? {
        open.insert(
            row.try_get("", "month")?,
            (
                row.try_get("", "deals")?,
                row.try_get("", "pipeline")?,
                row.try_get("", "weighted")?,
                row.try_get("", "calibrated")?,
            ),
        );
    }

    // Already won per month, in the workspace's calendar.
    let series_filter = Filter {
        from: Some(midnight(zone, first)),
        to: Some(
            midnight(
                zone,
                next_start(*months.last().unwrap_or(&first), Interval::Month),
            ) - Duration::seconds(1),
        ),
        currency: Some(currency.clone()),
        ..filter.clone()
    };
    let won = revenue_series(db, viewer, &series_filter, Interval::Month).await?;

    // Won-value goals per month of their start.
    let mut q = Sql::new(backend);
    let ws = q.bind(viewer.workspace.0);
    let currency_p = q.bind(currency.clone());
    let goal_month = q.date_month("g.period_start");
    let mut conditions = format!(
        "g.workspace_id = {ws} AND g.archived_at IS NULL AND g.metric = 'won_value' \
         AND (g.currency IS NULL OR g.currency = {currency_p})"
    );
    if let Some(owner) = filter.owner {
        conditions.push_str(&format!(" AND g.user_id = {}", q.bind(owner)));
    }
    if let Some(team) = filter.team {
        conditions.push_str(&format!(" AND g.team_id = {}", q.bind(team)));
    }
    if let Some(pipeline) = filter.pipeline {
        conditions.push_str(&format!(" AND g.pipeline_id = {}", q.bind(pipeline)));
    }
    let sql = format!(
        "SELECT {goal_month} AS month, CAST(SUM(g.target) AS BIGINT) AS target FROM goal g \
         WHERE {conditions} GROUP BY {goal_month}"
    );
    let mut goals: HashMap<String, i64> = HashMap::new();
    for row in q.all(db, sql).await? {
        goals.insert(row.try_get("", "month")?, row.try_get("", "target")?);
    }

    Ok(months
        .iter()
        .map(|start| {
            let key = start.format("%Y-%m").to_string();
            let (open_deals, pipeline, weighted, calibrated) =
                open.get(&key).copied().unwrap_or((0, 0, 0, 0.0));
            ForecastMonth {
                open_deals,
                pipeline,
                weighted: super::percent_of(weighted),
                calibrated: calibrated.round() as i64,
                won: won
                    .iter()
                    .find(|b| b.start == *start)
                    .map_or(0, |b| b.value),
                goal: goals.get(&key).copied(),
                month: key,
            }
        })
        .collect())
}

/// One owner's results.
#[derive(Clone, Debug, PartialEq)]
pub struct Leader {
    /// The user (`None`: unowned records).
    pub owner: Option<Uuid>,
    /// Value won in the period (minor units).
    pub won_value: i64,
    /// Deals won in the period.
    pub won_deals: i64,
    /// Activities completed in the period.
    pub activities_done: i64,
}

/// Won value, won deals and completed activities per owner in the period,
/// best first (by won value, then won deals, then activities).
pub async fn leaderboard(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: &Filter,
) -> Result<Vec<Leader>> {
    let currency = filter.currency(db, viewer).await?;
    let backend = db.get_database_backend();
    let mut q = Sql::new(backend);
    let deals = filter.deals(&mut q, viewer, "d");
    let closed = filter.range(&mut q, "d.closed_at");
    let currency_p = q.bind(currency);
    let sql = format!(
        "SELECT d.owner_id AS owner, COUNT(*) AS deals, CAST(SUM(d.value_amount) AS BIGINT) AS value \
         FROM deal d WHERE {deals} AND d.status = 'won' AND d.currency = {currency_p}{closed} \
         GROUP BY d.owner_id"
    );
    let mut leaders: HashMap<Option<Uuid>, Leader> = HashMap::new();
    for row in q.all(db, sql).await? {
        let owner: Option<Uuid> = row.try_get("", "owner")?;
        leaders.insert(
            owner,
            Leader {
                owner,
                won_value: row.try_get("", "value")?,
                won_deals: row.try_get("", "deals")?,
                activities_done: 0,
            },
        );
    }
    let mut q = Sql::new(backend);
    let owned = filter.owned(&mut q, viewer, "a", "owner_id");
    let done = filter.range(&mut q, "a.done_at");
    let sql = format!(
        "SELECT a.owner_id AS owner, COUNT(*) AS done FROM activity a \
         WHERE {owned} AND a.archived_at IS NULL AND a.done_at IS NOT NULL{done} GROUP BY a.owner_id"
    );
    for row in q.all(db, sql).await? {
        let owner: Option<Uuid> = row.try_get("", "owner")?;
        leaders
            .entry(owner)
            .or_insert(Leader {
                owner,
                won_value: 0,
                won_deals: 0,
                activities_done: 0,
            })
            .activities_done = row.try_get("", "done")?;
    }
    let mut leaders: Vec<Leader> = leaders.into_values().collect();
    leaders.sort_by(|a, b| {
        (b.won_value, b.won_deals, b.activities_done, a.owner).cmp(&(
            a.won_value,
            a.won_deals,
            a.activities_done,
            b.owner,
        ))
    });
    Ok(leaders)
}

/// One goal's progress.
#[derive(Clone, Debug, PartialEq)]
pub struct GoalProgress {
    /// The goal.
    pub goal: entity::goal::Model,
    /// What counts so far: won value (minor units), won deals, or completed
    /// activities, in the goal's period and scope.
    pub actual: i64,
    /// actual / target.
    pub share: Option<f64>,
}

/// Progress of the workspace's goals (not archived; those overlapping the
/// filter's range when it has one): deals won, or activities completed, in
/// each goal's period (UTC days, end inclusive) by its user, team and
/// pipeline.
pub async fn goal_progress(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: &Filter,
) -> Result<Vec<GoalProgress>> {
    use entity::{TenantScoped, goal};
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let mut goals = goal::Entity::find_in(viewer.workspace)
        .filter(goal::Column::ArchivedAt.is_null())
        .order_by_asc(goal::Column::PeriodStart)
        .order_by_asc(goal::Column::Id);
    if let Some(from) = filter.from {
        goals = goals.filter(goal::Column::PeriodEnd.gte(from.date_naive()));
    }
    if let Some(to) = filter.to {
        goals = goals.filter(goal::Column::PeriodStart.lte(to.date_naive()));
    }
    let goals = goals.all(db).await?;
    let mut q = Sql::new(db.get_database_backend());
    let ws = q.bind(viewer.workspace.0);
    let end = q.day_after("g.period_end");
    let scope = |alias: &str, owner: &str| {
        format!(
            "(g.user_id IS NULL OR {alias}.{owner} = g.user_id) \
             AND (g.team_id IS NULL OR {alias}.{owner} IN \
                  (SELECT u.id FROM app_user u WHERE u.workspace_id = g.workspace_id AND u.team_id = g.team_id))"
        )
    };
    let sql = format!(
        "SELECT g.id AS goal, \
         CAST(COALESCE((SELECT SUM(CASE WHEN g.metric = 'won_value' THEN d.value_amount ELSE 1 END) \
            FROM deal d WHERE d.workspace_id = g.workspace_id AND d.status = 'won' AND d.archived_at IS NULL \
            AND d.closed_at >= g.period_start AND d.closed_at < {end} \
            AND (g.currency IS NULL OR d.currency = g.currency) \
            AND (g.pipeline_id IS NULL OR d.pipeline_id = g.pipeline_id) AND {deal_scope}), 0) AS BIGINT) AS deals, \
         CAST((SELECT COUNT(*) FROM activity a WHERE a.workspace_id = g.workspace_id \
            AND a.archived_at IS NULL AND a.done_at >= g.period_start AND a.done_at < {end} \
            AND {activity_scope}) AS BIGINT) AS activities \
         FROM goal g WHERE g.workspace_id = {ws} AND g.archived_at IS NULL",
        deal_scope = scope("d", "owner_id"),
        activity_scope = scope("a", "owner_id"),
    );
    let mut actuals: HashMap<Uuid, (i64, i64)> = HashMap::new();
    for row in q.all(db, sql).await? {
        actuals.insert(
            row.try_get("", "goal")?,
            (row.try_get("", "deals")?, row.try_get("", "activities")?),
        );
    }
    Ok(goals
        .into_iter()
        .map(|goal| {
            let (deals, activities) = actuals.get(&goal.id).copied().unwrap_or((0, 0));
            let actual = match goal.metric {
                entity::enums::GoalMetric::ActivitiesDone => activities,
                _ => deals,
            };
            GoalProgress {
                share: share(actual, goal.target),
                actual,
                goal,
            }
        })
        .collect())
}
