//! GraphQL over WebSocket: both protocols, the connection rules, and a clean
//! close on shutdown.

use serde_json::json;

use crate::helpers::{close_code, init_socket, next_json, send_json, spawn_app, spawn_app_with};

#[tokio::test]
async fn graphql_transport_ws_runs_an_operation() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;
    let mut socket = app.websocket("graphql-transport-ws").await;

    init_socket(&mut socket, acme.token("member")).await;
    send_json(
        &mut socket,
        json!({ "type": "subscribe", "id": "1", "payload": { "query": "{ apiInfo { environment } }" } }),
    )
    .await;

    let next = next_json(&mut socket).await;
    assert_eq!(next["type"], "next");
    assert_eq!(
        next["payload"]["data"]["apiInfo"]["environment"],
        "development"
    );
    assert_eq!(next_json(&mut socket).await["type"], "complete");
}

#[tokio::test]
async fn the_legacy_graphql_ws_protocol_keeps_working() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;
    let mut socket = app.websocket("graphql-ws").await;

    init_socket(&mut socket, acme.token("viewer")).await;
    send_json(
        &mut socket,
        json!({ "type": "start", "id": "1", "payload": { "query": "{ apiInfo { version } }" } }),
    )
    .await;

    let data = next_json(&mut socket).await;
    assert_eq!(data["type"], "data");
    assert!(data["payload"]["data"]["apiInfo"]["version"].is_string());
}

#[tokio::test]
async fn a_socket_without_connection_init_is_closed_with_4408() {
    let app = spawn_app_with(&["--ws-init-timeout-ms", "200"]).await;
    let mut socket = app.websocket("graphql-transport-ws").await;

    assert_eq!(close_code(&mut socket).await, 4408);
}

#[tokio::test]
async fn subscribing_before_the_ack_is_closed_with_4401() {
    let app = spawn_app().await;
    let mut socket = app.websocket("graphql-transport-ws").await;

    send_json(&mut socket, json!({ "type": "subscribe", "id": "1", "payload": { "query": "{ apiInfo { version } }" } })).await;

    assert_eq!(close_code(&mut socket).await, 4401);
}

#[tokio::test]
async fn a_malformed_message_is_closed_with_4400() {
    let app = spawn_app().await;
    let mut socket = app.websocket("graphql-transport-ws").await;

    send_json(&mut socket, json!({ "no_type": true })).await;

    assert_eq!(close_code(&mut socket).await, 4400);
}

#[tokio::test]
async fn an_unknown_subprotocol_is_refused() {
    let app = spawn_app().await;
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(format!(
            "ws://127.0.0.1:{}/graphql/ws",
            app.port
        ))
        .expect("valid URL");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "mqtt".parse().expect("valid header"),
    );

    let refused = tokio_tungstenite::connect_async(request).await;

    assert!(refused.is_err());
}

#[tokio::test]
async fn shutdown_closes_open_websockets_with_1001() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;
    let mut socket = app.websocket("graphql-transport-ws").await;
    init_socket(&mut socket, acme.token("member")).await;

    app.shutdown.cancel();

    assert_eq!(close_code(&mut socket).await, 1001);
    let stopped = tokio::time::timeout(std::time::Duration::from_secs(10), app.server).await;
    assert!(
        matches!(stopped, Ok(Ok(Ok(())))),
        "the server stops cleanly"
    );
}

#[tokio::test]
async fn crm_queries_run_over_a_websocket_with_the_connections_viewer() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;
    crate::helpers::mutate(
        &app,
        acme.token("member"),
        "createContact",
        crate::crm::CREATE_CONTACT,
        json!({ "input": { "firstName": "Web", "lastName": "Socket" } }),
    )
    .await;
    let mut socket = app.websocket("graphql-transport-ws").await;
    init_socket(&mut socket, acme.token("viewer")).await;

    send_json(&mut socket, json!({ "type": "subscribe", "id": "1", "payload": {
        "query": "{ contacts { totalCount edges { node { name deals { title } timeline { edges { cursor } } stats { wonDeals } } } } }" } })).await;

    let next = next_json(&mut socket).await;
    assert_eq!(next["type"], "next", "{next}");
    assert_eq!(next["payload"]["data"]["contacts"]["totalCount"], 1);
    assert_eq!(
        next["payload"]["data"]["contacts"]["edges"][0]["node"]["name"],
        "Web Socket"
    );
}

#[tokio::test]
async fn a_connection_runs_at_most_its_cap_of_operations() {
    let app = spawn_app_with(&["--ws-max-operations", "2"]).await;
    let acme = app.workspace("acme").await;
    let subscribe = |id: &str| {
        json!({ "type": "subscribe", "id": id, "payload": {
            "query": "subscription { events { seq } }" } })
    };
    let query = |id: &str| json!({ "type": "subscribe", "id": id, "payload": { "query": "{ apiInfo { environment } }" } });
    let mut socket = app.websocket("graphql-transport-ws").await;
    init_socket(&mut socket, acme.token("admin")).await;
    for id in ["a", "b", "c"] {
        send_json(&mut socket, subscribe(id)).await;
    }
    let refused = next_for(&mut socket, "c").await;
    assert_eq!(refused["type"], "error", "{refused}");
    let error = &refused["payload"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(error["extensions"]["limit"], "operationsPerConnection");
    assert_eq!(error["extensions"]["max"], 2);

    // The socket stays open; completing one makes room for another, and
    // the cap counts queries too.
    send_json(&mut socket, json!({ "type": "complete", "id": "a" })).await;
    send_json(&mut socket, subscribe("c")).await;
    send_json(&mut socket, query("q")).await;
    assert_eq!(next_for(&mut socket, "q").await["type"], "error");

    // Another connection has its own cap.
    let mut other = app.websocket("graphql-transport-ws").await;
    init_socket(&mut other, acme.token("admin")).await;
    send_json(&mut other, query("q")).await;
    assert_eq!(next_for(&mut other, "q").await["type"], "next");
}

/// The next message about operation `id`, skipping others.
async fn next_for(socket: &mut crate::helpers::Socket, id: &str) -> serde_json::Value {
    loop {
        let message = next_json(socket).await;
        if message["id"] == id {
            return message;
        }
    }
}

#[tokio::test]
async fn a_burst_of_operations_on_one_socket_is_all_answered() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;

    let app = spawn_app().await;
    let acme = app.workspace("acme").await;
    let mut socket = app.websocket("graphql-transport-ws").await;
    init_socket(&mut socket, acme.token("member")).await;
    // Far more messages in one write than the engine's input queue holds:
    // the socket must keep serving while the queue is full.
    const OPERATIONS: usize = 99;
    for id in 0..OPERATIONS {
        let message = json!({ "type": "subscribe", "id": id.to_string(), "payload": {
            "query": "{ apiInfo { environment } }" } });
        socket
            .feed(Message::Text(message.to_string().into()))
            .await
            .expect("queue a message");
    }
    socket.flush().await.expect("send the burst");
    let mut answered = std::collections::HashSet::new();
    while answered.len() < OPERATIONS {
        let message = next_json(&mut socket).await;
        if message["type"] == "next" {
            assert_eq!(
                message["payload"]["data"]["apiInfo"]["environment"],
                "development"
            );
            answered.insert(message["id"].as_str().unwrap_or_default().to_owned());
        }
    }
}
