//! The GraphQL schema: per-area query and mutation objects merged into one
//! root, access control and protection limits installed as extensions, and
//! the SDL export.

use std::{net::IpAddr, sync::Arc};

use async_graphql::Schema;
use sea_orm::DatabaseConnection;

use crate::{
    auth::Auth,
    config::{Config, Environment},
};

pub mod access;
pub mod budget;
pub mod hooks;
pub mod ids;
pub mod limits;
pub mod loaders;
pub mod mutation;
pub mod pagination;
pub mod payload;
pub mod prefetch;
pub mod query;
pub mod shared;
pub mod subscription;
pub mod types;

pub use limits::GraphqlCounters;

/// The Pulse schema type.
pub type PulseSchema = Schema<query::Query, mutation::Mutation, subscription::Subscription>;

/// What resolvers reach through the context: the database, authentication
/// and configuration.
pub struct ApiContext {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// Keys and session settings.
    pub auth: Arc<Auth>,
    /// The resolved configuration.
    pub config: Arc<Config>,
    /// The live-update pipeline.
    pub live: crate::live::Live,
}

/// The client's IP address, as request data (login rate limits).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub IpAddr);

/// Builds the schema, counting into `counters`. Production mode turns
/// introspection and field suggestions off (DESIGN.md section 5).
pub fn build_schema(api: ApiContext, counters: Arc<GraphqlCounters>) -> PulseSchema {
    let production = api.config.environment == Environment::Production;
    let query_limits = limits::QueryLimits {
        introspection: !production,
        ..(&api.config.limits).into()
    };
    let recursion = api.config.limits.max_depth.max(16) * 2;
    let mut builder = Schema::build(
        query::Query::default(),
        mutation::Mutation::default(),
        subscription::Subscription,
    )
    .extension(limits::LimitsExtension::new(
        query_limits,
        counters.clone(),
        Arc::new(budget::Budget::new(
            api.config.limits.rate_limit_points_per_minute,
        )),
    ))
    .extension(hooks::FieldHooks(counters))
    .data(query::ServerInfo::from(api.config.as_ref()))
    .data(api)
    // The parser's own recursion guard sits above the depth limit, so deep
    // queries get the depth error rather than a parse error.
    .limit_recursive_depth(recursion);
    if production {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The schema's SDL, as `pulse schema` prints it and `schema.graphql` holds it.
pub fn sdl() -> String {
    Schema::build(
        query::Query::default(),
        mutation::Mutation::default(),
        subscription::Subscription,
    )
    .finish()
    .sdl()
}
