//! Shared execution of subscriptions (DESIGN.md section 1). Subscribers
//! whose operation, variables, workspace and permissions are the same get
//! one execution per event or snapshot, and each of them the same result:
//! a board moved in front of ten thousand sockets is resolved once, not ten
//! thousand times.
//!
//! What stays per subscriber: its operation is parsed, validated, priced
//! and access-checked on its own (a probe run of the subscription field,
//! which stops after its checks — see [`probing`]); only resolving results
//! is shared. Results depend on the viewer only through the workspace and
//! the permissions (role or token scopes), which is what the key holds.
//!
//! Shared streams: `pipelineEvents` and `events` without `after`, and the
//! snapshot streams `pipelineBoard` and `dashboard`. Everything else (a
//! replay with `after`, `timeline`, `notifications`, fragments or
//! directives at the root) runs on its own, as before.
//!
//! A subscriber that falls behind the shared channel leaves it: an event
//! stream carries on by itself after the last event it received (replayed
//! from the stored events, so nothing is lost), a snapshot stream skips to
//! the newest snapshot.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, Weak,
        atomic::{AtomicI64, Ordering},
    },
};

use async_graphql::{
    Context, Data, Executor, Name, Request, Response, Value, Variables,
    parser::types::{DocumentOperations, OperationType, Selection},
};
use futures_util::{
    StreamExt,
    stream::{self, BoxStream},
};
use tokio::sync::broadcast;
use uuid::Uuid;

use super::PulseSchema;
use crate::{
    domain::access::{Principal, ScopeSet, Viewer},
    live::hub::LiveCounters,
};
use entity::enums::Role;

/// Request data of a subscriber joining a shared stream: the subscription
/// field checks access and arguments as usual, then streams nothing.
pub struct Probe;

/// Request data of a subscriber that left a shared event stream: carry on
/// after this event.
pub struct ResumeAfter(pub i64);

/// Request data of a shared event stream's execution: where its feed is.
pub struct Position {
    /// Where the feed started; -1 until it opens.
    opened: AtomicI64,
    /// The last event the feed handed out; -1 until then.
    at: AtomicI64,
}

impl Position {
    fn unset() -> Position {
        Position {
            opened: AtomicI64::new(-1),
            at: AtomicI64::new(-1),
        }
    }

    fn read(cell: &AtomicI64) -> Option<i64> {
        Some(cell.load(Ordering::Acquire)).filter(|at| *at >= 0)
    }
}

/// Whether this execution is a probe ([`Probe`]): the field has done its
/// checks and should return an empty stream.
pub fn probing(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<Probe>().is_some()
}

/// Where a subscriber that left a shared stream carries on from.
pub fn resume_after(ctx: &Context<'_>) -> Option<i64> {
    ctx.data_opt::<ResumeAfter>().map(|resume| resume.0)
}

