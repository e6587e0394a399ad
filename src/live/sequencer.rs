//! The sequencer: gives committed domain events their per-workspace `seq`,
//! gap-free and in the order it finds them committed.
//!
//! Only committed rows are visible to it, and it is the only writer of `seq`,
//! so a transaction that commits late simply gets a later number: nothing is
//! skipped, which a reader of "ids after the last one seen" cannot promise.
//! One sequencer runs at a time: on PostgreSQL each batch holds a
//! transaction-level advisory lock (whichever instance takes it is the
//! leader for that batch) and NOTIFYs every instance of the workspaces it
//! advanced; on SQLite the one process serialises batches itself.

use std::collections::HashMap;

use entity::{TenantScoped, WorkspaceId, domain_event};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
    sea_query::{CaseStatement, Expr},
};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::error::Result;

/// Most events numbered per batch (and per statement).
const BATCH: u64 = 500;
/// The advisory-lock key of the sequencer ("pulse" + "seq" in ASCII).
const LOCK_KEY: i64 = 0x0070_756c_7365_7371;
/// The channel instances LISTEN on; the payload is a workspace id.
pub const CHANNEL: &str = "pulse_events";

/// Numbers events; one batch at a time within this process.
pub struct Sequencer {
    db: DatabaseConnection,
    running: Mutex<()>,
}

/// Events of one workspace numbered by a batch: `first..=last`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Advanced {
    /// The workspace.
    pub workspace: Uuid,
    /// First `seq` assigned.
    pub first: i64,
    /// Last `seq` assigned.
    pub last: i64,
}

impl Sequencer {
    /// A sequencer over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Sequencer {
            db,
            running: Mutex::new(()),
        }
    }

    /// Numbers every event committed so far; returns what advanced.
    pub async fn run(&self) -> Result<Vec<Advanced>> {
        let _one_at_a_time = self.running.lock().await;
        let mut advanced = Vec::new();
        loop {
            let (numbered, batch) = self.batch().await?;
            advanced.extend(batch);
            if numbered < BATCH as usize {
                return Ok(advanced);
            }
        }
    }

    /// One batch in one transaction; returns how many events it numbered
    /// and the range per workspace.
    async fn batch(&self) -> Result<(usize, Vec<Advanced>)> {
        let backend = self.db.get_database_backend();
        let txn = crate::db::begin(&self.db).await?;
        if backend == DbBackend::Postgres {
            txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({LOCK_KEY})"))
                .await?;
        }
        #[expect(
            clippy::disallowed_methods,
            reason = "the sequencer numbers every workspace's events; it reads ids only"
        )]
        let pending: Vec<(Uuid, Uuid)> = domain_event::Entity::find()
            .select_only()
            .columns([domain_event::Column::Id, domain_event::Column::WorkspaceId])
            .filter(domain_event::Column::Seq.is_null())
            .order_by_asc(domain_event::Column::Id)
            .limit(BATCH)
            .into_tuple()
            .all(&txn)
            .await?;
        if pending.is_empty() {
            txn.commit().await?;
            return Ok((0, Vec::new()));
        }
        let numbered = pending.len();
        let mut by_workspace: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        let mut order = Vec::new();
        for (id, workspace) in pending {
            by_workspace
                .entry(workspace)
                .or_insert_with(|| {
                    order.push(workspace);
                    Vec::new()
                })
                .push(id);
        }
        let mut advanced = Vec::with_capacity(order.len());
        for workspace in order {
            let ids = by_workspace.remove(&workspace).unwrap_or_default();
            let head = head(&txn, WorkspaceId(workspace)).await?;
            let mut numbering = CaseStatement::new();
            for (n, id) in ids.iter().enumerate() {
                numbering = numbering.case(
                    domain_event::Column::Id.eq(*id),
                    Expr::val(head + 1 + n as i64),
                );
            }
            domain_event::Entity::update_many_in(WorkspaceId(workspace))
                .col_expr(domain_event::Column::Seq, numbering.into())
                .filter(domain_event::Column::Id.is_in(ids.iter().copied()))
                .exec(&txn)
                .await?;
            if backend == DbBackend::Postgres {
                txn.execute_raw(sea_orm::Statement::from_sql_and_values(
                    backend,
                    "SELECT pg_notify($1, $2)",
                    [CHANNEL.into(), workspace.to_string().into()],
                ))
                .await?;
            }
            advanced.push(Advanced {
                workspace,
                first: head + 1,
                last: head + ids.len() as i64,
            });
        }
        txn.commit().await?;
        tracing::debug!(events = numbered, "sequenced domain events");
        Ok((numbered, advanced))
    }
}

/// The highest `seq` of `workspace` (0 before its first event).
pub async fn head(db: &impl ConnectionTrait, workspace: WorkspaceId) -> Result<i64> {
    let head: Option<Option<i64>> = domain_event::Entity::find_in(workspace)
        .select_only()
        .expr(domain_event::Column::Seq.max())
        .into_tuple()
        .one(db)
        .await?;
    Ok(head.flatten().unwrap_or(0))
}
