//! The state every handler shares, built once at start.

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio_util::{sync::CancellationToken, task::TaskTracker};

use crate::{
    auth::{Auth, Rechecks},
    config::Config,
    graphql::{GraphqlCounters, PulseSchema, shared::SharedStreams},
    http::metrics::HttpCounters,
    live::Live,
};

/// Shared, cheaply cloned application state.
#[derive(Clone)]
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// The resolved configuration.
    pub config: Arc<Config>,
    /// Authentication keys and limits.
    pub auth: Arc<Auth>,
    /// Shared re-checks of open WebSockets' credentials.
    pub rechecks: Arc<Rechecks>,
    /// The GraphQL schema.
    pub schema: PulseSchema,
    /// The schema as WebSocket subscriptions run it: one execution per
    /// result for subscribers of the same stream.
    pub streams: SharedStreams,
    /// GraphQL counters (resolver calls, rejections).
    pub graphql_counters: Arc<GraphqlCounters>,
    /// HTTP and WebSocket counters.
    pub http_counters: Arc<HttpCounters>,
    /// Cancelled when the server shuts down; open WebSockets watch it.
    pub shutdown: CancellationToken,
    /// Tracks WebSocket tasks, so shutdown can wait for their close frames.
    pub sockets: TaskTracker,
    /// The live-update pipeline (sequencer, hub, snapshots).
    pub live: Live,
}
