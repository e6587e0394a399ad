//! DataLoaders behind the customer-360 fields: every nested field of a list
//! is one batched statement however many parents the page has (no N+1).
//! Built once per request (and per WebSocket connection) for its viewer, so
//! every batch is scoped to the viewer's workspace and permissions.

use std::{collections::HashMap, sync::Arc, time::Duration};

use async_graphql::{
    ErrorExtensions,
    dataloader::{DataLoader, HashMapCache, Loader},
};
use entity::{
    activity, contact, deal,
    enums::{DealStatus, EntityType},
    note, organization, pipeline, stage, tag, ticket, user,
};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::domain::{
    access::{Action, Area, Viewer},
    crm::{
        read::{self, Stats, top_per_parent},
        timeline::{self, Timeline},
    },
};

/// How long a loader waits to collect a batch (async-graphql's default).
/// Time windows alone do not bound the statements of a page: measured on a
/// multi-threaded runtime, a customer-360 page of 50 contacts split its
/// batches into 55 to 200 statements even at 5 ms, because the rows' nested
/// fields resolve a few at a time. List resolvers therefore prime the cache
/// for the whole page (`graphql::prefetch`); the window only batches what
/// they do not know in advance.
const BATCH_DELAY: Duration = Duration::from_millis(1);

/// Most rows a nested list (a contact's deals, notes …) returns.
pub const NESTED_LIMIT: u64 = 100;

/// The loader of one request.
pub struct CrmLoader {
    db: DatabaseConnection,
    viewer: Viewer,
}

/// The loader type resolvers find in the context.
pub type Loaders = DataLoader<CrmLoader, HashMapCache>;

/// Builds a request's loader. Its cache lives as long as the request, so the
/// list resolvers can prime it (see `graphql::prefetch`) and mutations clear
/// it before they answer.
pub fn for_viewer(db: DatabaseConnection, viewer: Viewer) -> Loaders {
    DataLoader::with_cache(
        CrmLoader { db, viewer },
        tokio::spawn,
        HashMapCache::default(),
    )
    .delay(BATCH_DELAY)
}

/// Marks a context whose loader keeps no cache, where priming would only
/// load everything twice.
#[derive(Clone, Copy, Debug)]
pub struct Uncached;

/// Builds a WebSocket connection's loader: it lives as long as the
/// connection, so it keeps no cache (every operation reads fresh rows);
/// the connection's data also gets [`Uncached`].
pub fn for_connection(db: DatabaseConnection, viewer: Viewer) -> Loaders {
    let loader = for_viewer(db, viewer);
    loader.enable_all_cache(false);
    loader
}

/// Forgets everything cached, so what a mutation answers reflects its writes.
pub fn clear(loader: &Loaders) {
    loader.clear::<OrganizationById>();
    loader.clear::<ContactById>();
    loader.clear::<DealById>();
    loader.clear::<UserById>();
    loader.clear::<StageById>();
    loader.clear::<PipelineById>();
    loader.clear::<ContactsOf>();
    loader.clear::<DealsOf>();
    loader.clear::<ActivitiesOf>();
    loader.clear::<TicketsOf>();
    loader.clear::<NotesOf>();
    loader.clear::<TagsOf>();
    loader.clear::<StatsOf>();
    loader.clear::<TimelineOf>();
    loader.clear::<OpenDealsInStage>();
}

type LoadResult<K, V> = Result<HashMap<K, V>, async_graphql::Error>;

fn ids<K: Copy, T>(keys: &[K], f: impl Fn(K) -> T) -> Vec<T> {
    keys.iter().map(|k| f(*k)).collect()
}

/// Whose list a nested field loads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A contact's.
    Contact(Uuid),
    /// An organization's.
    Organization(Uuid),
}

impl Owner {
    fn id(self) -> Uuid {
        match self {
            Owner::Contact(id) | Owner::Organization(id) => id,
        }
    }

    fn column(self) -> &'static str {
        match self {
            Owner::Contact(_) => "contact_id",
            Owner::Organization(_) => "organization_id",
        }
    }
}

