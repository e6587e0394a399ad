//! Pulse's database migrations. One migration per schema change, each with `up`
//! and `down`; a migration that has shipped is never edited, later changes add a
//! new one.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261204_000001_crm_schema;
mod m20261204_000002_operational;
mod m20261204_000003_event_pipeline;

/// The ordered list of Pulse migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261204_000001_crm_schema::Migration),
            Box::new(m20261204_000002_operational::Migration),
            Box::new(m20261204_000003_event_pipeline::Migration),
        ]
    }
}
