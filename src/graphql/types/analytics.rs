//! The analytics filter shared by the `analytics` queries and the
//! `dashboard` subscription.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    api, gql, id_of,
    pipeline::Stage,
    scalars::{Date, Money},
    settings::Goal,
};
use crate::{
    domain::{
        access::{Action, Viewer},
        analytics::{self, Filter, customers, deals, funnels, pipeline},
        money::CurrencyCode,
    },
    error::Error,
    graphql::{
        ApiContext,
        access::viewer,
        ids::{Kind, decode_as, encode},
    },
};

/// What a metric covers. Every field is optional.
#[derive(InputObject, Clone, Default)]
pub struct AnalyticsFilter {
    /// Start of the date range (inclusive), on each metric's time column.
    pub from: Option<DateTime<Utc>>,
    /// End of the date range (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// Only records owned by this user.
    pub owner_id: Option<ID>,
    /// Only records owned by members of this team.
    pub team_id: Option<ID>,
    /// Only deals of this pipeline.
    pub pipeline_id: Option<ID>,
    /// Currency of the money figures (ISO 4217); the workspace's by default.
    /// Deals in other currencies are left out: no exchange rates apply.
    pub currency: Option<String>,
}

impl AnalyticsFilter {
    /// The domain filter; malformed ids, an unknown currency or an empty
    /// range are the caller's to fix.
    pub fn into_filter(self) -> Result<Filter, Error> {
        let id = |kind: Kind, field: &str, value: Option<ID>| match value {
            None => Ok(None),
            Some(id) => decode_as(kind, &id)
                .map(Some)
                .ok_or_else(|| Error::Validation(format!("filter.{field} is not a valid id"))),
        };
        let currency = match self.currency {
            None => None,
            Some(code) => Some(
                CurrencyCode::parse(&code)
                    .map_err(|_| {
                        Error::Validation(format!(
                            "filter.currency `{code}` is not an ISO 4217 code"
                        ))
                    })?
                    .to_string(),
            ),
        };
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from >= to
        {
            return Err(Error::Validation(
                "filter.from must be before filter.to".to_owned(),
            ));
        }
        Ok(Filter {
            from: self.from,
            to: self.to,
            owner: id(Kind::User, "ownerId", self.owner_id)?,
            team: id(Kind::Team, "teamId", self.team_id)?,
            pipeline: id(Kind::Pipeline, "pipelineId", self.pipeline_id)?,
            currency,
        })
    }
}

/// Bucket size of a series.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum SeriesInterval {
    /// Calendar days.
    Day,
    /// Weeks from Monday.
    Week,
    /// Calendar months.
    Month,
}

impl From<SeriesInterval> for deals::Interval {
    fn from(interval: SeriesInterval) -> Self {
        match interval {
            SeriesInterval::Day => deals::Interval::Day,
            SeriesInterval::Week => deals::Interval::Week,
            SeriesInterval::Month => deals::Interval::Month,
        }
    }
}

/// The analytical CRM: metrics computed in the database over the viewer's
/// workspace. Every metric takes the same optional `filter` (range, owner,
/// team, pipeline, currency); money figures are in one currency (the
/// filter's or the workspace's), deals in others are left out. Needs
/// `analytics:read`. Definitions: `docs/ANALYTICS.md`.
pub struct Analytics;

fn user_id(id: Option<Uuid>) -> Option<ID> {
    id.map(|id| encode(Kind::User, id))
}

async fn prepare<'a>(
    ctx: &Context<'a>,
    filter: Option<AnalyticsFilter>,
) -> async_graphql::Result<(&'a ApiContext, &'a Viewer, Filter)> {
    let viewer = viewer(ctx)?;
    gql(analytics::require(viewer, Action::Read))?;
    let filter = gql(filter.unwrap_or_default().into_filter())?;
    Ok((api(ctx)?, viewer, filter))
}

fn money(minor: i64, currency: &str) -> Money {
    Money::from_minor(minor, currency)
}

