//! The analytical CRM (DESIGN.md section 6): metrics computed in SQL
//! (aggregations, not row loops), the same on SQLite and PostgreSQL, each
//! over the viewer's workspace and a [`Filter`]. Definitions live in
//! `docs/ANALYTICS.md` and in the schema descriptions.
//!
//! Money metrics work in one currency at a time (the filter's, by default
//! the workspace's): no exchange rates are applied, deals in other
//! currencies are left out.

pub mod customers;
pub mod deals;
pub mod funnels;
pub mod kpis;
pub mod pipeline;
pub mod sql;

use chrono::{DateTime, Utc};
use entity::workspace;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{
    domain::access::{Action, Area, Viewer},
    error::{Error, Result},
};
use sql::Sql;

/// What a metric is restricted to. Every part is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    /// Start of the date range (inclusive), on the metric's time column.
    pub from: Option<DateTime<Utc>>,
    /// End of the date range (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// Only records owned by this user.
    pub owner: Option<Uuid>,
    /// Only records owned by members of this team.
    pub team: Option<Uuid>,
    /// Only deals of this pipeline.
    pub pipeline: Option<Uuid>,
    /// The currency of money metrics (ISO 4217); the workspace's by default.
    pub currency: Option<String>,
}

/// Checks that the viewer may `action` analytics.
pub fn require(viewer: &Viewer, action: Action) -> Result<()> {
    viewer.require(Area::Analytics, action)
}

/// The workspace row of the viewer (currency, time zone).
pub async fn workspace_of(db: &impl ConnectionTrait, viewer: &Viewer) -> Result<workspace::Model> {
    workspace::Entity::find_by_workspace_id(viewer.workspace)
        .one(db)
        .await?
        .ok_or(Error::NotFound("workspace"))
}

impl Filter {
    /// The currency money metrics use.
    pub async fn currency(&self, db: &impl ConnectionTrait, viewer: &Viewer) -> Result<String> {
        match &self.currency {
            Some(currency) => Ok(currency.clone()),
            None => Ok(workspace_of(db, viewer).await?.default_currency),
        }
    }

    /// Conditions on a table aliased `alias` with an owner column: the
    /// workspace, owner and team.
    fn owned(&self, q: &mut Sql, viewer: &Viewer, alias: &str, owner_column: &str) -> String {
        let workspace = q.bind(viewer.workspace.0);
        let mut conditions = format!("{alias}.workspace_id = {workspace}");
        if let Some(owner) = self.owner {
            let owner = q.bind(owner);
            conditions.push_str(&format!(" AND {alias}.{owner_column} = {owner}"));
        }
        if let Some(team) = self.team {
            let (ws, team) = (q.bind(viewer.workspace.0), q.bind(team));
            conditions.push_str(&format!(
                " AND {alias}.{owner_column} IN (SELECT u.id FROM app_user u \
                 WHERE u.workspace_id = {ws} AND u.team_id = {team})"
            ));
        }
        conditions
    }

    /// Conditions on deals aliased `alias`: workspace, not archived, owner,
    /// team and pipeline.
    fn deals(&self, q: &mut Sql, viewer: &Viewer, alias: &str) -> String {
        let mut conditions = self.owned(q, viewer, alias, "owner_id");
        conditions.push_str(&format!(" AND {alias}.archived_at IS NULL"));
        if let Some(pipeline) = self.pipeline {
            let pipeline = q.bind(pipeline);
            conditions.push_str(&format!(" AND {alias}.pipeline_id = {pipeline}"));
        }
        conditions
    }

    /// The date range on `column` (none when the filter has none).
    fn range(&self, q: &mut Sql, column: &str) -> String {
        let mut conditions = String::new();
        if let Some(from) = self.from {
            let from = q.bind(from);
            conditions.push_str(&format!(" AND {column} >= {from}"));
        }
        if let Some(to) = self.to {
            let to = q.bind(to);
            conditions.push_str(&format!(" AND {column} < {to}"));
        }
        conditions
    }
}

/// `part / whole`, or `None` when `whole` is zero.
pub fn share(part: i64, whole: i64) -> Option<f64> {
    (whole != 0).then(|| part as f64 / whole as f64)
}

/// Minor units times a percentage, back to minor units (rounded half up).
pub fn percent_of(sum_times_percent: i64) -> i64 {
    (sum_times_percent + 50).div_euclid(100)
}
