//! Connecting to the database and applying migrations.

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

/// Opens a connection pool to `url`.
pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        // A writer waits this long for another writer's lock.
        .map_sqlx_sqlite_opts(|sqlite| sqlite.busy_timeout(Duration::from_secs(10)));
    let db = Database::connect(options)
        .await
        .with_context(|| format!("connecting to the database at {}", redact(url)))?;
    // Write-ahead logging, so readers (the hub, subscriptions, queries) and
    // the writer do not block each other. The mode is stored in the file;
    // it is set once here rather than on every pooled connection, because
    // changing it takes a lock that the busy timeout does not wait for.
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite
        && let Err(error) = db.execute_unprepared("PRAGMA journal_mode=WAL").await
    {
        tracing::warn!(error = %error, "could not switch SQLite to write-ahead logging");
    }
    Ok(db)
}

/// Begins a transaction that will write. On SQLite it takes the write lock
/// at once (`BEGIN IMMEDIATE`), so concurrent writers queue on the busy
/// timeout instead of failing when a read transaction cannot be upgraded
/// after another writer committed; on PostgreSQL it is a plain `BEGIN`.
pub async fn begin(
    db: &impl sea_orm::TransactionTrait<Transaction = sea_orm::DatabaseTransaction>,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    let options = || sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    // SQLite can refuse the write lock at once, without the busy timeout
    // (another process opening or checkpointing the write-ahead log): try
    // a few more times before giving up.
    let mut attempt = 0;
    loop {
        match db.begin_with_options(options()).await {
            Err(error) if attempt < 5 && error.to_string().contains("database is locked") => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
            }
            result => return result,
        }
    }
}

/// Applies every pending migration; on SQLite also lets the planner refresh
/// statistics that have gone stale (`PRAGMA optimize`, cheap when nothing
/// changed), since SQLite has no background analyzer like PostgreSQL's.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("applying migrations")?;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite
        && let Err(error) = db.execute_unprepared("PRAGMA optimize").await
    {
        // Only an optimisation: another process (a running server) may hold
        // the write lock just now.
        tracing::warn!(error = %error, "could not refresh SQLite statistics");
    }
    Ok(())
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _password)) => {
                    format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
                }
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redact_hides_the_password_only() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/d"),
            "postgres://u:***@h:5432/d"
        );
        assert_eq!(redact("postgres://u@h/d"), "postgres://u@h/d");
        assert_eq!(
            redact("sqlite://./data/pulse.db"),
            "sqlite://./data/pulse.db"
        );
    }
}