/// The analytical CRM: metrics computed in the database over the viewer's
/// workspace, each with an optional filter. Needs `analytics:read`.
#[Object]
impl Analytics {
    /// Per stage of a pipeline, its open deals now: count, value and value ×
    /// stage probability (per currency), mean age since creation and since
    /// entering the stage (days), and rotting deals (idle in the stage
    /// longer than its rotting days). Owner and team filters apply.
    async fn pipeline_summary(
        &self,
        ctx: &Context<'_>,
        pipeline_id: ID,
        filter: Option<AnalyticsFilter>,
    ) -> async_graphql::Result<Vec<StageSummary>> {
        let (api, viewer, filter) = prepare(ctx, filter).await?;
        let pipeline = id_of(Kind::Pipeline, &pipeline_id, "pipeline")?;
        let rows = gql(pipeline::summary(&api.db, viewer, pipeline, &filter).await)?;
        Ok(rows.into_iter().map(StageSummary).collect())
    }

    /// The stage funnel of a pipeline from its stage history: per stage the
    /// deals that entered it (in the range, when given), advanced (later
    /// entered a later stage, or were won), dropped (lost without
    /// advancing) and were won; conversion to the next stage and to won;
    /// median days in the stage over stays that ended.
    async fn stage_funnel(
        &self,
        ctx: &Context<'_>,
        pipeline_id: ID,
        filter: Option<AnalyticsFilter>,
    ) -> async_graphql::Result<Vec<StageFunnelStep>> {
        let (api, viewer, filter) = prepare(ctx, filter).await?;
        let pipeline = id_of(Kind::Pipeline, &pipeline_id, "pipeline")?;
        let rows = gql(funnels::stage_funnel(&api.db, viewer, pipeline, &filter).await)?;
        Ok(rows.into_iter().map(StageFunnelStep).collect())
    }

    /// Deals closed in the range: win rate (won ÷ (won + lost)), average
    /// won deal, sales cycle (median and mean days from creation to won) and
    /// sales velocity ((open deals × win rate × average won value) ÷ mean
    /// cycle days: value expected to be won per day).
    async fn sales(
        &self,
        ctx: &Context<'_>,
        filter: Option<AnalyticsFilter>,
    ) -> async_graphql::Result<SalesMetrics> {
        let (api, viewer, filter) = prepare(ctx, filter).await?;
        Ok(SalesMetrics(gql(
            deals::sales(&api.db, viewer, &filter).await
        )?))
    }

    /// Won value per day, week or month of the workspace's calendar (its
    /// time zone), every bucket of the range present (empty ones as zero).
    /// Default range: the last 30 days, 12 weeks or 12 months.
    async fn revenue_series(
        &self,
        ctx: &Context<'_>,
        interval: SeriesInterval,
        filter: Option<AnalyticsFilter>,
    ) -> async_graphql::Result<Vec<RevenueBucket>> {
        let (api, viewer, filter) = prepare(ctx, filter).await?;
        let currency = gql(filter.currency(&api.db, viewer).await)?;
        let rows = gql(deals::revenue_series(&api.db, viewer, &filter, interval.into()).await)?;
        Ok(rows
            .into_iter()
            .map(|b| RevenueBucket {
                start: Date(b.start),
                deals: b.deals,
                value: money(b.value, &currency),
            })
            .collect())
    }

    /// Per month of expected close (default: this month and the next five):
    /// the open pipeline, weighted by stage probability, calibrated by each
    /// stage's historical conversion to won (share of closed deals that
    /// passed through the stage and were won), what is already won in the
    /// month, and the month's won-value goals.
    async fn forecast(
        &self,
        ctx: &Context<'_>,
        filter: Option<AnalyticsFilter>,
    ) -> async_graphql::Result<Vec<ForecastMonth>> {
        let (api, viewer, filter) = prepare(ctx, filter).await?;
        let currency = gql(filter.currency(&api.db, viewer).await)?;
        let rows = gql(deals::forecast(&api.db, viewer, &filter).await)?;
        Ok(rows
            .into_iter()
            .map(|m| ForecastMonth {
                month: m.month,
                open_deals: m.open_deals,
                pipeline: money(m.pipeline, &currency),
                weighted: money(m.weighted, &currency),
                calibrated: money(m.calibrated, &currency),
                won: money(m.won, &currency),
                goal: m.goal.map(|g| money(g, &currency)),
            })
            .collect())
    }

    /// Per owner and kind: activities (due in the range), done, and overdue
    /// (not done, past due).
    async fn activity_stats(
        &self,
        ctx: &Context<'_>,
        filter: Option<AnalyticsFilter>,
    ) -> async_graphql::Result<Vec<ActivityStat>> {
        let (api, viewer, filter) = prepare(ctx, filter).await?;
        let rows = gql(customers::activity_stats(&api.db, viewer, &filter).await)?;
        Ok(rows
            .into_iter()
            .map(|r| ActivityStat {
                owner_id: user_id(r.owner),
                kind: r.kind,
                scheduled: r.scheduled,
                done: r.done,
                overdue: r.overdue,
            })
            .collect())
    }

