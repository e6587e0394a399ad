//! The GraphQL schema: per-area query objects merged into one root, the
//! protection limits installed as an extension, and the SDL export.

use std::sync::Arc;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};

use crate::config::{Config, Environment};

pub mod limits;
pub mod pagination;
pub mod query;

pub use limits::GraphqlCounters;

/// The Pulse schema type.
pub type PulseSchema = Schema<query::Query, EmptyMutation, EmptySubscription>;

/// Builds the schema for `config`, counting into `counters`. Production mode
/// turns introspection and field suggestions off (DESIGN.md section 5).
pub fn build_schema(config: &Config, counters: Arc<GraphqlCounters>) -> PulseSchema {
    let production = config.environment == Environment::Production;
    let query_limits = limits::QueryLimits {
        introspection: !production,
        ..(&config.limits).into()
    };
    let mut builder = Schema::build(query::Query::default(), EmptyMutation, EmptySubscription)
        .data(query::ServerInfo::from(config))
        .extension(limits::LimitsExtension::new(query_limits, counters))
        // The parser's own recursion guard sits above the depth limit, so deep
        // queries get the depth error rather than a parse error.
        .limit_recursive_depth(config.limits.max_depth.max(16) * 2);
    if production {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The schema's SDL, as `pulse schema` prints it and `schema.graphql` holds it.
pub fn sdl() -> String {
    Schema::build(query::Query::default(), EmptyMutation, EmptySubscription)
        .finish()
        .sdl()
}
