//! The hub: each instance's reader of sequenced events. Woken with a
//! workspace id (by the local sequencer, or by PostgreSQL NOTIFY from any
//! instance's), it reads that workspace's new events by `seq` and
//! broadcasts them to the workspace's live channel, once for every
//! subscriber on this instance.
//!
//! A channel holds a bounded number of events. A subscriber's [`Feed`]
//! checks that the `seq` it receives is contiguous and reads anything it
//! missed (a replay after `after:`, a lag behind the channel, a wake that
//! came before the channel existed) from the database, so a feed is
//! lossless and in order whatever the channel drops.

use std::{
    any::Any,
    collections::{HashMap, HashSet, VecDeque},
    future::Future,
    ops::Deref,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use entity::{TenantScoped, WorkspaceId, domain_event};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::{OnceCell, Semaphore, broadcast, mpsc};
use uuid::Uuid;

use super::sequencer;
use crate::error::Result;

/// A sequenced domain event (its `seq` is set), shared by every
/// subscriber of this instance.
pub type Event = Arc<LiveEvent>;

/// A sequenced domain event plus what subscribers load for it once (the
/// record it is about, as it is now), so N subscribers cost one read.
pub struct LiveEvent {
    row: domain_event::Model,
    entity: OnceCell<Option<Arc<dyn Any + Send + Sync>>>,
}

impl LiveEvent {
    /// Wraps a stored event.
    pub fn new(row: domain_event::Model) -> Event {
        Arc::new(LiveEvent {
            row,
            entity: OnceCell::new(),
        })
    }

    /// The record the event is about, loaded by the first caller with
    /// `load` and shared with the rest (`None` if it is gone, or was first
    /// asked for as another type).
    pub async fn entity<T, F>(&self, load: impl FnOnce() -> F) -> Result<Option<Arc<T>>>
    where
        T: Any + Send + Sync,
        F: Future<Output = Result<Option<T>>>,
    {
        let loaded = self
            .entity
            .get_or_try_init(|| async {
                Ok::<_, crate::Error>(
                    load()
                        .await?
                        .map(|value| Arc::new(value) as Arc<dyn Any + Send + Sync>),
                )
            })
            .await?;
        Ok(loaded.clone().and_then(|value| value.downcast::<T>().ok()))
    }
}

impl Deref for LiveEvent {
    type Target = domain_event::Model;

    fn deref(&self) -> &domain_event::Model {
        &self.row
    }
}

/// Rows read per database round trip when catching up.
const PAGE: u64 = 100;
/// Pause before reading again after a failed database read.
const RETRY: std::time::Duration = std::time::Duration::from_millis(200);

/// Counters of the live pipeline, for `/metrics` and tests.
#[derive(Debug, Default)]
pub struct LiveCounters {
    /// Events broadcast to live channels.
    pub broadcast: AtomicU64,
    /// Times a subscriber fell behind its channel and caught up from the
    /// database.
    pub lagged: AtomicU64,
    /// Events a subscriber read from the database (replays and catch-ups).
    pub replayed: AtomicU64,
    /// Snapshots computed (boards and dashboards).
    pub snapshots: AtomicU64,
    /// Results of shared subscription executions (each went to every
    /// subscriber of its key).
    pub shared_results: AtomicU64,
    /// Subscribers that joined a running shared execution.
    pub shared_joins: AtomicU64,
}

/// One workspace's live channel.
struct Channel {
    sender: broadcast::Sender<Event>,
    /// The last `seq` broadcast.
    cursor: i64,
}

/// Reads sequenced events and broadcasts them per workspace.
pub struct Hub {
    db: DatabaseConnection,
    capacity: usize,
    channels: Mutex<HashMap<Uuid, Channel>>,
    wake: mpsc::UnboundedSender<Option<Uuid>>,
    /// Database reads of subscribers catching up at a time: many lagging
    /// subscribers queue here instead of taking every pooled connection
    /// from requests.
    catch_ups: Arc<Semaphore>,
    /// Shared counters.
    pub counters: Arc<LiveCounters>,
}

impl Hub {
    /// A hub over `db` whose channels hold `capacity` events, letting at
    /// most `catch_ups` subscribers read the database at once, and the
    /// receiving end of its wake-ups (for [`Hub::run`]).
    pub fn new(
        db: DatabaseConnection,
        capacity: usize,
        catch_ups: usize,
        counters: Arc<LiveCounters>,
    ) -> (Hub, mpsc::UnboundedReceiver<Option<Uuid>>) {
        let (wake, woken) = mpsc::unbounded_channel();
        let hub = Hub {
            db,
            capacity,
            channels: Mutex::default(),
            wake,
            catch_ups: Arc::new(Semaphore::new(catch_ups.max(1))),
            counters,
        };
        (hub, woken)
    }

    /// Tells the hub that `workspace` has new sequenced events.
    pub fn wake(&self, workspace: Uuid) {
        let _ = self.wake.send(Some(workspace));
    }

    /// Tells the hub to look at every workspace it has subscribers for
    /// (after notifications may have been lost).
    pub fn wake_all(&self) {
        let _ = self.wake.send(None);
    }

    /// Receives the live events of `workspace` from now on.
    pub async fn subscribe(&self, workspace: WorkspaceId) -> Result<broadcast::Receiver<Event>> {
        if let Some(receiver) = self.existing(workspace) {
            return Ok(receiver);
        }
        let cursor = sequencer::head(&self.db, workspace).await?;
        let receiver = {
            let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
            channels
                .entry(workspace.0)
                .or_insert_with(|| Channel {
                    sender: broadcast::channel(self.capacity).0,
                    cursor,
                })
                .sender
                .subscribe()
        };
        // Anything sequenced while the channel was being made.
        self.wake(workspace.0);
        Ok(receiver)
    }

    fn existing(&self, workspace: WorkspaceId) -> Option<broadcast::Receiver<Event>> {
        let channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
        channels.get(&workspace.0).map(|c| c.sender.subscribe())
    }

    /// Serves wake-ups until every sender is gone: reads each woken
    /// workspace's new events and broadcasts them in `seq` order.
    pub async fn run(&self, mut woken: mpsc::UnboundedReceiver<Option<Uuid>>) {
        let mut pending = HashSet::new();
        while let Some(first) = woken.recv().await {
            pending.clear();
            let mut all = first.is_none();
            pending.extend(first);
            while let Ok(next) = woken.try_recv() {
                match next {
                    Some(workspace) => {
                        pending.insert(workspace);
                    }
                    None => all = true,
                }
            }
            if all {
                let channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
                pending.extend(channels.keys().copied());
            }
            for workspace in pending.iter().copied() {
                if let Err(error) = self.publish(workspace).await {
                    error.log_if_internal();
                }
            }
        }
    }

    /// Broadcasts `workspace`'s events after its channel's cursor.
    async fn publish(&self, workspace: Uuid) -> Result<()> {
        loop {
            let cursor = {
                let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
                match channels.get(&workspace) {
                    None => return Ok(()),
                    Some(channel) if channel.sender.receiver_count() == 0 => {
                        channels.remove(&workspace);
                        return Ok(());
                    }
                    Some(channel) => channel.cursor,
                }
            };
            let events = page_after(&self.db, WorkspaceId(workspace), cursor, PAGE).await?;
            let full = events.len() as u64 == PAGE;
            let mut channels = self.channels.lock().unwrap_or_else(|e| e.into_inner());
            let Some(channel) = channels.get_mut(&workspace) else {
                return Ok(());
            };
            for event in events {
                channel.cursor = event.seq.unwrap_or(channel.cursor);
                let _no_subscribers = channel.sender.send(LiveEvent::new(event));
                self.counters.broadcast.fetch_add(1, Ordering::Relaxed);
            }
            if !full {
                return Ok(());
            }
        }
    }
}

/// Up to `limit` events of `workspace` after `seq`, in order.
pub async fn page_after(
    db: &DatabaseConnection,
    workspace: WorkspaceId,
    seq: i64,
    limit: u64,
) -> Result<Vec<domain_event::Model>> {
    Ok(domain_event::Entity::find_in(workspace)
        .filter(domain_event::Column::Seq.gt(seq))
        .order_by_asc(domain_event::Column::Seq)
        .limit(limit)
        .all(db)
        .await?)
}

/// One subscriber's lossless, ordered view of a workspace's events after a
/// given `seq`: the stored ones first, then live ones, with no gap and no
/// duplicate at the seam.
pub struct Feed {
    db: DatabaseConnection,
    workspace: WorkspaceId,
    live: broadcast::Receiver<Event>,
    /// The last `seq` handed out (or skipped over).
    last: i64,
    backlog: VecDeque<Event>,
    /// The last database read filled a page: there may be more stored.
    more_stored: bool,
    catch_ups: Arc<Semaphore>,
    counters: Arc<LiveCounters>,
}

impl Feed {
    /// A feed of `workspace` after `after`, or from now on when `None`.
    pub async fn open(hub: &Hub, workspace: WorkspaceId, after: Option<i64>) -> Result<Feed> {
        // Subscribe before reading the head, so nothing falls in between.
        let live = hub.subscribe(workspace).await?;
        let last = match after {
            Some(after) => after.max(0),
            None => sequencer::head(&hub.db, workspace).await?,
        };
        Ok(Feed {
            db: hub.db.clone(),
            workspace,
            live,
            last,
            backlog: VecDeque::new(),
            more_stored: after.is_some(),
            catch_ups: hub.catch_ups.clone(),
            counters: hub.counters.clone(),
        })
    }

    /// The `seq` of the last event handed out (or skipped over).
    pub fn position(&self) -> i64 {
        self.last
    }

    /// The next event, in `seq` order; `None` when the server is stopping.
    pub async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.backlog.pop_front() {
                self.last = event.seq.unwrap_or(self.last);
                return Some(event);
            }
            if self.more_stored {
                if let Err(error) = self.catch_up().await {
                    // The database is busy or away: try again shortly; the
                    // position is kept, so nothing is lost.
                    error.log_if_internal();
                    tokio::time::sleep(RETRY).await;
                }
                continue;
            }
            match self.live.recv().await {
                Ok(event) => {
                    let seq = event.seq.unwrap_or(0);
                    if seq <= self.last {
                        continue;
                    }
                    if seq == self.last + 1 {
                        self.last = seq;
                        return Some(event);
                    }
                    // A gap: read it from the database, this event included.
                    self.more_stored = true;
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    self.counters.lagged.fetch_add(1, Ordering::Relaxed);
                    self.more_stored = true;
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    async fn catch_up(&mut self) -> Result<()> {
        let (db, workspace, last) = (self.db.clone(), self.workspace, self.last);
        let permit = self.catch_ups.clone().acquire_owned().await.map_err(|_| {
            crate::Error::Internal(anyhow::anyhow!("the catch-up semaphore closed"))
        })?;
        let events = super::detached(async move {
            let page = page_after(&db, workspace, last, PAGE).await;
            drop(permit);
            page
        })
        .await?;
        self.more_stored = events.len() as u64 == PAGE;
        self.counters
            .replayed
            .fetch_add(events.len() as u64, Ordering::Relaxed);
        self.backlog.extend(events.into_iter().map(LiveEvent::new));
        Ok(())
    }
}
