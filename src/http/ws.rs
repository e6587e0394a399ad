//! GraphQL over WebSocket at `/graphql/ws`, for both `graphql-transport-ws`
//! (the graphql-ws library's protocol) and the legacy `graphql-ws`
//! (subscriptions-transport-ws).
//!
//! async-graphql runs the protocol; this module wraps it with the connection
//! rules its default handler lacks: a `connection_init` deadline (4408),
//! subscribe before acknowledgement (4401), duplicate init (4429), duplicate
//! subscription ids (4409), malformed messages (4400), at most
//! `--ws-max-operations` operations at once (one more gets an `error`
//! message), and a close frame (1001) when the server shuts down instead of
//! a dropped connection. Subscriptions run on [`SharedStreams`], which
//! shares one execution among subscribers of the same stream.
//!
//! [`SharedStreams`]: crate::graphql::shared::SharedStreams
//!
//! It also authenticates: the `connection_init` payload must carry a valid
//! credential (`{"authorization": "Bearer …"}`), else 4403; the credential is
//! re-checked every few seconds and a socket whose token expired or was
//! revoked is closed with 4403.

use std::{
    collections::HashSet,
    str::FromStr,
    sync::{Arc, Mutex, atomic::Ordering},
    time::Duration,
};

use async_graphql::{
    Data,
    http::{
        ALL_WEBSOCKET_PROTOCOLS, WebSocket as GraphqlWebSocket, WebSocketProtocols as Protocols,
        WsMessage,
    },
};
use axum::{
    extract::{
        State,
        ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade},
    },
    http::StatusCode,
    response::{IntoResponse, Response},
};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::{auth, domain::access::Viewer, graphql::loaders, state::AppState};

/// Client messages queued for the protocol engine before reading pauses.
const CLIENT_BUFFER: usize = 16;
/// Bytes read from a socket at a time.
const READ_BUFFER: usize = 4 * 1024;
/// How long one outgoing frame may wait for a client that does not read.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// `GET /graphql/ws`: upgrades when the client offers a supported protocol.
pub async fn handler(State(state): State<AppState>, upgrade: WebSocketUpgrade) -> Response {
    // Small buffers: a socket mostly idles, and the defaults (128 KiB each
    // way) would cost ~150 KiB per subscriber. Frames still go out whole;
    // the write buffer only batches them.
    let upgrade = upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(state.config.limits.max_body_bytes)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0);
    let Some(protocol) = upgrade
        .selected_protocol()
        .and_then(|p| p.to_str().ok())
        .and_then(|p| Protocols::from_str(p).ok())
    else {
        return (
            StatusCode::BAD_REQUEST,
            "Sec-WebSocket-Protocol must offer graphql-transport-ws or graphql-ws.",
        )
            .into_response();
    };
    upgrade.on_upgrade(move |socket| {
        let sockets = state.sockets.clone();
        sockets.track_future(serve(state, socket, protocol))
    })
}