/// Records, for a shared execution, that its feed opened at `start`; returns
/// what to call with each event's `seq` as the feed hands it out.
pub fn track(ctx: &Context<'_>, start: i64) -> impl Fn(Option<i64>) + Send + Sync + 'static {
    let position = ctx.data_opt::<Arc<Position>>().cloned();
    if let Some(position) = &position {
        position.opened.store(start, Ordering::Release);
        position.at.store(start, Ordering::Release);
    }
    move |seq| {
        if let (Some(position), Some(seq)) = (&position, seq) {
            position.at.store(seq, Ordering::Release);
        }
    }
}

/// The schema as the WebSocket transport's executor, sharing what can be
/// shared; cheap to clone.
#[derive(Clone)]
pub struct SharedStreams {
    schema: PulseSchema,
    groups: Arc<Mutex<HashMap<Key, Weak<Group>>>>,
    /// Results held for a subscriber that is behind (the live buffer).
    capacity: usize,
    counters: Arc<LiveCounters>,
}

impl SharedStreams {
    /// Executes on `schema`; a shared channel holds `capacity` results.
    pub fn new(schema: PulseSchema, capacity: usize, counters: Arc<LiveCounters>) -> Self {
        SharedStreams {
            schema,
            groups: Arc::default(),
            capacity: capacity.max(1),
            counters,
        }
    }

    /// The running group of `key`, if any (dropped outside the lock).
    fn running(&self, key: &Key) -> Option<Arc<Group>> {
        let group = self.lock().get(key).and_then(Weak::upgrade);
        group.filter(|group| group.running())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Weak<Group>>> {
        self.groups.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A subscriber's stream: joins the key's group after a probe, or
    /// starts the group.
    async fn open(
        self,
        operation: Operation,
        session: Arc<Data>,
        key: Key,
        sharing: Sharing,
    ) -> BoxStream<'static, Response> {
        if let Some(group) = self.running(&key) {
            let mut probe = self
                .schema
                .execute_stream_with_session_data(operation.request().data(Probe), session.clone());
            while let Some(response) = probe.next().await {
                if response.is_err() {
                    return stream::once(async move { response }).boxed();
                }
            }
            if let Some(joined) = group.join() {
                self.counters.shared_joins.fetch_add(1, Ordering::Relaxed);
                return self.follow(group, joined, operation, session);
            }
        }
        let position = Arc::new(Position::unset());
        let upstream = self.schema.execute_stream_with_session_data(
            operation.request().data(position.clone()),
            session.clone(),
        );
        let (group, joined) = Group::start(
            upstream,
            sharing,
            position,
            self.capacity,
            self.counters.clone(),
            key.clone(),
            Arc::downgrade(&self.groups),
        );
        self.lock().insert(key, Arc::downgrade(&group));
        self.follow(group, joined, operation, session)
    }

    /// Follows `group` from `joined`, leaving it when behind.
    fn follow(
        self,
        group: Arc<Group>,
        joined: Joined,
        operation: Operation,
        session: Arc<Data>,
    ) -> BoxStream<'static, Response> {
        let follower = Follower {
            streams: self,
            operation,
            session,
            place: Place::Shared {
                group,
                receiver: joined.receiver,
                first: joined.latest,
                position: joined.position,
            },
        };
        stream::unfold(follower, |mut follower| async move {
            let response = follower.next().await?;
            Some((response, follower))
        })
        .boxed()
    }
}

/// One subscriber of a shared stream.
struct Follower {
    streams: SharedStreams,
    operation: Operation,
    session: Arc<Data>,
    place: Place,
}

/// Where a subscriber gets its results.
enum Place {
    /// From its group.
    Shared {
        group: Arc<Group>,
        receiver: broadcast::Receiver<Arc<Item>>,
        /// For snapshots: the newest when it joined, to send first.
        first: Option<Arc<Item>>,
        /// For events: the last event it got (or the last sent before it
        /// joined).
        position: Option<i64>,
    },
    /// From an execution of its own, after falling behind its group.
    Alone(BoxStream<'static, Response>),
}

impl Follower {
    async fn next(&mut self) -> Option<Response> {
        loop {
            let (group, position) = match &mut self.place {
                Place::Alone(own) => return own.next().await,
                Place::Shared {
                    group,
                    receiver,
                    first,
                    position,
                } => {
                    if let Some(item) = first.take() {
                        return Some(item.response());
                    }
                    match receiver.recv().await {
                        Ok(item) => {
                            *position = item.position.or(*position);
                            return Some(item.response());
                        }
                        Err(broadcast::error::RecvError::Closed) => return None,
                        Err(broadcast::error::RecvError::Lagged(_)) => (group.clone(), *position),
                    }
                }
            };
            self.streams.counters.lagged.fetch_add(1, Ordering::Relaxed);
            self.place = self.behind(group, position)?;
        }
    }

    /// Where a subscriber that fell behind `group` goes: to the newest
    /// snapshot, or on its own after the last event it got.
    fn behind(&self, group: Arc<Group>, position: Option<i64>) -> Option<Place> {
        match group.sharing {
            Sharing::Snapshots => {
                let joined = group.join()?;
                Some(Place::Shared {
                    group,
                    receiver: joined.receiver,
                    first: joined.latest,
                    position: None,
                })
            }
            Sharing::Events => {
                let mut request = self.operation.request();
                if let Some(after) = position.or_else(|| Position::read(&group.position.opened)) {
                    request = request.data(ResumeAfter(after));
                }
                Some(Place::Alone(
                    self.streams
                        .schema
                        .execute_stream_with_session_data(request, self.session.clone()),
                ))
            }
        }
    }
}

impl Executor for SharedStreams {
    async fn execute(&self, request: Request) -> Response {
        self.schema.execute(request).await
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let session = session_data.unwrap_or_default();
        let Some((key, sharing)) = shareable(&request, &session) else {
            return self
                .schema
                .execute_stream_with_session_data(request, session);
        };
        let operation = Operation {
            query: request.query,
            name: request.operation_name,
            variables: request.variables,
        };
        stream::once(self.clone().open(operation, session, key, sharing))
            .flatten()
            .boxed()
    }
}

/// What a subscriber asked for, to run again as a probe or on its own.
#[derive(Clone)]
struct Operation {
    query: String,
    name: Option<String>,
    variables: Variables,
}

impl Operation {
    fn request(&self) -> Request {
        let request = Request::new(self.query.clone()).variables(self.variables.clone());
        match &self.name {
            Some(name) => request.operation_name(name.clone()),
            None => request,
        }
    }
}

/// How a shared stream's results relate to each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sharing {
    /// Each result is the whole state: a joiner starts from the newest, a
    /// subscriber that falls behind skips to it.
    Snapshots,
    /// Each result is one event: a joiner starts from the next, a
    /// subscriber that falls behind carries on by itself from its last.
    Events,
}

/// What makes two subscribers' results the same.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    workspace: Uuid,
    permissions: Permissions,
    query: String,
    operation: Option<String>,
    /// The variables as JSON (their map is ordered, so this is canonical).
    variables: String,
}