/// Groups keys by a batch parameter and the owner column.
fn group<K: Copy, P: Eq + std::hash::Hash + Copy>(
    keys: &[K],
    param: impl Fn(K) -> (Owner, P),
) -> HashMap<(&'static str, P), Vec<K>> {
    let mut groups: HashMap<(&'static str, P), Vec<K>> = HashMap::new();
    for key in keys {
        let (owner, p) = param(*key);
        groups.entry((owner.column(), p)).or_default().push(*key);
    }
    groups
}

macro_rules! by_id_loader {
    ($key:ident, $entity:ident, $area:expr) => {
        /// Loads a row by id.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub Uuid);

        impl Loader<$key> for CrmLoader {
            type Value = $entity::Model;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, $entity::Model> {
                self.viewer
                    .require($area, Action::Read)
                    .map_err(|e| e.extend())?;
                let rows = read::by_ids::<$entity::Entity>(
                    &self.db,
                    self.viewer.workspace,
                    &ids(keys, |k| k.0),
                    |r| r.id,
                )
                .await
                .map_err(|e| e.extend())?;
                Ok(rows.into_iter().map(|(id, row)| ($key(id), row)).collect())
            }
        }
    };
}

by_id_loader!(OrganizationById, organization, Area::Organizations);
by_id_loader!(ContactById, contact, Area::Contacts);
by_id_loader!(DealById, deal, Area::Deals);
by_id_loader!(UserById, user, Area::Users);
by_id_loader!(StageById, stage, Area::Pipelines);
by_id_loader!(PipelineById, pipeline, Area::Pipelines);

/// An organization's contacts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ContactsOf(pub Uuid);

impl Loader<ContactsOf> for CrmLoader {
    type Value = Vec<contact::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ContactsOf]) -> LoadResult<ContactsOf, Vec<contact::Model>> {
        self.viewer
            .require(Area::Contacts, Action::Read)
            .map_err(|e| e.extend())?;
        let parents = ids(keys, |k| k.0);
        let rows = top_per_parent::<contact::Model>(
            &self.db,
            self.viewer.workspace,
            "contact",
            "organization_id",
            &parents,
            "t.last_name, t.first_name, t.id",
            "AND t.archived_at IS NULL",
            NESTED_LIMIT,
        )
        .await
        .map_err(|e| e.extend())?;
        Ok(rows
            .into_iter()
            .map(|(id, v)| (ContactsOf(id), v))
            .collect())
    }
}

/// A customer's deals, optionally of one status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DealsOf(pub Owner, pub Option<DealStatus>);

impl Loader<DealsOf> for CrmLoader {
    type Value = Vec<deal::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[DealsOf]) -> LoadResult<DealsOf, Vec<deal::Model>> {
        self.viewer
            .require(Area::Deals, Action::Read)
            .map_err(|e| e.extend())?;
        let mut out = HashMap::new();
        for ((column, status), keys) in group(keys, |k| (k.0, k.1)) {
            let filter = match status {
                Some(DealStatus::Open) => "AND t.archived_at IS NULL AND t.status = 'open'",
                Some(DealStatus::Won) => "AND t.archived_at IS NULL AND t.status = 'won'",
                Some(DealStatus::Lost) => "AND t.archived_at IS NULL AND t.status = 'lost'",
                None => "AND t.archived_at IS NULL",
            };
            let parents = ids(&keys, |k| k.0.id());
            let rows = top_per_parent::<deal::Model>(
                &self.db,
                self.viewer.workspace,
                "deal",
                column,
                &parents,
                "t.created_at DESC, t.id DESC",
                filter,
                NESTED_LIMIT,
            )
            .await
            .map_err(|e| e.extend())?;
            for key in keys {
                out.insert(key, rows.get(&key.0.id()).cloned().unwrap_or_default());
            }
        }
        Ok(out)
    }
}

/// A customer's activities: upcoming (not done, soonest first), past
/// (done, latest first) or all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ActivitiesOf(pub Owner, pub Option<bool>);

impl Loader<ActivitiesOf> for CrmLoader {
    type Value = Vec<activity::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ActivitiesOf]) -> LoadResult<ActivitiesOf, Vec<activity::Model>> {
        self.viewer
            .require(Area::Activities, Action::Read)
            .map_err(|e| e.extend())?;
        let mut out = HashMap::new();
        for ((column, upcoming), keys) in group(keys, |k| (k.0, k.1)) {
            let (order, filter) = match upcoming {
                Some(true) => (
                    "t.due_at ASC, t.id ASC",
                    "AND t.archived_at IS NULL AND t.done_at IS NULL",
                ),
                Some(false) => (
                    "t.done_at DESC, t.id DESC",
                    "AND t.archived_at IS NULL AND t.done_at IS NOT NULL",
                ),
                None => ("t.created_at DESC, t.id DESC", "AND t.archived_at IS NULL"),
            };
            let parents = ids(&keys, |k| k.0.id());
            let rows = top_per_parent::<activity::Model>(
                &self.db,
                self.viewer.workspace,
                "activity",
                column,
                &parents,
                order,
                filter,
                NESTED_LIMIT,
            )
            .await
            .map_err(|e| e.extend())?;
            for key in keys {
                out.insert(key, rows.get(&key.0.id()).cloned().unwrap_or_default());
            }
        }
        Ok(out)
    }
}

