//! Pulse's sea-orm entities: one module per table of DESIGN.md section 2.
//!
//! Tenant-owned entities are reached through [`TenantScoped`] finders only.

pub mod enums;
mod tenant;

/// A scheduled or completed piece of work: call, meeting, task ...
pub mod activity;
/// A scoped token for a third-party app; only its hash is stored.
pub mod api_token;
/// A marketing campaign, the attribution source of leads and deals.
pub mod campaign;
/// A person the workspace deals with.
pub mod contact;
/// A workspace-defined field; values live in the records' `custom_fields` JSON.
pub mod custom_field;
/// An opportunity moving through a pipeline.
pub mod deal;
/// One move of a deal between stages: the history funnels and forecasts are computed from.
pub mod deal_stage_change;
/// The transactional outbox: one row per change, written in the change's transaction.
pub mod domain_event;
/// A target per user, team or workspace for a period.
pub mod goal;
/// A used idempotency key of a create mutation.
pub mod idempotency_key;
/// One touchpoint with a customer on any channel.
pub mod interaction;
/// An unqualified inbound request, converted into a deal once qualified.
pub mod lead;
/// A free-text note on a record.
pub mod note;
/// A company the workspace sells to or serves.
pub mod organization;
/// A sales pipeline: an ordered list of stages.
pub mod pipeline;
/// One refresh token of a login session; rotation creates the next one in the same family.
pub mod refresh_session;
/// One column of a pipeline.
pub mod stage;
/// A label that can be put on contacts, organizations and deals.
pub mod tag;
/// A tag on one record.
pub mod tagging;
/// A group of users; managers edit their team's records.
pub mod team;
/// A service case.
pub mod ticket;
/// Product or website behaviour, ingested in batches (e.g. `trial_started`).
pub mod tracked_event;
/// A person who signs in to a workspace (table `app_user`: `user` is reserved in PostgreSQL).
pub mod user;
/// A tenant: every other row belongs to exactly one workspace.
pub mod workspace;

pub use tenant::{TenantScoped, WorkspaceId};