/// What the viewer may do, the part of a viewer results depend on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Permissions {
    Role(Role),
    Scopes(ScopeSet),
}

/// The key and kind of sharing of a request, when it can be shared.
fn shareable(request: &Request, session: &Data) -> Option<(Key, Sharing)> {
    if !request.extensions.is_empty() || !request.uploads.is_empty() {
        return None;
    }
    let viewer = session
        .get(&std::any::TypeId::of::<Viewer>())
        .and_then(|viewer| viewer.downcast_ref::<Viewer>())?;
    let document = async_graphql::parser::parse_query(&request.query).ok()?;
    let operation = match (&document.operations, &request.operation_name) {
        (DocumentOperations::Single(operation), _) => operation,
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name.as_str())?,
        (DocumentOperations::Multiple(_), None) => return None,
    };
    if operation.node.ty != OperationType::Subscription || !operation.node.directives.is_empty() {
        return None;
    }
    let [root] = operation.node.selection_set.node.items.as_slice() else {
        return None;
    };
    let Selection::Field(field) = &root.node else {
        return None;
    };
    let field = &field.node;
    // `after` counts when given: not null, and not a variable that is
    // missing (without a default) or null.
    let variable = |name: Name| -> Result<Value, ()> {
        let default = || {
            operation
                .node
                .variable_definitions
                .iter()
                .find(|definition| definition.node.name.node == name)
                .and_then(|definition| definition.node.default_value.clone())
                .map(|value| value.node)
        };
        Ok(request
            .variables
            .get(&name)
            .cloned()
            .or_else(default)
            .unwrap_or(Value::Null))
    };
    let replays = field.arguments.iter().any(|(name, value)| {
        name.node.as_str() == "after"
            && value
                .node
                .clone()
                .into_const_with(variable)
                .is_ok_and(|value| value != Value::Null)
    });
    if !field.directives.is_empty() || replays {
        return None;
    }
    let sharing = match field.name.node.as_str() {
        "pipelineBoard" | "dashboard" => Sharing::Snapshots,
        "pipelineEvents" | "events" => Sharing::Events,
        _ => return None,
    };
    let permissions = match &viewer.principal {
        Principal::User { role, .. } => Permissions::Role(*role),
        Principal::ApiToken { scopes, .. } => Permissions::Scopes(scopes.clone()),
    };
    let key = Key {
        workspace: viewer.workspace.0,
        permissions,
        query: request.query.clone(),
        operation: request.operation_name.clone(),
        variables: serde_json::to_string(&request.variables).ok()?,
    };
    Some((key, sharing))
}

/// One result of a shared execution.
struct Item {
    response: Response,
    /// For events: the `seq` of the event it came from.
    position: Option<i64>,
}

impl Item {
    /// A copy of the result for one subscriber (`Response` is not `Clone`).
    fn response(&self) -> Response {
        let shared = &self.response;
        let mut response = Response::new(shared.data.clone());
        response.errors = shared.errors.clone();
        response.extensions = shared.extensions.clone();
        response.cache_control = shared.cache_control;
        response.http_headers = shared.http_headers.clone();
        response
    }
}

/// The subscribers of one key and the execution they share; the execution
/// stops when the last subscriber leaves.
struct Group {
    sharing: Sharing,
    state: Arc<Mutex<GroupState>>,
    position: Arc<Position>,
    execution: tokio::task::AbortHandle,
    key: Key,
    groups: Weak<Mutex<HashMap<Key, Weak<Group>>>>,
}

struct GroupState {
    /// None once the execution has ended.
    sender: Option<broadcast::Sender<Arc<Item>>>,
    /// The newest result.
    latest: Option<Arc<Item>>,
}

/// Where a subscriber joins a group.
struct Joined {
    receiver: broadcast::Receiver<Arc<Item>>,
    /// For snapshots: the newest, to send first.
    latest: Option<Arc<Item>>,
    /// For events: the last event sent before joining.
    position: Option<i64>,
}

