//! The dashboard's KPI set: pipeline totals, won and lost in the period,
//! win rate, average won deal, sales cycle and velocity, activities due.
//! Three aggregate statements (the `sales` metric, open totals,
//! activities), whatever the data size.

use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;

use super::{Filter, deals, percent_of, sql::Sql};
use crate::{domain::access::Viewer, error::Result};

/// The period a dashboard covers when the filter gives none: the last 30 days.
pub const DEFAULT_PERIOD_DAYS: i64 = 30;

/// The KPI set.
#[derive(Clone, Debug, PartialEq)]
pub struct Kpis {
    /// Start of the period (inclusive).
    pub from: DateTime<Utc>,
    /// End of the period (exclusive).
    pub to: DateTime<Utc>,
    /// The currency of the money figures.
    pub currency: String,
    /// Open deals now.
    pub open_deals: i64,
    /// Their value (minor units).
    pub open_value: i64,
    /// Their value weighted by stage probability (minor units).
    pub weighted_value: i64,
    /// Deals won in the period.
    pub won_deals: i64,
    /// Their value (minor units).
    pub won_value: i64,
    /// Deals lost in the period.
    pub lost_deals: i64,
    /// Won / (won + lost) in the period.
    pub win_rate: Option<f64>,
    /// Won value / won deals in the period (minor units).
    pub average_won_value: Option<i64>,
    /// Mean days from creation to won, over deals won in the period.
    pub sales_cycle_days: Option<f64>,
    /// Open deals × win rate × average won value / sales cycle: expected
    /// won value per day (minor units).
    pub sales_velocity_per_day: Option<f64>,
    /// Open activities past their due time.
    pub activities_overdue: i64,
    /// Open activities due in the next 24 hours.
    pub activities_due_soon: i64,
    /// Activities completed in the period.
    pub activities_done: i64,
}

/// The period of `filter`, defaulting to the last 30 days up to `now`.
pub fn period(filter: &Filter, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let to = filter.to.unwrap_or(now);
    let from = filter
        .from
        .unwrap_or(to - Duration::days(DEFAULT_PERIOD_DAYS));
    (from, to)
}

/// Computes the KPI set of the viewer's workspace under `filter`.
pub async fn compute(db: &impl ConnectionTrait, viewer: &Viewer, filter: &Filter) -> Result<Kpis> {
    let now = Utc::now();
    let (from, to) = period(filter, now);
    let currency = filter.currency(db, viewer).await?;

    // Won, lost, win rate, deal size, cycle and velocity: the `sales`
    // metric over the period.
    let sales = deals::sales(
        db,
        viewer,
        &Filter {
            from: Some(from),
            to: Some(to),
            currency: Some(currency.clone()),
            ..filter.clone()
        },
    )
    .await?;

    let mut q = Sql::new(db.get_database_backend());
    let deals = filter.deals(&mut q, viewer, "d");
    let currency_p = q.bind(currency.clone());
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(d.value_amount), 0) AS BIGINT) AS open_value, \
         CAST(COALESCE(SUM(d.value_amount * s.probability), 0) AS BIGINT) AS weighted \
         FROM deal d JOIN stage s ON s.id = d.stage_id AND s.workspace_id = d.workspace_id \
         WHERE {deals} AND d.currency = {currency_p} AND d.status = 'open'"
    );
    let row = q.all(db, sql).await?.into_iter().next();
    let (open_value, weighted): (i64, i64) = match &row {
        Some(row) => (row.try_get("", "open_value")?, row.try_get("", "weighted")?),
        None => (0, 0),
    };

    let mut q = Sql::new(db.get_database_backend());
    let (now_p, soon_p) = (q.bind(now), q.bind(now + Duration::hours(24)));
    let (from_p, to_p) = (q.bind(from), q.bind(to));
    let owned = Filter {
        pipeline: None,
        ..filter.clone()
    }
    .owned(&mut q, viewer, "a", "owner_id");
    let sql = format!(
        "SELECT \
         CAST(COALESCE(SUM(CASE WHEN a.done_at IS NULL AND a.due_at < {now_p} THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue, \
         CAST(COALESCE(SUM(CASE WHEN a.done_at IS NULL AND a.due_at >= {now_p} AND a.due_at < {soon_p} THEN 1 ELSE 0 END), 0) AS BIGINT) AS due_soon, \
         CAST(COALESCE(SUM(CASE WHEN a.done_at >= {from_p} AND a.done_at < {to_p} THEN 1 ELSE 0 END), 0) AS BIGINT) AS done \
         FROM activity a WHERE {owned} AND a.archived_at IS NULL"
    );
    let row = q.all(db, sql).await?.into_iter().next();
    let get = |name: &str| -> Result<i64> {
        Ok(match &row {
            Some(row) => row.try_get("", name)?,
            None => 0,
        })
    };

    Ok(Kpis {
        from,
        to,
        currency,
        open_deals: sales.open_deals,
        open_value,
        weighted_value: percent_of(weighted),
        won_deals: sales.won,
        won_value: sales.won_value,
        lost_deals: sales.lost,
        win_rate: sales.win_rate,
        average_won_value: sales.average_won_value,
        sales_cycle_days: sales.mean_cycle_days,
        sales_velocity_per_day: sales.velocity_per_day,
        activities_overdue: get("overdue")?,
        activities_due_soon: get("due_soon")?,
        activities_done: get("done")?,
    })
}
