//! What the operational API needs beyond the initial schema: idempotency keys
//! of create mutations (a retry with the same key returns the first result
//! instead of a duplicate) and custom-field values on deals and leads.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{index, tenant_table};

/// Creates `idempotency_key`; adds `custom_fields` to `deal` and `lead`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut keys = tenant_table("idempotency_key");
        keys.col(string_len("operation", 48))
            .col(string_len("key", 200))
            .col(uuid("entity_id"))
            .col(timestamp_with_time_zone("created_at"));
        manager.create_table(keys).await?;
        manager
            .create_index(index(
                "idempotency_key",
                &["workspace_id", "operation", "key"],
                true,
            ))
            .await?;
        for table in ["deal", "lead"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(json_binary("custom_fields").default("{}"))
                        .take(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["deal", "lead"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column("custom_fields")
                        .take(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table("idempotency_key").if_exists().take())
            .await
    }
}
