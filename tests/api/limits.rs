//! Every protection limit of DESIGN.md section 5: the HTTP status, the error
//! code, and proof (a resolver-call counter) that no resolver ran.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// Sends `query`, asserts it was rejected by `limit` before any resolver ran.
async fn assert_rejected_by(app: &TestApp, query: &str, limit: &str) {
    let calls_before = app.resolver_calls();

    let (status, body) = app.graphql(query).await;

    assert_eq!(
        status, 200,
        "application/json answers well-formed requests with 200: {body}"
    );
    assert_eq!(body["data"], Value::Null, "{body}");
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    assert_eq!(error["extensions"]["limit"], limit, "{body}");
    assert_eq!(
        app.resolver_calls(),
        calls_before,
        "a rejected query reached a resolver"
    );
}

#[tokio::test]
async fn a_query_within_every_limit_runs_its_resolvers() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;

    let (status, body) = app
        .graphql_as(
            acme.token("viewer"),
            "{ apiInfo { version limits { maxDepth } } }",
            json!({}),
        )
        .await;

    assert_eq!(status, 200);
    assert_eq!(body["data"]["apiInfo"]["limits"]["maxDepth"], 12);
    assert!(app.resolver_calls() >= 3);
}

#[tokio::test]
async fn one_hundred_aliases_are_rejected() {
    let app = spawn_app().await;
    let aliases: String = (0..100).map(|i| format!("a{i}: __typename ")).collect();

    assert_rejected_by(
        &app,
        &format!("{{ {aliases} apiInfo {{ version }} }}"),
        "aliases",
    )
    .await;
}

#[tokio::test]
async fn a_query_nested_twenty_levels_is_rejected() {
    let app = spawn_app().await;
    let query = format!(
        "{{ apiInfo {}{{ version }}{} }}",
        "{ limits ".repeat(19),
        "}".repeat(19)
    );

    assert_rejected_by(&app, &query, "depth").await;
}

#[tokio::test]
async fn a_fragment_bomb_is_rejected_for_complexity() {
    let app = spawn_app().await;
    let query = "{ apiInfo { limits { ...F5 } } }
        fragment F5 on ApiLimits { ...F4 ...F4 ...F4 ...F4 }
        fragment F4 on ApiLimits { ...F3 ...F3 ...F3 ...F3 }
        fragment F3 on ApiLimits { ...F2 ...F2 ...F2 ...F2 }
        fragment F2 on ApiLimits { ...F1 ...F1 ...F1 ...F1 }
        fragment F1 on ApiLimits { maxDepth maxComplexity maxAliases maxDirectives maxBatch }";

    assert_rejected_by(&app, query, "complexity").await;
}

#[tokio::test]
async fn complexity_is_checked_against_the_configured_limit() {
    let app = crate::helpers::spawn_app_with(&["--max-complexity", "3"]).await;

    assert_rejected_by(
        &app,
        "{ apiInfo { version environment limits { maxDepth } } }",
        "complexity",
    )
    .await;
}

#[tokio::test]
async fn too_many_directives_are_rejected() {
    let app = spawn_app().await;
    let fields: String = (0..21).map(|_| "version @include(if: true) ").collect();

    assert_rejected_by(&app, &format!("{{ apiInfo {{ {fields} }} }}"), "directives").await;
}

#[tokio::test]
async fn an_overlong_query_text_is_rejected() {
    let app = spawn_app().await;
    let query = format!("{{ apiInfo {{ version }} }} #{}", "x".repeat(15_000));

    assert_rejected_by(&app, &query, "queryLength").await;
}

#[tokio::test]
async fn a_batch_above_the_limit_is_rejected_with_400() {
    let app = spawn_app().await;
    let batch: Vec<Value> = (0..11)
        .map(|_| json!({ "query": "{ apiInfo { version } }" }))
        .collect();

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&batch)
        .send()
        .await
        .expect("POST");

    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["extensions"]["limit"], "batch");
    assert_eq!(app.resolver_calls(), 0);
}

