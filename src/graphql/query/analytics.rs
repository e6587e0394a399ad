//! The `analytics` namespace.

use async_graphql::Object;

use crate::graphql::types::analytics::Analytics;

/// Root field of the analytical CRM.
#[derive(Default)]
pub struct AnalyticsQuery;

#[Object]
impl AnalyticsQuery {
    /// Funnels, conversion, forecasts, channel performance, segments and
    /// more, computed in the database. Needs `analytics:read`.
    async fn analytics(&self) -> Analytics {
        Analytics
    }
}
