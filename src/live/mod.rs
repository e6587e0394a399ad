//! Live updates (DESIGN.md section 1). After a change commits, the
//! [`sequencer`] numbers its domain events per workspace, the [`hub`] of
//! every instance reads them by number and broadcasts them, and
//! subscriptions turn them into event streams or coalesced [`snapshots`]
//! (boards, dashboards).
//!
//! Wake-ups: a write on this instance wakes the local sequencer at once; the
//! sequencer also polls, for events written by other processes. On
//! PostgreSQL the sequencer NOTIFYs every instance (this one included) of
//! the workspaces it advanced; on SQLite it wakes the local hub directly.

pub mod hub;
pub mod sequencer;
pub mod snapshots;

use std::sync::Arc;

use entity::WorkspaceId;
use sea_orm::{DatabaseConnection, DbBackend};
use tokio::sync::Notify;
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use uuid::Uuid;

use crate::{
    config::LiveSettings,
    domain::{
        access::Viewer,
        analytics::{self, Filter, kpis::Kpis, pipeline::Board},
    },
    error::Result,
};
use hub::{Event, Feed, Hub, LiveCounters};
use sequencer::Sequencer;
use snapshots::{Latest, Snapshots, Source};

/// The live pipeline of one instance; cheap to clone.
#[derive(Clone)]
pub struct Live(Arc<Inner>);

struct Inner {
    db: DatabaseConnection,
    settings: LiveSettings,
    sequencer: Sequencer,
    hub: Hub,
    woken: std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedReceiver<Option<Uuid>>>>,
    written: Notify,
    boards: Snapshots<(Uuid, Uuid, u64), Board>,
    dashboards: Snapshots<(Uuid, Filter), Kpis>,
    counters: Arc<LiveCounters>,
    shutdown: CancellationToken,
}

impl Live {
    /// The pipeline over `db` (a pool of `pool_size` connections); nothing
    /// runs until [`Live::start`].
    pub fn new(
        db: DatabaseConnection,
        settings: LiveSettings,
        pool_size: u32,
        shutdown: CancellationToken,
    ) -> Live {
        let counters = Arc::new(LiveCounters::default());
        // Catch-up reads may use half the pool; requests keep the rest.
        let catch_ups = usize::try_from(pool_size / 2).unwrap_or(1);
        let (hub, woken) = Hub::new(
            db.clone(),
            settings.live_buffer_events,
            catch_ups,
            counters.clone(),
        );
        Live(Arc::new(Inner {
            sequencer: Sequencer::new(db.clone()),
            db,
            settings,
            hub,
            woken: std::sync::Mutex::new(Some(woken)),
            written: Notify::new(),
            boards: Snapshots::default(),
            dashboards: Snapshots::default(),
            counters,
            shutdown,
        }))
    }

    /// Starts the sequencer, the hub and (on PostgreSQL) the listener, on
    /// `tasks`; they stop when the shutdown token fires.
    pub fn start(&self, tasks: &TaskTracker) {
        let woken = self
            .0
            .woken
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let Some(woken) = woken else {
            return;
        };
        let live = self.clone();
        tasks.spawn(async move {
            tokio::select! {
                () = live.0.hub.run(woken) => {}
                () = live.0.shutdown.cancelled() => {}
            }
        });
        let live = self.clone();
        tasks.spawn(async move { live.sequence().await });
        if self.0.db.get_database_backend() == DbBackend::Postgres {
            let live = self.clone();
            tasks.spawn(async move { live.listen().await });
        }
    }

    /// Tells the sequencer that a change committed on this instance.
    pub fn written(&self) {
        self.0.written.notify_one();
    }

    /// The pipeline's counters.
    pub fn counters(&self) -> &Arc<LiveCounters> {
        &self.0.counters
    }

    /// Numbers events until shutdown: at once when woken, else every poll
    /// interval.
    async fn sequence(&self) {
        let poll = self.0.settings.poll();
        let local = self.0.db.get_database_backend() != DbBackend::Postgres;
        loop {
            tokio::select! {
                () = self.0.shutdown.cancelled() => return,
                () = self.0.written.notified() => {}
                () = tokio::time::sleep(poll) => {}
            }
            match self.0.sequencer.run().await {
                Ok(advanced) if local => {
                    for advanced in advanced {
                        self.0.hub.wake(advanced.workspace);
                    }
                }
                Ok(_) => {}
                Err(error) => {
                    error.log_if_internal();
                    tokio::select! {
                        () = self.0.shutdown.cancelled() => return,
                        () = tokio::time::sleep(poll) => {}
                    }
                }
            }
        }
    }