    /// Per channel: interactions and leads (in the range), and deals
    /// created in the range with their won value, attributed to the channel
    /// of their contact's first (first touch) and last (last touch)
    /// interaction before the deal was created.
    async fn channel_performance(
        &self,
        ctx: &Context<'_>,
        filter: Option<AnalyticsFilter>,
    ) -> async_graphql::Result<Vec<ChannelPerformance>> {
        let (api, viewer, filter) = prepare(ctx, filter).await?;
        let currency = gql(filter.currency(&api.db, viewer).await)?;
        let rows = gql(customers::channel_performance(&api.db, viewer, &filter).await)?;
        Ok(rows
            .into_iter()
            .map(|r| ChannelPerformance {
                channel: r.channel,
                interactions: r.interactions,
                leads: r.leads,
                first_touch_deals: r.first_touch_deals,
                first_touch_won_value: money(r.first_touch_won_value, &currency),
                last_touch_deals: r.last_touch_deals,
                last_touch_won_value: money(r.last_touch_won_value, &currency),
            })
            .collect())
    }

    /// An ordered funnel over tracked events: a contact reaches step 1 with
    /// its first `steps[0]` event in the range, and each next step with the
    /// first such event at or after its previous step, all within
    /// `windowHours` of step 1. Per step: contacts reached, conversion from
    /// the previous step and from the start, median time from the previous
    /// step.
    async fn event_funnel(
        &self,
        ctx: &Context<'_>,
        steps: Vec<String>,
        #[graphql(default = 720)] window_hours: i32,
        filter: Option<AnalyticsFilter>,
    ) -> async_graphql::Result<Vec<EventFunnelStep>> {
        let (api, viewer, filter) = prepare(ctx, filter).await?;
        let window = i64::from(window_hours) * 3600;
        let rows = gql(funnels::event_funnel(&api.db, viewer, &steps, window, &filter).await)?;
        Ok(rows
            .into_iter()
            .map(|s| EventFunnelStep {
                name: s.name,
                reached: s.reached,
                conversion_from_previous: s.conversion_from_previous,
                conversion_from_start: s.conversion_from_start,
                median_hours_from_previous: s.median_seconds_from_previous.map(|v| v / 3600.0),
            })
            .collect())
    }

    /// Contacts by month first seen (first interaction or tracked event,
    /// UTC months; cohorts in the range when given), and the share of each
    /// cohort active in each later month (`months` columns, month 0 first).
    async fn cohort_retention(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 6)] months: i32,
        filter: Option<AnalyticsFilter>,
    ) -> async_graphql::Result<Vec<CohortRow>> {
        let (api, viewer, filter) = prepare(ctx, filter).await?;
        let months = gql(usize::try_from(months)
            .ok()
            .filter(|m| (1..=24).contains(m))
            .ok_or_else(|| {
                crate::Error::Validation("months must be between 1 and 24".to_owned())
            }))?;
        let rows = gql(customers::cohort_retention(&api.db, viewer, &filter, months).await)?;
        Ok(rows
            .into_iter()
            .map(|c| CohortRow {
                month: c.month,
                size: c.size,
                retention: c.retention,
            })
            .collect())
    }

    /// Contacts with won deals (closed in the range) scored 1–5 by quintile
    /// on recency of the last win, number of wins and won value, mapped to
    /// segments: champions (R, F, M ≥ 4), loyal (F ≥ 4), potential
    /// loyalists (R ≥ 4, F ≥ 2), new customers (R ≥ 4), at risk (R ≤ 2 and
    /// F or M ≥ 3), hibernating (R ≤ 2), needs attention (the rest).
    async fn rfm_segments(
        &self,
        ctx: &Context<'_>,
        filter: Option<AnalyticsFilter>,
    ) -> async_graphql::Result<Vec<RfmSegment>> {
        let (api, viewer, filter) = prepare(ctx, filter).await?;
        let currency = gql(filter.currency(&api.db, viewer).await)?;
        let rows = gql(customers::rfm_segments(&api.db, viewer, &filter).await)?;
        Ok(rows
            .into_iter()
            .map(|s| RfmSegment {
                name: s.name,
                contacts: s.contacts,
                value: money(s.value, &currency),
            })
            .collect())
    }

    /// Per owner, best first: value and deals won (closed in the range) and
    /// activities completed (in the range).
    async fn leaderboard(
        &self,
        ctx: &Context<'_>,
        filter: Option<AnalyticsFilter>,
    ) -> async_graphql::Result<Vec<LeaderboardRow>> {
        let (api, viewer, filter) = prepare(ctx, filter).await?;
        let currency = gql(filter.currency(&api.db, viewer).await)?;
        let rows = gql(deals::leaderboard(&api.db, viewer, &filter).await)?;
        Ok(rows
            .into_iter()
            .map(|l| LeaderboardRow {
                owner_id: user_id(l.owner),
                won_value: money(l.won_value, &currency),
                won_deals: l.won_deals,
                activities_done: l.activities_done,
            })
            .collect())
    }

    /// The goals (overlapping the range, when given) with what counts so
    /// far in each goal's period and scope: won value, won deals or
    /// completed activities, and the share of the target.
    async fn goal_progress(
        &self,
        ctx: &Context<'_>,
        filter: Option<AnalyticsFilter>,
    ) -> async_graphql::Result<Vec<GoalProgressRow>> {
        let (api, viewer, filter) = prepare(ctx, filter).await?;
        let rows = gql(deals::goal_progress(&api.db, viewer, &filter).await)?;
        Ok(rows
            .into_iter()
            .map(|p| GoalProgressRow {
                actual: p.actual,
                share: p.share,
                goal: Goal(p.goal),
            })
            .collect())
    }
}

