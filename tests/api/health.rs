use crate::helpers::spawn_app;

#[tokio::test]
async fn liveness_answers_ok() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .expect("GET /healthz");

    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readiness_reports_the_database_up() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .expect("GET /readyz");

    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["database"], "up");
}

#[tokio::test]
async fn readiness_fails_once_the_database_is_gone() {
    let app = spawn_app().await;

    app.db.clone().close().await.expect("close the pool");
    let response = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .expect("GET /readyz");

    assert_eq!(response.status(), 503);
}

#[tokio::test]
async fn metrics_expose_counters_in_prometheus_format() {
    let app = spawn_app().await;
    app.graphql("{ apiInfo { version } }").await;

    let body = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("text");

    assert!(body.contains("# TYPE pulse_http_requests_total counter"));
    assert!(
        !body.contains("pulse_graphql_resolver_calls_total 0\n"),
        "{body}"
    );
}
