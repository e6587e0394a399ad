//! Content negotiation per the GraphQL-over-HTTP spec: which media type a
//! response uses, and which request bodies are accepted.

use axum::http::{HeaderMap, header};

/// The media type of a GraphQL response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseFormat {
    /// `application/json`: well-formed requests get 200, errors in the body.
    Json,
    /// `application/graphql-response+json`: requests that fail before
    /// execution (parse, validation, limits) get 400.
    GraphqlResponse,
}

impl ResponseFormat {
    /// The `Content-Type` value.
    pub fn content_type(self) -> &'static str {
        match self {
            ResponseFormat::Json => "application/json",
            ResponseFormat::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
        }
    }
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// Picks the response format from `Accept`. No `Accept` header, `*/*` and
/// `application/*` mean `application/json` (the spec's legacy default);
/// `None` means nothing acceptable can be produced (406).
pub fn response_format(headers: &HeaderMap) -> Option<ResponseFormat> {
    let Some(accept) = headers.get(header::ACCEPT) else {
        return Some(ResponseFormat::Json);
    };
    let accept = accept.to_str().ok()?;
    let mut best: Option<(f32, ResponseFormat)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if quality <= 0.0 {
            continue;
        }
        let format = match media.as_str() {
            GRAPHQL_RESPONSE => ResponseFormat::GraphqlResponse,
            "application/json" | "*/*" | "application/*" => ResponseFormat::Json,
            _ => continue,
        };
        // Prefer the higher quality; on a tie, the more specific
        // graphql-response type, as the spec recommends.
        let better = match best {
            None => true,
            Some((q, f)) => {
                quality > q
                    || (quality == q
                        && f == ResponseFormat::Json
                        && format == ResponseFormat::GraphqlResponse)
            }
        };
        if better {
            best = Some((quality, format));
        }
    }
    best.map(|(_, format)| format)
}

/// Whether the request body is declared as JSON (`application/json`, any
/// parameters).
pub fn is_json_body(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// Whether a browser is asking for a page (GraphiQL).
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn accept(value: &str) -> Option<ResponseFormat> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_str(value).expect("valid header"),
        );
        response_format(&headers)
    }

    #[test]
    fn accept_header_picks_the_response_type() {
        assert_eq!(
            response_format(&HeaderMap::new()),
            Some(ResponseFormat::Json)
        );
        assert_eq!(accept("application/json"), Some(ResponseFormat::Json));
        assert_eq!(accept("*/*"), Some(ResponseFormat::Json));
        assert_eq!(
            accept("application/graphql-response+json"),
            Some(ResponseFormat::GraphqlResponse)
        );
        assert_eq!(
            accept("application/graphql-response+json, application/json;q=0.9"),
            Some(ResponseFormat::GraphqlResponse)
        );
        assert_eq!(
            accept("application/json, application/graphql-response+json;q=0.5"),
            Some(ResponseFormat::Json)
        );
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json;q=0"), None);
    }
}