/// One stage's open deals.
pub struct StageSummary(pub pipeline::StageSummary);

/// One stage's open deals.
#[Object]
impl StageSummary {
    /// The stage.
    async fn stage(&self) -> Stage {
        Stage(self.0.stage.clone())
    }
    /// Open deals in it.
    async fn deal_count(&self) -> i64 {
        self.0.deals
    }
    /// Their value, per currency.
    async fn value(&self) -> Vec<Money> {
        self.0.value.iter().map(|(c, v)| money(*v, c)).collect()
    }
    /// Their value × the stage's probability, per currency.
    async fn weighted_value(&self) -> Vec<Money> {
        self.0.weighted.iter().map(|(c, v)| money(*v, c)).collect()
    }
    /// Mean days since the deals were created.
    async fn average_age_days(&self) -> Option<f64> {
        self.0.average_age_days
    }
    /// Mean days since the deals entered this stage.
    async fn average_days_in_stage(&self) -> Option<f64> {
        self.0.average_days_in_stage
    }
    /// Deals idle in the stage longer than its rotting days.
    async fn rotting_count(&self) -> i64 {
        self.0.rotting
    }
}

/// One stage of a stage funnel.
pub struct StageFunnelStep(pub funnels::StageStep);

/// One stage of a stage funnel.
#[Object]
impl StageFunnelStep {
    /// The stage.
    async fn stage(&self) -> Stage {
        Stage(self.0.stage.clone())
    }
    /// Deals that entered it.
    async fn entered(&self) -> i64 {
        self.0.entered
    }
    /// Of those, deals that reached a later stage or were won.
    async fn advanced(&self) -> i64 {
        self.0.advanced
    }
    /// Of those, deals lost without advancing.
    async fn dropped(&self) -> i64 {
        self.0.dropped
    }
    /// Of those, deals won.
    async fn won(&self) -> i64 {
        self.0.won
    }
    /// advanced ÷ entered.
    async fn conversion_to_next(&self) -> Option<f64> {
        self.0.conversion_to_next
    }
    /// won ÷ entered.
    async fn conversion_to_won(&self) -> Option<f64> {
        self.0.conversion_to_won
    }
    /// Median days from entering the stage to the next stage change.
    async fn median_days_in_stage(&self) -> Option<f64> {
        self.0.median_days_in_stage
    }
}

/// Deals closed in the range.
pub struct SalesMetrics(pub deals::Sales);