#[tokio::test]
async fn a_batch_within_the_limit_answers_every_operation() {
    let app = spawn_app().await;
    let batch: Vec<Value> = (0..3)
        .map(|_| json!({ "query": "{ apiInfo { version } }" }))
        .collect();

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&batch)
        .send()
        .await
        .expect("POST");

    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body.as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn a_two_mebibyte_body_is_rejected_with_413() {
    let app = spawn_app().await;
    let body =
        json!({ "query": format!("{{ apiInfo {{ version }} }} #{}", "x".repeat(2 * 1024 * 1024)) });

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&body)
        .send()
        .await
        .expect("POST");

    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("a JSON error body");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(app.resolver_calls(), 0);
}

#[tokio::test]
async fn a_chunked_body_without_content_length_is_rejected_with_413() {
    let app = spawn_app().await;
    let chunk = bytes_of(64 * 1024);
    let chunks = (0..40).map(move |_| Ok::<_, std::io::Error>(chunk.clone()));
    let stream = futures_util::stream::iter(chunks);

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .expect("POST");

    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.expect("a JSON error body");
    assert_eq!(body["errors"][0]["extensions"]["limit"], "bodyBytes");
}

fn bytes_of(n: usize) -> Vec<u8> {
    vec![b' '; n]
}

#[tokio::test]
async fn a_page_size_cap_is_advertised_and_enforced() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;
    let owner = acme.token("owner");

    let (_, advertised) = app
        .graphql_as(
            owner,
            "{ apiInfo { limits { defaultPageSize maxPageSize } } }",
            json!({}),
        )
        .await;
    let (_, too_big) = app
        .graphql_as(owner, "{ users(first: 101) { totalCount } }", json!({}))
        .await;
    let (_, capped) = app
        .graphql_as(
            owner,
            "{ users(first: 2) { totalCount edges { node { email } } pageInfo { hasNextPage } } }",
            json!({}),
        )
        .await;

    assert_eq!(
        advertised["data"]["apiInfo"]["limits"],
        json!({ "defaultPageSize": 20, "maxPageSize": 100 })
    );
    assert_eq!(
        too_big["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{too_big}"
    );
    assert_eq!(capped["data"]["users"]["totalCount"], 5);
    assert_eq!(
        capped["data"]["users"]["edges"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(capped["data"]["users"]["pageInfo"]["hasNextPage"], true);
}

#[tokio::test]
async fn lists_are_costed_by_their_page_size() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;
    let calls_before = app.resolver_calls();

    // 100 rows x 11 fields each is over the complexity limit of 1000.
    let (_, body) = app
        .graphql_as(
            acme.token("owner"),
            "{ users(first: 100) { edges { node { id email name role active lastLoginAt createdAt team { id name } } } } }",
            json!({}),
        )
        .await;

    assert_eq!(
        body["errors"][0]["extensions"]["limit"], "complexity",
        "{body}"
    );
    assert_eq!(app.resolver_calls(), calls_before);
}

#[tokio::test]
async fn each_caller_spends_a_complexity_budget_and_learns_what_is_left() {
    let app = crate::helpers::spawn_app_with(&["--rate-limit-points-per-minute", "30"]).await;
    let acme = app.workspace("acme").await;
    let member = acme.token("member");
    let cheap = "{ viewer { kind role } }";

    let (_, first) = app.graphql_as(member, cheap, json!({})).await;
    let (_, second) = app.graphql_as(member, cheap, json!({})).await;
    let costly = format!(
        "{{ {} }}",
        (0..12)
            .map(|i| format!("v{i}: viewer {{ kind role }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(member)
        .json(&json!({ "query": costly }))
        .send()
        .await
        .expect("POST");
    let (_, other_user) = app.graphql_as(acme.token("viewer"), cheap, json!({})).await;

    let remaining = |body: &Value| {
        body["extensions"]["rateLimit"]["remaining"]
            .as_u64()
            .expect("remaining")
    };
    assert_eq!(first["extensions"]["rateLimit"]["limit"], 30);
    assert!(remaining(&second) < remaining(&first), "{first} {second}");
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    assert!(
        other_user["data"]["viewer"].is_object(),
        "budgets are per caller"
    );
}
