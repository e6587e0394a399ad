//! GraphQL object types, one file per area, and the helpers their
//! resolvers share.

use async_graphql::{Context, ErrorExtensions};

use super::{ApiContext, loaders::Loaders};

pub mod analytics;
pub mod customers;
pub mod identity;
pub mod leads;
pub mod live;
pub mod node;
pub mod pipeline;
pub mod scalars;
pub mod settings;
pub mod touchpoints;

/// The request's loader (present whenever a viewer is).
pub fn loader<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Loaders> {
    ctx.data::<Loaders>()
        .map_err(|_| crate::Error::Unauthenticated.extend())
}

/// The resolvers' context.
pub fn api<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a ApiContext> {
    ctx.data::<ApiContext>()
}

/// The row id of a global id of `kind`; anything else is `what` not found
/// (a malformed id and a foreign one look the same).
pub fn id_of(
    kind: super::ids::Kind,
    id: &async_graphql::ID,
    what: &'static str,
) -> async_graphql::Result<uuid::Uuid> {
    super::ids::decode_as(kind, id).ok_or_else(|| crate::Error::NotFound(what).extend())
}

/// A domain result as a GraphQL result with the error's code.
pub fn gql<T>(result: crate::Result<T>) -> async_graphql::Result<T> {
    result.map_err(|e| e.extend())
}
