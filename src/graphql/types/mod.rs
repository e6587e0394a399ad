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

/// A domain result as a GraphQL result with the error's code.
pub fn gql<T>(result: crate::Result<T>) -> async_graphql::Result<T> {
    result.map_err(|e| e.extend())
}