macro_rules! nested_list_loader {
    ($key:ident, $entity:ident, $table:literal, $area:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub Owner);

        impl Loader<$key> for CrmLoader {
            type Value = Vec<$entity::Model>;
            type Error = async_graphql::Error;

            async fn load(&self, keys: &[$key]) -> LoadResult<$key, Vec<$entity::Model>> {
                self.viewer
                    .require($area, Action::Read)
                    .map_err(|e| e.extend())?;
                let mut out = HashMap::new();
                for ((column, ()), keys) in group(keys, |k| (k.0, ())) {
                    let parents = ids(&keys, |k| k.0.id());
                    let rows = top_per_parent::<$entity::Model>(
                        &self.db,
                        self.viewer.workspace,
                        $table,
                        column,
                        &parents,
                        "t.created_at DESC, t.id DESC",
                        "AND t.archived_at IS NULL",
                        NESTED_LIMIT,
                    )
                    .await
                    .map_err(|e| e.extend())?;
                    for key in keys {
                        out.insert(key, rows.get(&key.0.id()).cloned().unwrap_or_default());
                    }
                }
                Ok(out)
            }
        }
    };
}

nested_list_loader!(
    TicketsOf,
    ticket,
    "ticket",
    Area::Tickets,
    "A customer's tickets, newest first."
);
nested_list_loader!(
    NotesOf,
    note,
    "note",
    Area::Notes,
    "A customer's notes, newest first."
);

/// A record's tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TagsOf(pub EntityType, pub Uuid);

impl Loader<TagsOf> for CrmLoader {
    type Value = Vec<tag::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[TagsOf]) -> LoadResult<TagsOf, Vec<tag::Model>> {
        let mut by_type: HashMap<EntityType, Vec<Uuid>> = HashMap::new();
        for key in keys {
            by_type.entry(key.0).or_default().push(key.1);
        }
        let mut out = HashMap::new();
        for (entity_type, ids) in by_type {
            let tags = read::tags_of(&self.db, &self.viewer, entity_type, &ids)
                .await
                .map_err(|e| e.extend())?;
            for id in ids {
                out.insert(
                    TagsOf(entity_type, id),
                    tags.get(&id).cloned().unwrap_or_default(),
                );
            }
        }
        Ok(out)
    }
}

/// A customer's deal figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StatsOf(pub Owner);

impl Loader<StatsOf> for CrmLoader {
    type Value = Stats;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[StatsOf]) -> LoadResult<StatsOf, Stats> {
        let mut out = HashMap::new();
        for ((column, ()), keys) in group(keys, |k| (k.0, ())) {
            let parents = ids(&keys, |k| k.0.id());
            let stats = read::deal_stats(&self.db, &self.viewer, column, &parents)
                .await
                .map_err(|e| e.extend())?;
            for key in keys {
                out.insert(key, stats.get(&key.0.id()).cloned().unwrap_or_default());
            }
        }
        Ok(out)
    }
}

/// A page of a customer's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TimelineOf(pub Arc<timeline::Query>, pub Uuid);

impl Loader<TimelineOf> for CrmLoader {
    type Value = Timeline;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[TimelineOf]) -> LoadResult<TimelineOf, Timeline> {
        let mut by_query: HashMap<Arc<timeline::Query>, Vec<Uuid>> = HashMap::new();
        for key in keys {
            by_query.entry(key.0.clone()).or_default().push(key.1);
        }
        let mut out = HashMap::new();
        for (query, parents) in by_query {
            let loaded = timeline::load(&self.db, &self.viewer, &query, &parents)
                .await
                .map_err(|e| e.extend())?;
            for parent in parents {
                out.insert(
                    TimelineOf(query.clone(), parent),
                    loaded.get(&parent).cloned().unwrap_or_default(),
                );
            }
        }
        Ok(out)
    }
}

/// The open deals of a stage in board order (by position).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OpenDealsInStage(pub Uuid);

impl Loader<OpenDealsInStage> for CrmLoader {
    type Value = Vec<deal::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[OpenDealsInStage],
    ) -> LoadResult<OpenDealsInStage, Vec<deal::Model>> {
        self.viewer
            .require(Area::Deals, Action::Read)
            .map_err(|e| e.extend())?;
        let parents = ids(keys, |k| k.0);
        let rows = top_per_parent::<deal::Model>(
            &self.db,
            self.viewer.workspace,
            "deal",
            "stage_id",
            &parents,
            "t.position ASC, t.id ASC",
            "AND t.archived_at IS NULL AND t.status = 'open'",
            NESTED_LIMIT,
        )
        .await
        .map_err(|e| e.extend())?;
        Ok(parents
            .into_iter()
            .map(|id| {
                (
                    OpenDealsInStage(id),
                    rows.get(&id).cloned().unwrap_or_default(),
                )
            })
            .collect())
    }
}
