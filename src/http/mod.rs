//! HTTP and WebSocket routes and the layers every request passes through.

use axum::{
    Router,
    extract::State,
    http::{StatusCode, header},
    response::Response,
    routing::get,
};
use tower_http::{limit::RequestBodyLimitLayer, timeout::TimeoutLayer, trace::TraceLayer};

use crate::state::AppState;

pub mod graphql;
pub mod health;
pub mod metrics;
mod negotiate;
pub mod ws;

/// The router: `/graphql` (POST and GET), `/graphql/ws`, `/healthz`,
/// `/readyz` and `/metrics`.
pub fn router(state: AppState) -> Router {
    let limits = &state.config.limits;
    Router::new()
        .route(
            "/graphql",
            get(graphql::get_handler).post(graphql::post_handler),
        )
        .route("/graphql/ws", get(ws::handler))
        .route("/healthz", get(health::liveness))
        .route("/readyz", get(health::readiness))
        .route("/metrics", get(metrics::render))
        // The GraphQL extractor reads the raw body, so axum's default limit
        // would not apply: cap it here (413 when Content-Length says too much)
        // and again while reading (413 for chunked bodies).
        .layer(RequestBodyLimitLayer::new(limits.max_body_bytes))
        .layer(axum::middleware::map_response_with_state(
            state.clone(),
            json_payload_too_large,
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout(),
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count_requests,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Gives the body-limit layer's plain-text 413 the JSON error body every other
/// rejection has.
async fn json_payload_too_large(State(state): State<AppState>, response: Response) -> Response {
    let is_plain_413 = response.status() == StatusCode::PAYLOAD_TOO_LARGE
        && !response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
    if is_plain_413 {
        return graphql::payload_too_large(
            negotiate::ResponseFormat::Json,
            state.config.limits.max_body_bytes,
        );
    }
    response
}