    /// Forwards PostgreSQL notifications of sequenced events to the hub;
    /// after a lost connection, wakes every channel (notifications may have
    /// been missed while it was down).
    async fn listen(&self) {
        use sea_orm::sqlx::postgres::PgListener;
        let pool = self.0.db.get_postgres_connection_pool().clone();
        loop {
            let listener = async {
                let mut listener = PgListener::connect_with(&pool).await?;
                listener.listen(sequencer::CHANNEL).await?;
                Ok::<_, sea_orm::sqlx::Error>(listener)
            };
            let mut listener = tokio::select! {
                () = self.0.shutdown.cancelled() => return,
                listener = listener => match listener {
                    Ok(listener) => listener,
                    Err(error) => {
                        tracing::warn!(error = %error, "cannot LISTEN for events; retrying");
                        tokio::time::sleep(self.0.settings.poll()).await;
                        continue;
                    }
                },
            };
            self.0.hub.wake_all();
            loop {
                let received = tokio::select! {
                    () = self.0.shutdown.cancelled() => return,
                    received = listener.try_recv() => received,
                };
                match received {
                    Ok(Some(notification)) => {
                        if let Ok(workspace) = Uuid::parse_str(notification.payload()) {
                            self.0.hub.wake(workspace);
                        }
                    }
                    Ok(None) => self.0.hub.wake_all(),
                    Err(error) => {
                        tracing::warn!(error = %error, "event listener failed; reconnecting");
                        break;
                    }
                }
            }
        }
    }

    /// A lossless feed of the workspace's events after `after` (or from now).
    pub async fn feed(&self, workspace: WorkspaceId, after: Option<i64>) -> Result<Feed> {
        Feed::open(&self.0.hub, workspace, after).await
    }

    /// The shared, coalesced board of a pipeline (checked to exist first).
    pub async fn board(
        &self,
        viewer: &Viewer,
        pipeline: Uuid,
        cards: u64,
    ) -> Result<Latest<Board>> {
        analytics::pipeline::stages_of(&self.0.db, viewer, pipeline).await?;
        let events = self.0.hub.subscribe(viewer.workspace).await?;
        let (db, viewer) = (self.0.db.clone(), viewer.clone());
        let key = (viewer.workspace.0, pipeline, cards);
        let compute = move || {
            let (db, viewer) = (db.clone(), viewer.clone());
            async move { analytics::pipeline::board(&db, &viewer, pipeline, cards).await }
        };
        let relevant = move |event: &Event| changes_board(event, pipeline);
        Ok(self
            .0
            .boards
            .subscribe(key, self.source(events, compute, relevant)))
    }

    /// The shared, coalesced KPI set of a filter.
    pub async fn dashboard(&self, viewer: &Viewer, filter: Filter) -> Result<Latest<Kpis>> {
        analytics::require(viewer, crate::domain::access::Action::Subscribe)?;
        let events = self.0.hub.subscribe(viewer.workspace).await?;
        let (db, viewer) = (self.0.db.clone(), viewer.clone());
        let key = (viewer.workspace.0, filter.clone());
        let compute = move || {
            let (db, viewer, filter) = (db.clone(), viewer.clone(), filter.clone());
            async move { analytics::kpis::compute(&db, &viewer, &filter).await }
        };
        let relevant = |event: &Event| {
            matches!(
                event.entity_type.as_str(),
                "deal" | "activity" | "stage" | "pipeline"
            )
        };
        Ok(self
            .0
            .dashboards
            .subscribe(key, self.source(events, compute, relevant)))
    }

    fn source<C, R>(
        &self,
        events: tokio::sync::broadcast::Receiver<Event>,
        compute: C,
        relevant: R,
    ) -> Source<C, R> {
        Source {
            compute,
            relevant,
            events,
            interval: self.0.settings.coalesce(),
            counters: self.0.counters.clone(),
            shutdown: self.0.shutdown.clone(),
        }
    }
}

impl snapshots::Snapshot for Board {
    /// The same columns with the same figures and the same cards (by id and
    /// version); the computation time does not count.
    fn same_as(&self, previous: &Self) -> bool {
        let card = |d: &entity::deal::Model| (d.id, d.version);
        self.pipeline == previous.pipeline
            && self.columns.len() == previous.columns.len()
            && self.columns.iter().zip(&previous.columns).all(|(a, b)| {
                a.summary.stage == b.summary.stage
                    && a.summary.deals == b.summary.deals
                    && a.summary.value == b.summary.value
                    && a.summary.weighted == b.summary.weighted
                    && a.summary.rotting == b.summary.rotting
                    && a.cards.iter().map(card).eq(b.cards.iter().map(card))
            })
    }
}

impl snapshots::Snapshot for Kpis {
    /// Equal figures; a default period that moved with the clock does not
    /// count.
    fn same_as(&self, previous: &Self) -> bool {
        Kpis {
            from: previous.from,
            to: previous.to,
            ..self.clone()
        } == *previous
    }
}

/// Runs a database read on a task of its own, so it completes (and hands
/// its pooled connection back) even while the stream awaiting it is not
/// polled, as happens while a subscriber's socket is full. Subscription
/// streams read the database only through this.
pub async fn detached<T: Send + 'static>(
    work: impl std::future::Future<Output = Result<T>> + Send + 'static,
) -> Result<T> {
    tokio::spawn(work)
        .await
        .map_err(|error| crate::Error::Internal(anyhow::anyhow!("database read task: {error}")))?
}

/// Whether `event` can change the board of `pipeline`: a deal event of that
/// pipeline, or any change to pipelines and stages.
fn changes_board(event: &Event, pipeline: Uuid) -> bool {
    match event.entity_type.as_str() {
        "deal" => event
            .payload
            .get("pipelineId")
            .and_then(|p| p.as_str())
            .is_none_or(|p| p == pipeline.to_string()),
        "stage" | "pipeline" => true,
        _ => false,
    }
}