/// Why the server closed a socket.
#[derive(Debug, PartialEq)]
struct Close(u16, &'static str);

const SHUTTING_DOWN: Close = Close(1001, "Server shutting down");
const INIT_TIMEOUT: Close = Close(4408, "Connection initialisation timeout");
const UNAUTHORIZED: Close = Close(4401, "Unauthorized");
const TOO_MANY_INITS: Close = Close(4429, "Too many initialisation requests");
const INVALID_MESSAGE: Close = Close(4400, "Invalid message received");
const FORBIDDEN: Close = Close(4403, "Forbidden");

async fn serve(state: AppState, socket: WebSocket, protocol: Protocols) {
    let counters = state.http_counters.clone();
    counters.sockets_open.fetch_add(1, Ordering::Relaxed);
    counters.sockets_total.fetch_add(1, Ordering::Relaxed);
    let (mut sink, mut incoming) = socket.split();
    let (to_engine, engine_input) = mpsc::channel::<String>(CLIENT_BUFFER);
    // The wrapper authenticates `connection_init` before the engine sees it
    // and leaves the viewer here for the engine's init callback.
    let authenticated: Arc<Mutex<Option<Viewer>>> = Arc::default();
    let handoff = authenticated.clone();
    let loader_db = state.db.clone();
    let mut engine = GraphqlWebSocket::new(
        state.streams.clone(),
        ReceiverStream::new(engine_input),
        protocol,
    )
    .on_connection_init(move |_payload| {
        let viewer = handoff.lock().ok().and_then(|mut slot| slot.take());
        async move {
            let viewer = viewer.ok_or_else(|| async_graphql::Error::new("Forbidden"))?;
            let mut data = Data::default();
            data.insert(loaders::for_connection(loader_db, viewer.clone()));
            data.insert(loaders::Uncached);
            data.insert(viewer);
            Ok(data)
        }
    });
    let mut session = Session::new(protocol, state.config.limits.ws_max_operations);
    let mut credential: Option<String> = None;
    let init_deadline = tokio::time::sleep(state.config.limits.ws_init_timeout());
    tokio::pin!(init_deadline);
    let mut recheck = tokio::time::interval(state.config.auth.ws_auth_recheck());
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    // Registered once: a fresh `cancelled()` per message would take the
    // token's shared lock twice per message on every socket.
    let shutting_down = state.shutdown.cancelled();
    tokio::pin!(shutting_down);

    // A client message waiting for room in the engine's queue; reading
    // pauses meanwhile.
    let mut held: Option<String> = None;

    let close = loop {
        tokio::select! {
            () = &mut shutting_down => break Some(SHUTTING_DOWN),
            _ = &mut init_deadline, if !session.initialised => break Some(INIT_TIMEOUT),
            _ = recheck.tick(), if credential.is_some() => {
                let still_valid = match &credential {
                    Some(credential) => state.rechecks.still_valid(&state.db, &state.auth, credential).await,
                    None => continue,
                };
                match still_valid {
                    Ok(true) => {}
                    Ok(false) => break Some(FORBIDDEN),
                    Err(error) => error.log_if_internal(),
                }
            }
            room = to_engine.reserve(), if held.is_some() => match (room, held.take()) {
                (Ok(room), Some(text)) => room.send(text),
                _ => break None,
            },
            message = incoming.next(), if held.is_none() => match message {
                Some(Ok(Message::Text(text))) => {
                    let init = match session.on_client_message(text.as_str()) {
                        Err(close) => break Some(close),
                        Ok(Verdict::Refuse(refusal)) => {
                            let sent = tokio::time::timeout(SEND_TIMEOUT, sink.send(Message::Text(refusal.into()))).await;
                            if !matches!(sent, Ok(Ok(()))) {
                                break None;
                            }
                            continue;
                        }
                        Ok(Verdict::Pass) => None,
                        Ok(Verdict::Init(payload)) => Some(payload),
                    };
                    if let Some(payload) = init {
                        let Some(presented) = credential_of(&payload) else { break Some(FORBIDDEN) };
                        match auth::authenticate(&state.db, &state.auth, &presented).await {
                            Ok(viewer) => {
                                if let Ok(mut slot) = authenticated.lock() {
                                    *slot = Some(viewer);
                                }
                                credential = Some(presented);
                                recheck.reset();
                            }
                            Err(error) => {
                                error.log_if_internal();
                                break Some(FORBIDDEN);
                            }
                        }
                    }
                    // Never wait for room here: the engine drains its queue
                    // only when this loop polls it, so waiting would hang
                    // the socket. Hold the message and stop reading instead.
                    match to_engine.try_send(text.to_string()) {
                        Ok(()) => {}
                        Err(mpsc::error::TrySendError::Full(text)) => held = Some(text),
                        Err(mpsc::error::TrySendError::Closed(_)) => break None,
                    }
                }
                Some(Ok(Message::Binary(_))) => break Some(INVALID_MESSAGE),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Close(_)) | Err(_)) | None => break None,
            },
            output = engine.next() => match output {
                Some(WsMessage::Text(text)) => {
                    session.on_server_message(&text);
                    let sent = tokio::time::timeout(SEND_TIMEOUT, sink.send(Message::Text(text.into()))).await;
                    if !matches!(sent, Ok(Ok(()))) {
                        break None;
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    let _closing = sink.send(close_message(code, reason)).await;
                    break None;
                }
                None => break None,
            },
        }
    };
    if let Some(Close(code, reason)) = close {
        tracing::debug!(ws.close_code = code, "closing WebSocket");
        let _closing = tokio::time::timeout(
            SEND_TIMEOUT,
            sink.send(close_message(code, reason.to_owned())),
        )
        .await;
    }
    counters.sockets_open.fetch_sub(1, Ordering::Relaxed);
}

