//! Pulse's integration tests: one binary, one fresh database per test
//! (SQLite by default, PostgreSQL when `PULSE_TEST_POSTGRES_URL` is set).

mod analytics;
mod auth;
mod cli;
mod crm;
mod health;
mod helpers;
mod http_protocol;
mod leads;
mod limits;
mod live;
mod migrations;
mod schema;
mod schema_walk;
mod seed;
mod settings;
mod websocket;
