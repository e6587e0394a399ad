//! `POST /graphql` and `GET /graphql` per the GraphQL-over-HTTP spec, with
//! every rejection answered as a JSON GraphQL error body and the right status:
//! 400 malformed request, 405 mutation over GET, 406 unacceptable `Accept`,
//! 413 body too large, 415 not JSON.

use async_graphql::{
    BatchRequest, BatchResponse, Variables,
    http::GraphiQLSource,
    parser::{parse_query, types::OperationType},
};
use axum::{
    body::Body,
    extract::{ConnectInfo, RawQuery, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::json;

use std::net::SocketAddr;

use super::negotiate::{self, ResponseFormat};
use crate::{
    auth,
    config::Environment,
    error::{Error, code},
    graphql::{ClientAddress, loaders},
    state::AppState,
};

/// `POST /graphql`: a JSON body holding one request or a batch.
pub async fn post_handler(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(format) = negotiate::response_format(&headers) else {
        return not_acceptable();
    };
    if !negotiate::is_json_body(&headers) {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format,
            "Content-Type must be application/json.",
        );
    }
    let limit = state.config.limits.max_body_bytes;
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => return payload_too_large(format, limit),
    };
    let batch: BatchRequest = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Err(_) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                format,
                "The request body is not valid JSON.",
            );
        }
        Ok(value) => match serde_json::from_value(value) {
            Ok(batch) => batch,
            Err(error) => {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    format,
                    &format!("The request body is not a GraphQL request: {error}."),
                );
            }
        },
    };
    if let BatchRequest::Batch(requests) = &batch {
        let max = state.config.limits.max_batch;
        if requests.is_empty() || requests.len() > max {
            return limit_response(
                StatusCode::BAD_REQUEST,
                format,
                &format!("A batch must hold between 1 and {max} operations."),
                "batch",
                max,
            );
        }
    }
    execute(&state, format, &headers, client, batch).await
}

/// The query-string parameters of `GET /graphql`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

/// `GET /graphql`: GraphiQL for browsers in development, otherwise a query in
/// the query string. Only queries: a mutation over GET is 405 (it could be
/// triggered by a link or a prefetch).
pub async fn get_handler(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let params: GetParams = match serde_urlencoded::from_str(raw.as_deref().unwrap_or("")) {
        Ok(params) => params,
        Err(_) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                ResponseFormat::Json,
                "Malformed query string.",
            );
        }
    };
    let Some(query) = params.query else {
        if state.config.environment == Environment::Development && negotiate::wants_html(&headers) {
            return Html(
                GraphiQLSource::build()
                    .endpoint("/graphql")
                    .subscription_endpoint("/graphql/ws")
                    .title("Pulse GraphiQL")
                    .finish(),
            )
            .into_response();
        }
        let format = negotiate::response_format(&headers).unwrap_or(ResponseFormat::Json);
        return error_response(
            StatusCode::BAD_REQUEST,
            format,
            "Missing the `query` parameter.",
        );
    };
    let Some(format) = negotiate::response_format(&headers) else {
        return not_acceptable();
    };
    if let Some(ty) = operation_type(&query, params.operation_name.as_deref())
        && ty != OperationType::Query
    {
        let message = match ty {
            OperationType::Mutation => "Mutations must be sent with POST.",
            _ => "Subscriptions are served over WebSocket at /graphql/ws.",
        };
        let mut response = error_response(StatusCode::METHOD_NOT_ALLOWED, format, message);
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let mut request = async_graphql::Request::new(query);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    for (raw, name) in [
        (&params.variables, "variables"),
        (&params.extensions, "extensions"),
    ] {
        let Some(raw) = raw else { continue };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(raw) else {
            return error_response(
                StatusCode::BAD_REQUEST,
                format,
                &format!("The `{name}` parameter is not valid JSON."),
            );
        };
        if name == "variables" {
            request = request.variables(Variables::from_json(value));
        }
    }
    execute(
        &state,
        format,
        &headers,
        client,
        BatchRequest::Single(request),
    )
    .await
}

/// The type of the operation a GET would run, when the document parses and
/// the operation can be picked; otherwise execution reports the problem.
fn operation_type(query: &str, operation_name: Option<&str>) -> Option<OperationType> {
    let document = parse_query(query).ok()?;
    let mut operations = document.operations.iter();
    match operation_name {
        Some(name) => operations
            .find(|(n, _)| n.is_some_and(|n| n.as_str() == name))
            .map(|(_, op)| op.node.ty),
        None => {
            let (_, only) = operations.next()?;
            operations.next().is_none().then_some(only.node.ty)
        }
    }
}