/// The credential in a `connection_init` payload: `authorization` (or
/// `Authorization`) as `Bearer <token>`, or a bare `token`.
fn credential_of(payload: &serde_json::Value) -> Option<String> {
    let header = payload
        .get("authorization")
        .or_else(|| payload.get("Authorization"))
        .and_then(|v| v.as_str());
    match header {
        Some(header) => auth::bearer(header).map(str::to_owned),
        None => payload
            .get("token")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
    }
}

fn close_message(code: u16, reason: String) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// What to do with a client message that breaks no connection rule.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// Hand it to the protocol engine.
    Pass,
    /// A first `connection_init`, with its payload to authenticate; then
    /// hand it on.
    Init(serde_json::Value),
    /// Answer with this message instead (an operation over the cap).
    Refuse(String),
}

/// The connection state the wrapper checks messages against.
struct Session {
    protocol: Protocols,
    /// Most operations running at once.
    max_operations: usize,
    /// `connection_init` received.
    initialised: bool,
    /// `connection_ack` sent.
    acknowledged: bool,
    /// Ids of running operations.
    active: HashSet<String>,
}

/// The fields of a protocol message the wrapper looks at.
#[derive(serde::Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    id: Option<String>,
    #[serde(default)]
    payload: serde_json::Value,
}

impl Session {
    fn new(protocol: Protocols, max_operations: usize) -> Self {
        Session {
            protocol,
            max_operations,
            initialised: false,
            acknowledged: false,
            active: HashSet::new(),
        }
    }

    /// Checks a client message against the connection rules.
    fn on_client_message(&mut self, text: &str) -> Result<Verdict, Close> {
        let Ok(message) = serde_json::from_str::<Envelope>(text) else {
            return Err(INVALID_MESSAGE);
        };
        let (start, stop) = self.operation_verbs();
        match message.kind.as_str() {
            "connection_init" if self.initialised => Err(TOO_MANY_INITS),
            "connection_init" => {
                self.initialised = true;
                Ok(Verdict::Init(message.payload))
            }
            kind if kind == start => {
                if !self.acknowledged {
                    return Err(UNAUTHORIZED);
                }
                let Some(id) = message.id else {
                    return Err(INVALID_MESSAGE);
                };
                if self.active.contains(&id) {
                    return Err(Close(4409, "Subscriber for this id already exists"));
                }
                if self.active.len() >= self.max_operations {
                    return Ok(Verdict::Refuse(self.too_many_operations(&id)));
                }
                self.active.insert(id);
                Ok(Verdict::Pass)
            }
            kind if kind == stop => {
                if let Some(id) = message.id {
                    self.active.remove(&id);
                }
                Ok(Verdict::Pass)
            }
            _ => Ok(Verdict::Pass),
        }
    }

    /// The `error` message refusing operation `id`: the socket runs as many
    /// as it may.
    fn too_many_operations(&self, id: &str) -> String {
        let error = serde_json::json!({
            "message": format!(
                "This connection already runs {} operations, the most it may; complete one first.",
                self.max_operations
            ),
            "extensions": {
                "code": "BAD_USER_INPUT",
                "limit": "operationsPerConnection",
                "max": self.max_operations,
            },
        });
        // graphql-transport-ws sends a list of errors, the legacy protocol one.
        let payload = match self.protocol {
            Protocols::GraphQLWS => serde_json::json!([error]),
            Protocols::SubscriptionsTransportWS => error,
        };
        serde_json::json!({ "type": "error", "id": id, "payload": payload }).to_string()
    }

