//! Migrations apply, roll back and re-apply on SQLite and PostgreSQL.

use migration::{Migrator, MigratorTrait, SchemaManager};
use sea_orm::Database;

use crate::helpers::fresh_database;

const TABLES: [&str; 24] = [
    "workspace",
    "team",
    "app_user",
    "api_token",
    "refresh_session",
    "organization",
    "contact",
    "campaign",
    "pipeline",
    "stage",
    "deal",
    "lead",
    "deal_stage_change",
    "activity",
    "interaction",
    "tracked_event",
    "note",
    "ticket",
    "tag",
    "tagging",
    "custom_field",
    "goal",
    "domain_event",
    "idempotency_key",
];

async fn existing_tables(manager: &SchemaManager<'_>) -> Vec<&'static str> {
    let mut present = Vec::new();
    for table in TABLES {
        if manager.has_table(table).await.expect("check a table") {
            present.push(table);
        }
    }
    present
}

#[tokio::test]
async fn migrations_apply_roll_back_and_reapply() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = fresh_database(dir.path()).await;
    let db = Database::connect(url.as_str()).await.expect("connect");
    let manager = SchemaManager::new(&db);

    Migrator::up(&db, None).await.expect("migrate up");
    assert_eq!(existing_tables(&manager).await, TABLES);
    assert!(
        Migrator::get_pending_migrations(&db)
            .await
            .expect("status")
            .is_empty()
    );

    Migrator::down(&db, None).await.expect("migrate down");
    assert!(existing_tables(&manager).await.is_empty());

    Migrator::up(&db, None).await.expect("migrate up again");
    assert_eq!(existing_tables(&manager).await, TABLES);
}