/// Authenticates the caller once for the whole request, then runs it. A
/// credential that is present but not valid is 401, never anonymous access.
async fn execute(
    state: &AppState,
    format: ResponseFormat,
    headers: &HeaderMap,
    client: SocketAddr,
    batch: BatchRequest,
) -> Response {
    let mut batch = batch.data(ClientAddress(client.ip()));
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let Some(credential) = value.to_str().ok().and_then(auth::bearer) else {
            return unauthorized(format);
        };
        match auth::authenticate(&state.db, &state.auth, credential).await {
            Ok(viewer) => {
                for request in batch.iter_mut() {
                    request
                        .data
                        .insert(loaders::for_viewer(state.db.clone(), viewer.clone()));
                }
                batch = batch.data(viewer);
            }
            Err(Error::Unauthenticated) => return unauthorized(format),
            Err(error) => {
                error.log_if_internal();
                return error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format,
                    "Internal error.",
                );
            }
        }
    }
    let response = state.schema.execute_batch(batch).await;
    // With application/graphql-response+json, a request that failed before
    // execution (no `data`) is a 400; application/json always answers 200.
    // A refused rate limit is 429 with Retry-After in either format.
    let retry_after = match &response {
        BatchResponse::Single(single) => single.errors.iter().find_map(|e| {
            let extensions = e.extensions.as_ref()?;
            let is_rate_limited =
                extensions.get("code") == Some(&async_graphql::Value::from(code::RATE_LIMITED));
            let seconds = extensions.get("retryAfterSeconds").map(|v| v.to_string());
            is_rate_limited.then(|| seconds.unwrap_or_else(|| "60".to_owned()))
        }),
        BatchResponse::Batch(_) => None,
    };
    let status = match (&response, format) {
        _ if retry_after.is_some() => StatusCode::TOO_MANY_REQUESTS,
        (BatchResponse::Single(single), ResponseFormat::GraphqlResponse)
            if single.data == async_graphql::Value::Null && !single.errors.is_empty() =>
        {
            StatusCode::BAD_REQUEST
        }
        _ => StatusCode::OK,
    };
    match serde_json::to_vec(&response) {
        Ok(body) => {
            let mut response = (
                status,
                [(header::CONTENT_TYPE, format.content_type())],
                body,
            )
                .into_response();
            if let Some(seconds) = retry_after.and_then(|s| HeaderValue::from_str(&s).ok()) {
                response.headers_mut().insert(header::RETRY_AFTER, seconds);
            }
            response
        }
        Err(error) => {
            tracing::error!(error = %error, "serializing a GraphQL response failed");
            error_response(StatusCode::INTERNAL_SERVER_ERROR, format, "Internal error.")
        }
    }
}

fn error_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::UNAUTHORIZED => code::UNAUTHENTICATED,
        s if s.is_server_error() => code::INTERNAL,
        _ => code::BAD_USER_INPUT,
    }
}

/// 401 with `WWW-Authenticate: Bearer` (RFC 6750).
fn unauthorized(format: ResponseFormat) -> Response {
    let mut response = error_response(
        StatusCode::UNAUTHORIZED,
        format,
        "The bearer token is invalid, expired or revoked.",
    );
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// A GraphQL-shaped error body: `{"errors":[{"message","extensions":{"code"}}]}`.
pub fn error_response(status: StatusCode, format: ResponseFormat, message: &str) -> Response {
    error_body(status, format, message, None)
}

/// An error body for an exceeded limit, naming it in `extensions.limit`/`max`.
fn limit_response(
    status: StatusCode,
    format: ResponseFormat,
    message: &str,
    limit: &str,
    max: usize,
) -> Response {
    error_body(status, format, message, Some((limit, max)))
}

fn error_body(
    status: StatusCode,
    format: ResponseFormat,
    message: &str,
    limit: Option<(&str, usize)>,
) -> Response {
    let mut extensions = json!({ "code": error_code(status) });
    if let Some((limit, max)) = limit {
        extensions["limit"] = json!(limit);
        extensions["max"] = json!(max);
    }
    let body = json!({ "errors": [{ "message": message, "extensions": extensions }] });
    (
        status,
        [(header::CONTENT_TYPE, format.content_type())],
        body.to_string(),
    )
        .into_response()
}

fn not_acceptable() -> Response {
    error_response(
        StatusCode::NOT_ACCEPTABLE,
        ResponseFormat::Json,
        "Accept must allow application/json or application/graphql-response+json.",
    )
}

/// 413 naming the limit (the body-limit layer's own 413 is plain text and
/// only covers a declared Content-Length).
pub fn payload_too_large(format: ResponseFormat, limit: usize) -> Response {
    limit_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        format,
        &format!("The request body is larger than the limit of {limit} bytes."),
        "bodyBytes",
        limit,
    )
}