/// Deals closed in the range.
#[Object]
impl SalesMetrics {
    /// Deals won.
    async fn won_deals(&self) -> i64 {
        self.0.won
    }
    /// Deals lost.
    async fn lost_deals(&self) -> i64 {
        self.0.lost
    }
    /// Value won.
    async fn won_value(&self) -> Money {
        money(self.0.won_value, &self.0.currency)
    }
    /// Won ÷ (won + lost); null when nothing closed.
    async fn win_rate(&self) -> Option<f64> {
        self.0.win_rate
    }
    /// Won value ÷ won deals (rounded down to the minor unit).
    async fn average_deal_size(&self) -> Option<Money> {
        self.0.average_won_value.map(|v| money(v, &self.0.currency))
    }
    /// Median days from creation to won.
    async fn median_sales_cycle_days(&self) -> Option<f64> {
        self.0.median_cycle_days
    }
    /// Mean days from creation to won.
    async fn mean_sales_cycle_days(&self) -> Option<f64> {
        self.0.mean_cycle_days
    }
    /// Open deals now.
    async fn open_deals(&self) -> i64 {
        self.0.open_deals
    }
    /// (open deals × win rate × average deal size) ÷ mean cycle days:
    /// value expected to be won per day, in minor units of the currency.
    async fn sales_velocity_per_day(&self) -> Option<f64> {
        self.0.velocity_per_day
    }
}

/// One bucket of the revenue series.
#[derive(SimpleObject)]
pub struct RevenueBucket {
    /// First day of the bucket (workspace calendar).
    pub start: Date,
    /// Deals won in it.
    pub deals: i64,
    /// Their value.
    pub value: Money,
}

/// One month of the forecast.
#[derive(SimpleObject)]
pub struct ForecastMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Open deals expected to close in the month.
    pub open_deals: i64,
    /// Their value.
    pub pipeline: Money,
    /// Value × stage probability.
    pub weighted: Money,
    /// Value × the stage's historical conversion to won.
    pub calibrated: Money,
    /// Value already won in the month.
    pub won: Money,
    /// The month's won-value goals, if any.
    pub goal: Option<Money>,
}

/// Activities of one owner and kind.
#[derive(SimpleObject)]
pub struct ActivityStat {
    /// The owner (null: unassigned).
    pub owner_id: Option<ID>,
    /// The kind, e.g. `call`.
    pub kind: String,
    /// Activities.
    pub scheduled: i64,
    /// Done.
    pub done: i64,
    /// Not done and past due.
    pub overdue: i64,
}

/// One channel's performance.
#[derive(SimpleObject)]
pub struct ChannelPerformance {
    /// The channel, e.g. `email`.
    pub channel: String,
    /// Interactions on it.
    pub interactions: i64,
    /// Leads from it.
    pub leads: i64,
    /// Deals attributed by first touch.
    pub first_touch_deals: i64,
    /// Their won value.
    pub first_touch_won_value: Money,
    /// Deals attributed by last touch.
    pub last_touch_deals: i64,
    /// Their won value.
    pub last_touch_won_value: Money,
}

/// One step of an event funnel.
#[derive(SimpleObject)]
pub struct EventFunnelStep {
    /// The event name.
    pub name: String,
    /// Contacts that reached it, in order, within the window.
    pub reached: i64,
    /// reached ÷ reached at the previous step.
    pub conversion_from_previous: Option<f64>,
    /// reached ÷ reached at the first step.
    pub conversion_from_start: Option<f64>,
    /// Median hours from the previous step.
    pub median_hours_from_previous: Option<f64>,
}

/// One cohort.
#[derive(SimpleObject)]
pub struct CohortRow {
    /// `YYYY-MM` first seen.
    pub month: String,
    /// Contacts in it.
    pub size: i64,
    /// Share active in month 0, 1, 2, … after.
    pub retention: Vec<f64>,
}

/// One RFM segment.
#[derive(SimpleObject)]
pub struct RfmSegment {
    /// `champions`, `loyal`, `potential_loyalists`, `new_customers`,
    /// `at_risk`, `hibernating` or `needs_attention`.
    pub name: String,
    /// Contacts in it.
    pub contacts: i64,
    /// Their won value.
    pub value: Money,
}

/// One owner's results.
#[derive(SimpleObject)]
pub struct LeaderboardRow {
    /// The user (null: unowned records).
    pub owner_id: Option<ID>,
    /// Value won.
    pub won_value: Money,
    /// Deals won.
    pub won_deals: i64,
    /// Activities completed.
    pub activities_done: i64,
}

/// One goal's progress.
#[derive(SimpleObject)]
pub struct GoalProgressRow {
    /// The goal.
    pub goal: Goal,
    /// What counts so far (minor units for won value).
    pub actual: i64,
    /// actual ÷ target.
    pub share: Option<f64>,
}
