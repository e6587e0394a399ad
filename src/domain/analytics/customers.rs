//! Customer metrics: activity statistics, channel performance with first-
//! and last-touch attribution, cohort retention and RFM segments.

use std::collections::BTreeMap;

use chrono::Utc;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{Filter, share, sql::Sql};
use crate::{domain::access::Viewer, error::Result};

/// Activities of one owner and kind.
#[derive(Clone, Debug, PartialEq)]
pub struct ActivityRow {
    /// The owner (`None`: unassigned).
    pub owner: Option<Uuid>,
    /// The kind, e.g. `call`.
    pub kind: String,
    /// Activities (due in the range, when given).
    pub scheduled: i64,
    /// Of those, done.
    pub done: i64,
    /// Of those, not done and past due now.
    pub overdue: i64,
}

/// Scheduled, done and overdue activities per owner and kind; the range
/// applies to the due time.
pub async fn activity_stats(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: &Filter,
) -> Result<Vec<ActivityRow>> {
    let mut q = Sql::new(db.get_database_backend());
    let owned = filter.owned(&mut q, viewer, "a", "owner_id");
    let due = filter.range(&mut q, "a.due_at");
    let now = q.bind(Utc::now());
    let sql = format!(
        "SELECT a.owner_id AS owner, a.kind AS kind, COUNT(*) AS scheduled, \
         CAST(SUM(CASE WHEN a.done_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS done, \
         CAST(SUM(CASE WHEN a.done_at IS NULL AND a.due_at < {now} THEN 1 ELSE 0 END) AS BIGINT) AS overdue \
         FROM activity a WHERE {owned} AND a.archived_at IS NULL{due} \
         GROUP BY a.owner_id, a.kind ORDER BY a.owner_id, a.kind"
    );
    q.all(db, sql)
        .await?
        .into_iter()
        .map(|row| {
            Ok(ActivityRow {
                owner: row.try_get("", "owner")?,
                kind: row.try_get("", "kind")?,
                scheduled: row.try_get("", "scheduled")?,
                done: row.try_get("", "done")?,
                overdue: row.try_get("", "overdue")?,
            })
        })
        .collect()
}

/// One channel's performance.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChannelRow {
    /// The channel, e.g. `email`.
    pub channel: String,
    /// Interactions on it (in the range).
    pub interactions: i64,
    /// Leads from it (created in the range).
    pub leads: i64,
    /// Deals (created in the range) whose contact's first interaction
    /// before the deal was on this channel.
    pub first_touch_deals: i64,
    /// Value won of those deals (minor units).
    pub first_touch_won_value: i64,
    /// Deals whose contact's last interaction before the deal was on it.
    pub last_touch_deals: i64,
    /// Value won of those deals (minor units).
    pub last_touch_won_value: i64,
}