    fn on_server_message(&mut self, text: &str) {
        // Results are most of the traffic and change nothing here: skip
        // parsing them (the engine writes `type` first).
        let head = &text.as_bytes()[..text.len().min(24)];
        if head
            .windows(6)
            .any(|w| w == b"\"next\"" || w == b"\"data\"")
        {
            return;
        }
        let Ok(message) = serde_json::from_str::<Envelope>(text) else {
            return;
        };
        match (message.kind.as_str(), message.id) {
            ("connection_ack", _) => self.acknowledged = true,
            ("complete" | "error", Some(id)) => {
                self.active.remove(&id);
            }
            _ => {}
        }
    }

    /// The message types that start and stop an operation.
    fn operation_verbs(&self) -> (&'static str, &'static str) {
        match self.protocol {
            Protocols::GraphQLWS => ("subscribe", "complete"),
            Protocols::SubscriptionsTransportWS => ("start", "stop"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(result: Result<Verdict, Close>) -> Option<u16> {
        result.err().map(|Close(code, _)| code)
    }

    #[test]
    fn subscribe_before_ack_is_unauthorized() {
        let mut session = Session::new(Protocols::GraphQLWS, 100);
        assert_eq!(
            code(session.on_client_message(r#"{"type":"subscribe","id":"1","payload":{}}"#)),
            Some(4401)
        );
    }

    #[test]
    fn duplicate_ids_and_inits_are_refused() {
        let mut session = Session::new(Protocols::GraphQLWS, 100);
        assert_eq!(
            code(session.on_client_message(r#"{"type":"connection_init"}"#)),
            None
        );
        assert_eq!(
            code(session.on_client_message(r#"{"type":"connection_init"}"#)),
            Some(4429)
        );
        session.on_server_message(r#"{"type":"connection_ack"}"#);
        let subscribe = r#"{"type":"subscribe","id":"a","payload":{"query":"{ __typename }"}}"#;
        assert_eq!(code(session.on_client_message(subscribe)), None);
        assert_eq!(code(session.on_client_message(subscribe)), Some(4409));
        session.on_server_message(r#"{"type":"complete","id":"a"}"#);
        assert_eq!(code(session.on_client_message(subscribe)), None);
    }

    #[test]
    fn operations_beyond_the_cap_are_refused_and_the_socket_stays() {
        let mut session = Session::new(Protocols::GraphQLWS, 2);
        assert_eq!(
            session.on_client_message(r#"{"type":"connection_init"}"#),
            Ok(Verdict::Init(serde_json::Value::Null))
        );
        session.on_server_message(r#"{"type":"connection_ack"}"#);
        let subscribe = |id: &str| {
            format!(
                r#"{{"type":"subscribe","id":"{id}","payload":{{"query":"{{ __typename }}"}}}}"#
            )
        };
        assert_eq!(
            session.on_client_message(&subscribe("a")),
            Ok(Verdict::Pass)
        );
        assert_eq!(
            session.on_client_message(&subscribe("b")),
            Ok(Verdict::Pass)
        );
        let Ok(Verdict::Refuse(refusal)) = session.on_client_message(&subscribe("c")) else {
            panic!("the third operation is refused");
        };
        let refusal: serde_json::Value = serde_json::from_str(&refusal).expect("JSON");
        assert_eq!(refusal["type"], "error");
        assert_eq!(refusal["id"], "c");
        assert_eq!(
            refusal["payload"][0]["extensions"]["limit"],
            "operationsPerConnection"
        );
        // Completing one makes room; the refused id was never taken.
        assert_eq!(
            session.on_client_message(r#"{"type":"complete","id":"a"}"#),
            Ok(Verdict::Pass)
        );
        assert_eq!(
            session.on_client_message(&subscribe("c")),
            Ok(Verdict::Pass)
        );
    }

    #[test]
    fn malformed_messages_are_refused() {
        let mut session = Session::new(Protocols::GraphQLWS, 100);
        assert_eq!(code(session.on_client_message("not json")), Some(4400));
        assert_eq!(code(session.on_client_message(r#"{"id":"1"}"#)), Some(4400));
    }
}
