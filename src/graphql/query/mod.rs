//! Root query fields, one object per area, merged into [`Query`].

use async_graphql::MergedObject;

mod analytics;
mod api_info;
mod crm;
mod identity;
mod leads;
mod settings;

pub use api_info::ServerInfo;

/// The root query type.
#[derive(MergedObject, Default)]
pub struct Query(
    api_info::ApiInfoQuery,
    identity::IdentityQuery,
    crm::CrmQuery,
    leads::LeadQuery,
    settings::SettingsQuery,
    analytics::AnalyticsQuery,
);