/// Interactions, leads, and deals with their won value by first- and
/// last-touch attribution, per channel.
pub async fn channel_performance(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: &Filter,
) -> Result<Vec<ChannelRow>> {
    let backend = db.get_database_backend();
    let mut rows: BTreeMap<String, ChannelRow> = BTreeMap::new();

    let mut q = Sql::new(backend);
    let owned = filter.owned(&mut q, viewer, "i", "user_id");
    let range = filter.range(&mut q, "i.occurred_at");
    let sql = format!(
        "SELECT i.channel AS channel, COUNT(*) AS n FROM interaction i WHERE {owned}{range} GROUP BY i.channel"
    );
    let interactions = q.all(db, sql).await?;

    let mut q = Sql::new(backend);
    let owned = filter.owned(&mut q, viewer, "l", "owner_id");
    let range = filter.range(&mut q, "l.created_at");
    let sql = format!(
        "SELECT l.channel AS channel, COUNT(*) AS n FROM lead l \
         WHERE {owned} AND l.archived_at IS NULL AND l.channel IS NOT NULL{range} GROUP BY l.channel"
    );
    let leads = q.all(db, sql).await?;

    let currency = filter.currency(db, viewer).await?;
    let mut q = Sql::new(backend);
    let deals = filter.deals(&mut q, viewer, "d");
    let range = filter.range(&mut q, "d.created_at");
    let currency_p = q.bind(currency);
    let sql = format!(
        "WITH touches AS ( \
           SELECT d.id AS deal_id, d.status, d.value_amount, i.channel, \
           ROW_NUMBER() OVER (PARTITION BY d.id ORDER BY i.occurred_at ASC, i.id ASC) AS first_rank, \
           ROW_NUMBER() OVER (PARTITION BY d.id ORDER BY i.occurred_at DESC, i.id DESC) AS last_rank \
           FROM deal d JOIN interaction i ON i.workspace_id = d.workspace_id AND i.contact_id = d.contact_id \
           AND i.occurred_at <= d.created_at \
           WHERE {deals} AND d.currency = {currency_p}{range}) \
         SELECT channel, \
         CAST(SUM(CASE WHEN first_rank = 1 THEN 1 ELSE 0 END) AS BIGINT) AS first_deals, \
         CAST(SUM(CASE WHEN first_rank = 1 AND status = 'won' THEN value_amount ELSE 0 END) AS BIGINT) AS first_won, \
         CAST(SUM(CASE WHEN last_rank = 1 THEN 1 ELSE 0 END) AS BIGINT) AS last_deals, \
         CAST(SUM(CASE WHEN last_rank = 1 AND status = 'won' THEN value_amount ELSE 0 END) AS BIGINT) AS last_won \
         FROM touches WHERE first_rank = 1 OR last_rank = 1 GROUP BY channel"
    );
    let attributed = q.all(db, sql).await?;

    fn get(rows: &mut BTreeMap<String, ChannelRow>, channel: String) -> &mut ChannelRow {
        rows.entry(channel.clone()).or_insert_with(|| ChannelRow {
            channel,
            ..ChannelRow::default()
        })
    }
    for row in interactions {
        get(&mut rows, row.try_get("", "channel")?).interactions = row.try_get("", "n")?;
    }
    for row in leads {
        get(&mut rows, row.try_get("", "channel")?).leads = row.try_get("", "n")?;
    }
    for row in attributed {
        let channel = get(&mut rows, row.try_get("", "channel")?);
        channel.first_touch_deals = row.try_get("", "first_deals")?;
        channel.first_touch_won_value = row.try_get("", "first_won")?;
        channel.last_touch_deals = row.try_get("", "last_deals")?;
        channel.last_touch_won_value = row.try_get("", "last_won")?;
    }
    Ok(rows.into_values().collect())
}

/// One cohort: the contacts first seen in a month.
#[derive(Clone, Debug, PartialEq)]
pub struct Cohort {
    /// `YYYY-MM` (UTC) of the contacts' first interaction or tracked event.
    pub month: String,
    /// Contacts in the cohort.
    pub size: i64,
    /// Share of them active (an interaction or tracked event) in the
    /// cohort month + 0, 1, 2, … up to `months` − 1.
    pub retention: Vec<f64>,
}

/// Cohort retention over interactions and tracked events (cohorts whose
/// month is in the range, when given), `months` columns.
pub async fn cohort_retention(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: &Filter,
    months: usize,
) -> Result<Vec<Cohort>> {
    let mut q = Sql::new(db.get_database_backend());
    let ws = q.bind(viewer.workspace.0);
    let interaction_month = q.month_index("i.occurred_at");
    let event_month = q.month_index("t.occurred_at");
    let mut cohort_range = String::new();
    let month_number = |at: chrono::DateTime<Utc>| {
        use chrono::Datelike;
        i64::from(at.year()) * 12 + i64::from(at.month0())
    };
    if let Some(from) = filter.from {
        let from = q.bind(month_number(from));
        cohort_range.push_str(&format!(" AND f.cohort >= {from}"));
    }
    if let Some(to) = filter.to {
        let to = q.bind(month_number(to));
        cohort_range.push_str(&format!(" AND f.cohort <= {to}"));
    }
    let span = q.bind(i64::try_from(months).unwrap_or(12));
    let sql = format!(
        "WITH active AS ( \
           SELECT i.contact_id AS contact_id, {interaction_month} AS m FROM interaction i \
           WHERE i.workspace_id = {ws} AND i.contact_id IS NOT NULL \
           UNION \
           SELECT t.contact_id, {event_month} FROM tracked_event t \
           WHERE t.workspace_id = {ws} AND t.contact_id IS NOT NULL), \
         firsts AS (SELECT contact_id, MIN(m) AS cohort FROM active GROUP BY contact_id) \
         SELECT f.cohort AS cohort, a.m - f.cohort AS month_offset, COUNT(*) AS contacts \
         FROM firsts f JOIN active a ON a.contact_id = f.contact_id \
         WHERE a.m - f.cohort < {span}{cohort_range} \
         GROUP BY f.cohort, a.m - f.cohort ORDER BY f.cohort, month_offset"
    );
    let mut cohorts: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for row in q.all(db, sql).await? {
        let cohort: i64 = row.try_get("", "cohort")?;
        let offset: i64 = row.try_get("", "month_offset")?;
        let contacts: i64 = row.try_get("", "contacts")?;
        let counts = cohorts.entry(cohort).or_insert_with(|| vec![0; months]);
        if let Some(slot) = usize::try_from(offset).ok().and_then(|o| counts.get_mut(o)) {
            *slot = contacts;
        }
    }
    Ok(cohorts
        .into_iter()
        .map(|(cohort, counts)| {
            let size = counts.first().copied().unwrap_or(0);
            Cohort {
                month: format!(
                    "{:04}-{:02}",
                    cohort.div_euclid(12),
                    cohort.rem_euclid(12) + 1
                ),
                size,
                retention: counts
                    .iter()
                    .map(|n| share(*n, size).unwrap_or(0.0))
                    .collect(),
            }
        })
        .collect())
}

