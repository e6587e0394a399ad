//! Coalesced snapshots: a board or dashboard is computed once per distinct
//! key, when its inputs change, at most once per coalescing interval, and
//! the one shared result goes to every subscriber of that key.
//!
//! Each key has one task and one `watch` channel. A `watch` channel holds
//! only the latest value, so a subscriber that stops reading costs nothing
//! while it is away and gets the current snapshot when it reads again.

use std::{
    collections::HashMap,
    future::Future,
    hash::Hash,
    sync::{Arc, Mutex, atomic::Ordering},
    time::Duration,
};

use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;

use super::hub::{Event, LiveCounters};
use crate::error::Result;

/// A value worth pushing only when it changed.
pub trait Snapshot: Send + Sync + 'static {
    /// Whether `self` shows subscribers nothing new over `previous`.
    fn same_as(&self, previous: &Self) -> bool;
}

/// The latest snapshot of a key (`None` until the first is computed).
pub type Latest<V> = watch::Receiver<Option<Arc<V>>>;

/// The publishing end of each key's snapshots.
type Senders<K, V> = HashMap<K, Arc<watch::Sender<Option<Arc<V>>>>>;

/// The shared snapshots of one kind, by key.
pub struct Snapshots<K, V> {
    entries: Arc<Mutex<Senders<K, V>>>,
}

impl<K, V> Default for Snapshots<K, V> {
    fn default() -> Self {
        Snapshots {
            entries: Arc::default(),
        }
    }
}

/// What a snapshot task needs: how to compute the value, which events
/// change it, and where those events come from.
pub struct Source<C, R> {
    /// Computes the snapshot.
    pub compute: C,
    /// Whether an event changes the snapshot.
    pub relevant: R,
    /// The workspace's live events.
    pub events: broadcast::Receiver<Event>,
    /// Least time between two computations.
    pub interval: Duration,
    /// Counts computations.
    pub counters: Arc<LiveCounters>,
    /// Stops the task when the server stops.
    pub shutdown: CancellationToken,
}

impl<K, V> Snapshots<K, V>
where
    K: Clone + Eq + Hash + Send + Sync + 'static,
    V: Snapshot,
{
    /// Subscribes to `key`'s snapshots, starting its task with `source` if
    /// nobody was subscribed yet (else `source` is dropped).
    pub fn subscribe<C, F, R>(&self, key: K, source: Source<C, R>) -> Latest<V>
    where
        C: Fn() -> F + Send + 'static,
        F: Future<Output = Result<V>> + Send + 'static,
        R: Fn(&Event) -> bool + Send + 'static,
    {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sender) = entries.get(&key) {
            return sender.subscribe();
        }
        let (sender, receiver) = watch::channel(None);
        let sender = Arc::new(sender);
        entries.insert(key.clone(), sender.clone());
        let entries = self.entries.clone();
        tokio::spawn(maintain(key, sender, entries, source));
        receiver
    }
}

/// Keeps one key's snapshot fresh until its last subscriber leaves.
async fn maintain<K, V, C, F, R>(
    key: K,
    sender: Arc<watch::Sender<Option<Arc<V>>>>,
    entries: Arc<Mutex<Senders<K, V>>>,
    mut source: Source<C, R>,
) where
    K: Eq + Hash,
    V: Snapshot,
    C: Fn() -> F,
    F: Future<Output = Result<V>>,
    R: Fn(&Event) -> bool,
{
    loop {
        let started = tokio::time::Instant::now();
        match (source.compute)().await {
            Ok(value) => {
                source.counters.snapshots.fetch_add(1, Ordering::Relaxed);
                // Subscribers hear only of real changes.
                sender.send_if_modified(|latest| match latest {
                    Some(previous) if value.same_as(previous) => false,
                    _ => {
                        *latest = Some(Arc::new(value));
                        true
                    }
                });
            }
            Err(error) => error.log_if_internal(),
        }
        // Wait for a change, or for the last subscriber to leave.
        let changed = loop {
            tokio::select! {
                () = source.shutdown.cancelled() => break false,
                () = sender.closed() => {
                    if forget(&key, &sender, &entries) {
                        break false;
                    }
                }
                received = source.events.recv() => match received {
                    Ok(event) if (source.relevant)(&event) => break true,
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => break true,
                    Err(broadcast::error::RecvError::Closed) => break false,
                },
            }
        };
        if !changed {
            let mut entries = entries.lock().unwrap_or_else(|e| e.into_inner());
            if entries.get(&key).is_some_and(|s| Arc::ptr_eq(s, &sender)) {
                entries.remove(&key);
            }
            return;
        }
        // Coalesce: everything that arrives before the interval is over is
        // folded into the next computation.
        tokio::select! {
            () = source.shutdown.cancelled() => return,
            () = tokio::time::sleep_until(started + source.interval) => {}
        }
        while let Ok(_) | Err(broadcast::error::TryRecvError::Lagged(_)) = source.events.try_recv()
        {
        }
    }
}

/// Removes `key` if nobody subscribes to it any more; whether it did.
fn forget<K: Eq + Hash, V>(
    key: &K,
    sender: &Arc<watch::Sender<Option<Arc<V>>>>,
    entries: &Mutex<Senders<K, V>>,
) -> bool {
    let mut entries = entries.lock().unwrap_or_else(|e| e.into_inner());
    if sender.receiver_count() > 0 {
        return false;
    }
    if entries.get(key).is_some_and(|s| Arc::ptr_eq(s, sender)) {
        entries.remove(key);
    }
    true
}
