//! The dashboard's KPI set: pipeline totals, won and lost in the period,
//! win rate, average won deal, sales cycle and velocity, activities due.
//! Two aggregate statements, whatever the data size.

use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;

use super::{Filter, percent_of, share, sql::Sql};
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

    let mut q = Sql::new(db.get_database_backend());
    let (from_p, to_p) = (q.bind(from), q.bind(to));
    let in_period = format!("d.closed_at >= {from_p} AND d.closed_at < {to_p}");
    let cycle = format!("{} - {}", q.epoch("d.closed_at"), q.epoch("d.created_at"));
    let deals = filter.deals(&mut q, viewer, "d");
    let currency_p = q.bind(currency.clone());
    let sql = format!(
        "SELECT \
         CAST(COALESCE(SUM(CASE WHEN d.status = 'open' THEN 1 ELSE 0 END), 0) AS BIGINT) AS open_deals, \
         CAST(COALESCE(SUM(CASE WHEN d.status = 'open' THEN d.value_amount ELSE 0 END), 0) AS BIGINT) AS open_value, \
         CAST(COALESCE(SUM(CASE WHEN d.status = 'open' THEN d.value_amount * s.probability ELSE 0 END), 0) AS BIGINT) AS weighted, \
         CAST(COALESCE(SUM(CASE WHEN d.status = 'won' AND {in_period} THEN 1 ELSE 0 END), 0) AS BIGINT) AS won_deals, \
         CAST(COALESCE(SUM(CASE WHEN d.status = 'won' AND {in_period} THEN d.value_amount ELSE 0 END), 0) AS BIGINT) AS won_value, \
         CAST(COALESCE(SUM(CASE WHEN d.status = 'lost' AND {in_period} THEN 1 ELSE 0 END), 0) AS BIGINT) AS lost_deals, \
         CAST(COALESCE(SUM(CASE WHEN d.status = 'won' AND {in_period} THEN {cycle} ELSE 0 END), 0) AS BIGINT) AS cycle_seconds \
         FROM deal d JOIN stage s ON s.id = d.stage_id AND s.workspace_id = d.workspace_id \
         WHERE {deals} AND d.currency = {currency_p}"
    );
    let row = q.all(db, sql).await?.into_iter().next();
    let get = |name: &str| -> Result<i64> {
        Ok(match &row {
            Some(row) => row.try_get("", name)?,
            None => 0,
        })
    };
    let (open_deals, open_value, weighted) =
        (get("open_deals")?, get("open_value")?, get("weighted")?);
    let (won_deals, won_value, lost_deals) =
        (get("won_deals")?, get("won_value")?, get("lost_deals")?);
    let cycle_seconds = get("cycle_seconds")?;

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

    let win_rate = share(won_deals, won_deals + lost_deals);
    let average_won_value = (won_deals > 0).then(|| won_value / won_deals);
    let sales_cycle_days =
        (won_deals > 0).then(|| cycle_seconds as f64 / won_deals as f64 / 86_400.0);
    let sales_velocity_per_day = match (win_rate, average_won_value, sales_cycle_days) {
        (Some(rate), Some(size), Some(days)) if days > 0.0 => {
            Some(open_deals as f64 * rate * size as f64 / days)
        }
        _ => None,
    };
    Ok(Kpis {
        from,
        to,
        currency,
        open_deals,
        open_value,
        weighted_value: percent_of(weighted),
        won_deals,
        won_value,
        lost_deals,
        win_rate,
        average_won_value,
        sales_cycle_days,
        sales_velocity_per_day,
        activities_overdue: get("overdue")?,
        activities_due_soon: get("due_soon")?,
        activities_done: get("done")?,
    })
}