/// One RFM segment.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// E.g. `champions`.
    pub name: String,
    /// Contacts in it.
    pub contacts: i64,
    /// Their won value (minor units).
    pub value: i64,
}

/// The segment names, in display order.
pub const SEGMENTS: [&str; 7] = [
    "champions",
    "loyal",
    "potential_loyalists",
    "new_customers",
    "at_risk",
    "hibernating",
    "needs_attention",
];

/// Contacts with won deals (closed in the range) scored 1–5 on recency
/// (days since the last win; 5 is most recent), frequency (won deals) and
/// monetary value (won value) by quintile, mapped to named segments.
pub async fn rfm_segments(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: &Filter,
) -> Result<Vec<Segment>> {
    let currency = filter.currency(db, viewer).await?;
    let mut q = Sql::new(db.get_database_backend());
    let deals = filter.deals(&mut q, viewer, "d");
    let closed = filter.range(&mut q, "d.closed_at");
    let currency_p = q.bind(currency);
    let last_won = q.epoch("MAX(d.closed_at)");
    let sql = format!(
        "WITH customers AS ( \
           SELECT d.contact_id AS contact_id, {last_won} AS last_won, COUNT(*) AS frequency, \
           SUM(d.value_amount) AS monetary FROM deal d \
           WHERE {deals} AND d.status = 'won' AND d.contact_id IS NOT NULL \
           AND d.currency = {currency_p}{closed} GROUP BY d.contact_id), \
         scored AS (SELECT contact_id, monetary, \
           NTILE(5) OVER (ORDER BY last_won, contact_id) AS r, \
           NTILE(5) OVER (ORDER BY frequency, contact_id) AS f, \
           NTILE(5) OVER (ORDER BY monetary, contact_id) AS m FROM customers), \
         named AS (SELECT monetary, CASE \
           WHEN r >= 4 AND f >= 4 AND m >= 4 THEN 'champions' \
           WHEN f >= 4 THEN 'loyal' \
           WHEN r >= 4 AND f >= 2 THEN 'potential_loyalists' \
           WHEN r >= 4 THEN 'new_customers' \
           WHEN r <= 2 AND (f >= 3 OR m >= 3) THEN 'at_risk' \
           WHEN r <= 2 THEN 'hibernating' \
           ELSE 'needs_attention' END AS segment FROM scored) \
         SELECT segment, COUNT(*) AS contacts, CAST(SUM(monetary) AS BIGINT) AS value \
         FROM named GROUP BY segment"
    );
    let mut found: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for row in q.all(db, sql).await? {
        found.insert(
            row.try_get("", "segment")?,
            (row.try_get("", "contacts")?, row.try_get("", "value")?),
        );
    }
    Ok(SEGMENTS
        .iter()
        .map(|name| {
            let (contacts, value) = found.get(*name).copied().unwrap_or((0, 0));
            Segment {
                name: (*name).to_owned(),
                contacts,
                value,
            }
        })
        .collect())
}
