//! Root mutation fields, one object per area, merged into [`Mutation`].

use async_graphql::MergedObject;

mod crm;
mod identity;
mod leads;
mod pipeline;
mod service;
mod sessions;

/// The root mutation type.
#[derive(MergedObject, Default)]
pub struct Mutation(
    sessions::SessionMutation,
    identity::IdentityMutation,
    crm::CrmMutation,
    pipeline::PipelineMutation,
    leads::LeadMutation,
    service::ServiceMutation,
);
