//! GraphQL over HTTP: methods, content types, Accept, and clean error bodies.

use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_query_over_get_runs() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;

    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .bearer_auth(acme.token("member"))
        .query(&[("query", "{ apiInfo { environment } }")])
        .send()
        .await
        .expect("GET");

    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["data"]["apiInfo"]["environment"], "development");
}

#[tokio::test]
async fn a_mutation_over_get_is_refused_with_405_and_allow() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", "mutation { signUp(input: {}) { ok } }")])
        .send()
        .await
        .expect("GET");

    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    let body: Value = response.json().await.expect("a JSON error body");
    assert_eq!(
        body["errors"][0]["message"],
        "Mutations must be sent with POST."
    );
    assert_eq!(app.resolver_calls(), 0);
}

#[tokio::test]
async fn a_named_mutation_picked_by_operation_name_over_get_is_refused() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[
            ("query", "query Q { apiInfo { version } } mutation M { x }"),
            ("operationName", "M"),
        ])
        .send()
        .await
        .expect("GET");

    assert_eq!(response.status(), 405);
}

#[tokio::test]
async fn a_text_plain_body_is_refused_with_415() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "text/plain")
        .body("{ apiInfo { version } }")
        .send()
        .await
        .expect("POST");

    assert_eq!(response.status(), 415);
    let body: Value = response.json().await.expect("a JSON error body");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

#[tokio::test]
async fn malformed_json_is_refused_with_400_and_a_json_error() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body(r#"{"query": "{ apiInfo { version } }""#)
        .send()
        .await
        .expect("POST");

    assert_eq!(response.status(), 400);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("application/json")
    );
    let body: Value = response.json().await.expect("a JSON error body");
    assert_eq!(
        body["errors"][0]["message"],
        "The request body is not valid JSON."
    );
}

#[tokio::test]
async fn json_that_is_not_a_graphql_request_is_refused_with_400() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body(r#"{"query": 42}"#)
        .send()
        .await
        .expect("POST");

    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("a JSON error body");
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

#[tokio::test]
async fn accept_application_json_gets_application_json() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("accept", "application/json")
        .json(&serde_json::json!({ "query": "{ apiInfo { version } }" }))
        .send()
        .await
        .expect("POST");

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn graphql_response_json_answers_a_validation_error_with_400() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("accept", "application/graphql-response+json")
        .json(&serde_json::json!({ "query": "{ noSuchField }" }))
        .send()
        .await
        .expect("POST");

    assert_eq!(response.status(), 400);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("application/graphql-response+json")
    );
}

#[tokio::test]
async fn an_unsatisfiable_accept_header_gets_406() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("accept", "text/csv")
        .json(&serde_json::json!({ "query": "{ apiInfo { version } }" }))
        .send()
        .await
        .expect("POST");

    assert_eq!(response.status(), 406);
}

#[tokio::test]
async fn browsers_get_graphiql_in_development() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .header("accept", "text/html")
        .send()
        .await
        .expect("GET");

    assert_eq!(response.status(), 200);
    assert!(response.text().await.expect("text").contains("graphiql"));
}

#[tokio::test]
async fn production_mode_hides_graphiql_introspection_and_suggestions() {
    let app = crate::helpers::spawn_app_with(&["--env", "production"]).await;

    let page = app
        .client
        .get(format!("{}/graphql", app.address))
        .header("accept", "text/html")
        .send()
        .await
        .expect("GET");
    let (_, introspection) = app.graphql("{ __schema { types { name } } }").await;
    let (_, typo) = app.graphql("{ apiInfo { versoin } }").await;

    assert_eq!(page.status(), 400);
    assert_eq!(introspection["data"], Value::Null, "{introspection}");
    assert_eq!(
        introspection["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{introspection}"
    );
    let message = typo["errors"][0]["message"].as_str().expect("a message");
    assert!(!message.contains("Did you mean"), "{message}");
}

#[tokio::test]
async fn development_mode_suggests_field_names() {
    let app = spawn_app().await;

    let (_, typo) = app.graphql("{ apiInfo { versoin } }").await;

    let message = typo["errors"][0]["message"].as_str().expect("a message");
    assert!(message.contains("Did you mean"), "{message}");
    assert_eq!(typo["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

#[tokio::test]
async fn error_bodies_carry_no_rust_debug_text() {
    let app = spawn_app().await;
    let bad_inputs: [(&str, &str); 4] = [
        ("application/json", "{"),
        ("application/json", "[]"),
        (
            "application/json",
            r#"{"query": "{ apiInfo { version }", "variables": 7}"#,
        ),
        (
            "application/json",
            r#"{"query": "query ($n: Int!) { apiInfo { version } }", "variables": {"n": "x"}}"#,
        ),
    ];

    for (content_type, body) in bad_inputs {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("POST");
        let text = response.text().await.expect("text");

        for debug_marker in ["Error {", "Some(", "DbErr", "panicked", "\\n    at ", "::"] {
            assert!(
                !text.contains(debug_marker),
                "debug text `{debug_marker}` in {text}"
            );
        }
        let parsed: Value = serde_json::from_str(&text).expect("a JSON body");
        assert!(
            parsed["errors"][0]["extensions"]["code"].is_string(),
            "{text}"
        );
    }
}
