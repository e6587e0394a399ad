//! The event pipeline's access path: the sequencer looks for domain events
//! that have no `seq` yet, oldest first. A partial index keeps that lookup
//! as small as the backlog, not the whole outbox.

use sea_orm_migration::prelude::*;

/// Creates the partial index on unsequenced domain events.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_domain_event_unsequenced ON domain_event (id) WHERE seq IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX ix_domain_event_unsequenced")
            .await?;
        Ok(())
    }
}
