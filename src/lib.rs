//! Pulse: an API-first CRM backend serving GraphQL over HTTP and WebSocket.
//!
//! A guided tour, outside in (DESIGN.md section 1):

/// Authentication: bearer credentials to a Viewer, sessions, JWT keys.
pub mod auth;
/// Command-line interface: `serve`, `migrate`, `seed`, `schema`, `healthcheck`.
pub mod cli;
/// The one typed configuration (flags and `PULSE_*` environment variables).
pub mod config;
/// Connecting to SQLite or PostgreSQL and applying migrations.
pub mod db;
/// Domain newtypes and rules; knows nothing of GraphQL or HTTP.
pub mod domain;
/// The error enum of the request path and its GraphQL error codes.
pub mod error;
/// The GraphQL schema, its limits and its resolvers.
pub mod graphql;
/// HTTP and WebSocket routes, content negotiation, health and metrics.
pub mod http;
/// Live updates: the event sequencer, the hub and coalesced snapshots.
pub mod live;
/// The deterministic data generator behind `seed --demo` and `seed --scale`.
pub mod seed;
/// Binding the listener and running until shutdown.
pub mod startup;
/// The state shared by every handler.
pub mod state;
/// Log output setup.
pub mod telemetry;

pub use error::{Error, Result};
