//! Counters in the Prometheus text format at `GET /metrics`.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use axum::{
    extract::{Request, State},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::state::AppState;

/// HTTP and WebSocket counters.
#[derive(Debug, Default)]
pub struct HttpCounters {
    /// HTTP requests received.
    pub requests: AtomicU64,
    /// WebSockets open now.
    pub sockets_open: AtomicI64,
    /// WebSockets accepted since start.
    pub sockets_total: AtomicU64,
}

/// Middleware counting every request.
pub async fn count_requests(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    state.http_counters.requests.fetch_add(1, Ordering::Relaxed);
    next.run(request).await
}

/// `GET /metrics`.
pub async fn render(State(state): State<AppState>) -> impl IntoResponse {
    let http = &state.http_counters;
    let graphql = &state.graphql_counters;
    let live = state.live.counters();
    let body = format!(
        "# HELP pulse_http_requests_total HTTP requests received.\n\
         # TYPE pulse_http_requests_total counter\n\
         pulse_http_requests_total {}\n\
         # HELP pulse_graphql_resolver_calls_total GraphQL field resolutions started.\n\
         # TYPE pulse_graphql_resolver_calls_total counter\n\
         pulse_graphql_resolver_calls_total {}\n\
         # HELP pulse_graphql_rejected_total GraphQL operations rejected by a limit.\n\
         # TYPE pulse_graphql_rejected_total counter\n\
         pulse_graphql_rejected_total {}\n\
         # HELP pulse_websockets_open WebSocket connections open now.\n\
         # TYPE pulse_websockets_open gauge\n\
         pulse_websockets_open {}\n\
         # HELP pulse_websockets_total WebSocket connections accepted.\n\
         # TYPE pulse_websockets_total counter\n\
         pulse_websockets_total {}\n\
         # HELP pulse_live_events_broadcast_total Domain events broadcast to live channels.\n\
         # TYPE pulse_live_events_broadcast_total counter\n\
         pulse_live_events_broadcast_total {}\n\
         # HELP pulse_live_lagged_total Times a subscriber fell behind and caught up from the database.\n\
         # TYPE pulse_live_lagged_total counter\n\
         pulse_live_lagged_total {}\n\
         # HELP pulse_live_replayed_total Events subscribers read from the database.\n\
         # TYPE pulse_live_replayed_total counter\n\
         pulse_live_replayed_total {}\n\
         # HELP pulse_live_snapshots_total Board and dashboard snapshots computed.\n\
         # TYPE pulse_live_snapshots_total counter\n\
         pulse_live_snapshots_total {}\n\
         # HELP pulse_live_shared_results_total Results of shared subscription executions, each sent to every subscriber of its stream.\n\
         # TYPE pulse_live_shared_results_total counter\n\
         pulse_live_shared_results_total {}\n\
         # HELP pulse_live_shared_joins_total Subscribers that joined a running shared subscription execution.\n\
         # TYPE pulse_live_shared_joins_total counter\n\
         pulse_live_shared_joins_total {}\n",
        http.requests.load(Ordering::Relaxed),
        graphql.resolver_calls.load(Ordering::Relaxed),
        graphql.rejected.load(Ordering::Relaxed),
        http.sockets_open.load(Ordering::Relaxed),
        http.sockets_total.load(Ordering::Relaxed),
        live.broadcast.load(Ordering::Relaxed),
        live.lagged.load(Ordering::Relaxed),
        live.replayed.load(Ordering::Relaxed),
        live.snapshots.load(Ordering::Relaxed),
        live.shared_results.load(Ordering::Relaxed),
        live.shared_joins.load(Ordering::Relaxed),
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}