impl Group {
    fn start(
        mut upstream: BoxStream<'static, Response>,
        sharing: Sharing,
        position: Arc<Position>,
        capacity: usize,
        counters: Arc<LiveCounters>,
        key: Key,
        groups: Weak<Mutex<HashMap<Key, Weak<Group>>>>,
    ) -> (Arc<Group>, Joined) {
        // The starter's place is taken before the execution runs, so even
        // an immediate error reaches it.
        let (sender, receiver) = broadcast::channel(capacity);
        let joined = Joined {
            receiver,
            latest: None,
            position: None,
        };
        let state = Arc::new(Mutex::new(GroupState {
            sender: Some(sender),
            latest: None,
        }));
        let (shared, at) = (state.clone(), position.clone());
        let execution = tokio::spawn(async move {
            while let Some(response) = upstream.next().await {
                counters.shared_results.fetch_add(1, Ordering::Relaxed);
                let item = Arc::new(Item {
                    response,
                    position: Position::read(&at.at),
                });
                let mut state = shared.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(sender) = &state.sender {
                    // No receivers: everyone left; the abort follows.
                    let _none = sender.send(item.clone());
                }
                state.latest = Some(item);
            }
            shared.lock().unwrap_or_else(|e| e.into_inner()).sender = None;
        })
        .abort_handle();
        let group = Arc::new(Group {
            sharing,
            state,
            position,
            execution,
            key,
            groups,
        });
        (group, joined)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GroupState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn running(&self) -> bool {
        self.lock().sender.is_some()
    }

    /// A place in the group, unless its execution has ended.
    fn join(&self) -> Option<Joined> {
        let state = self.lock();
        let receiver = state.sender.as_ref()?.subscribe();
        let latest = state.latest.clone();
        Some(match self.sharing {
            Sharing::Snapshots => Joined {
                receiver,
                latest,
                position: None,
            },
            Sharing::Events => Joined {
                receiver,
                position: latest.and_then(|item| item.position),
                latest: None,
            },
        })
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.execution.abort();
        if let Some(groups) = self.groups.upgrade() {
            let mut groups = groups.lock().unwrap_or_else(|e| e.into_inner());
            if groups
                .get(&self.key)
                .is_some_and(|group| group.strong_count() == 0)
            {
                groups.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use entity::WorkspaceId;
    use serde_json::json;

    use super::*;

    const EVENTS: &str = "subscription ($p: ID!, $after: Seq) {
        pipelineEvents(pipelineId: $p, after: $after) { seq } }";

    fn session(role: Role) -> Data {
        let mut data = Data::default();
        data.insert(Viewer {
            workspace: WorkspaceId(Uuid::nil()),
            principal: Principal::User {
                id: Uuid::now_v7(),
                role,
                team_id: None,
                session: None,
            },
        });
        data
    }

    fn request(query: &str, variables: serde_json::Value) -> Request {
        Request::new(query).variables(Variables::from_json(variables))
    }

    fn sharing(query: &str, variables: serde_json::Value) -> Option<Sharing> {
        shareable(&request(query, variables), &session(Role::Member)).map(|(_, sharing)| sharing)
    }

    #[test]
    fn live_streams_are_shared_and_replays_are_not() {
        assert_eq!(sharing(EVENTS, json!({ "p": "x" })), Some(Sharing::Events));
        assert_eq!(
            sharing(EVENTS, json!({ "p": "x", "after": null })),
            Some(Sharing::Events)
        );
        assert_eq!(sharing(EVENTS, json!({ "p": "x", "after": "5" })), None);
        assert_eq!(
            sharing("subscription { events(after: \"5\") { seq } }", json!({})),
            None
        );
        assert_eq!(
            sharing(
                "subscription ($after: Seq = \"5\") { events(after: $after) { seq } }",
                json!({})
            ),
            None
        );
        assert_eq!(
            sharing(
                "subscription { pipelineBoard(pipelineId: \"x\") { computedAt } }",
                json!({})
            ),
            Some(Sharing::Snapshots)
        );
        for own in [
            "subscription { notifications { title } }",
            "subscription { timeline(contactId: \"x\") { __typename } }",
            "subscription { ...F } fragment F on Subscription { events { seq } }",
            "subscription { events @include(if: true) { seq } }",
            "query { __typename }",
        ] {
            assert_eq!(sharing(own, json!({})), None, "{own}");
        }
    }

    #[test]
    fn the_key_holds_permissions_not_people() {
        let key = |role| {
            shareable(&request(EVENTS, json!({ "p": "x" })), &session(role)).map(|(key, _)| key)
        };
        // Two members (different user ids) share; a viewer does not.
        assert_eq!(key(Role::Member), key(Role::Member));
        assert_ne!(key(Role::Member), key(Role::Viewer));
        assert_ne!(
            shareable(
                &request(EVENTS, json!({ "p": "y" })),
                &session(Role::Member)
            ),
            shareable(
                &request(EVENTS, json!({ "p": "x" })),
                &session(Role::Member)
            )
        );
    }
}
