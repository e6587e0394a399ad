//! The analytics filter shared by the `analytics` queries and the
//! `dashboard` subscription.

use async_graphql::{ID, InputObject};
use chrono::{DateTime, Utc};

use crate::{
    domain::{analytics::Filter, money::CurrencyCode},
    error::Error,
    graphql::ids::{Kind, decode_as},
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
