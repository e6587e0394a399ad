//! Live updates over a real WebSocket client: boards, pipeline events with
//! resume, the event stream, cross-instance fan-out on PostgreSQL, slow
//! consumers, isolation, scopes and the protocol's close codes.

use std::time::Duration;

use entity::{TenantScoped, domain_event};
use futures_util::StreamExt;
use pulse::live::sequencer::Sequencer;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbBackend, QueryFilter, QueryOrder,
    TransactionTrait,
};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, http::HeaderValue};

use crate::{
    crm::{CREATE_CONTACT, CREATE_DEAL, stage_id, with_pipeline},
    helpers::{
        Socket, TestApp, close_code, events_settled, init_socket, mutate, next_json, send_json,
        spawn_app, spawn_app_with,
    },
};

const PIPELINE_EVENTS: &str = "subscription ($pipelineId: ID!, $after: Seq) {
    pipelineEvents(pipelineId: $pipelineId, after: $after) {
        seq kind dealId fromStageId toStageId deal { id title status stage { id } } } }";

const BOARD: &str = "subscription ($pipelineId: ID!) { pipelineBoard(pipelineId: $pipelineId) {
    pipeline { name } computedAt
    columns { stage { id name } dealCount value { amount currency } weightedValue { amount currency } rottingCount cards { id title } } } }";

const EVENTS: &str =
    "subscription ($types: [String!], $after: Seq) { events(types: $types, after: $after) {
    seq type entityType entityId actor { kind id } payload occurredAt } }";

const MOVE_DEAL: &str = "mutation ($input: MoveDealInput!) { moveDeal(input: $input) { deal { id version } userErrors { message } } }";

/// Opens a socket as `token` and subscribes `query` under id `1`.
async fn subscribe(app: &TestApp, token: &str, query: &str, variables: Value) -> Socket {
    let mut socket = app.websocket("graphql-transport-ws").await;
    init_socket(&mut socket, token).await;
    start(&mut socket, "1", query, variables).await;
    // "From now" means from when the server has set the stream up.
    tokio::time::sleep(Duration::from_millis(250)).await;
    socket
}

async fn start(socket: &mut Socket, id: &str, query: &str, variables: Value) {
    send_json(
        socket,
        json!({ "type": "subscribe", "id": id, "payload": { "query": query, "variables": variables } }),
    )
    .await;
}

/// The data of the next `next` message; panics on errors.
async fn next_data(socket: &mut Socket) -> Value {
    loop {
        let message = next_json(socket).await;
        match message["type"].as_str() {
            Some("next") => {
                assert!(
                    message["payload"]["errors"].is_null(),
                    "subscription error: {message}"
                );
                return message["payload"]["data"].clone();
            }
            Some("ping") => send_json(socket, json!({ "type": "pong" })).await,
            _ => panic!("expected `next`, got {message}"),
        }
    }
}

/// The code of the error a subscription fails with (sent as a `next`
/// with `errors`, then `complete`).
async fn error_code(socket: &mut Socket) -> Value {
    let message = next_json(socket).await;
    assert_eq!(message["type"], "next", "{message}");
    assert!(message["payload"]["data"].is_null(), "{message}");
    let code = message["payload"]["errors"][0]["extensions"]["code"].clone();
    assert_eq!(next_json(socket).await["type"], "complete");
    code
}

/// The close code, after any messages still in flight.
async fn close_code_after_messages(socket: &mut Socket) -> u16 {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
            Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Close(Some(frame))))) => {
                return frame.code.into();
            }
            Ok(Some(Ok(_))) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// Whether another message arrives within `wait`.
async fn silent_for(socket: &mut Socket, wait: Duration) -> bool {
    match tokio::time::timeout(wait, socket.next()).await {
        Err(_) => true,
        Ok(message) => panic!("expected silence, got {message:?}"),
    }
}

async fn create_deal(app: &TestApp, token: &str, pipeline: &Value, title: &str) -> Value {
    mutate(app, token, "createDeal", CREATE_DEAL, json!({ "input": {
        "title": title, "value": { "amount": "100.00", "currency": "EUR" }, "pipelineId": pipeline["id"] } }))
    .await["deal"]
        .clone()
}

async fn move_deal(app: &TestApp, token: &str, deal: &str, version: i64, stage: &str) -> i64 {
    let moved = mutate(
        app,
        token,
        "moveDeal",
        MOVE_DEAL,
        json!({ "input": { "id": deal, "version": version, "stageId": stage } }),
    )
    .await;
    moved["deal"]["version"]
        .as_i64()
        .unwrap_or_else(|| panic!("{moved}"))
}

/// Reads snapshots until one has `counts` (a change may take two
/// coalesced snapshots to show in full).
async fn board_with(socket: &mut Socket, counts: &[i64]) -> Value {
    for _ in 0..5 {
        let board = next_data(socket).await;
        if column_counts(&board) == counts {
            return board;
        }
    }
    panic!("no board with counts {counts:?}");
}

fn column_counts(board: &Value) -> Vec<i64> {
    board["pipelineBoard"]["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| c["dealCount"].as_i64().expect("a count"))
        .collect()
}

#[tokio::test]
async fn a_board_snapshot_arrives_on_subscribe_and_again_after_a_move() {
    let app = spawn_app().await;
    let (acme, pipelines) = with_pipeline(&app, "acme").await;
    let token = acme.token("member");
    let deal = create_deal(&app, token, &pipelines[0], "Kanban card").await;
    let mut board = subscribe(
        &app,
        acme.token("viewer"),
        BOARD,
        json!({ "pipelineId": pipelines[0]["id"] }),
    )
    .await;

    let snapshot = next_data(&mut board).await;
    assert_eq!(column_counts(&snapshot), vec![1, 0, 0]);
    let first = &snapshot["pipelineBoard"]["columns"][0];
    assert_eq!(first["cards"][0]["title"], "Kanban card");
    assert_eq!(
        first["value"],
        json!([{ "amount": "100.00", "currency": "EUR" }])
    );
    assert_eq!(
        first["weightedValue"],
        json!([{ "amount": "10.00", "currency": "EUR" }])
    );

    let id = deal["id"].as_str().expect("a deal id");
    move_deal(
        &app,
        token,
        id,
        deal["version"].as_i64().unwrap(),
        &stage_id(&pipelines, 0, 1),
    )
    .await;
    let updated = board_with(&mut board, &[0, 1, 0]).await;
    assert_eq!(
        updated["pipelineBoard"]["columns"][1]["cards"][0]["id"],
        deal["id"]
    );

    // A change in the other pipeline does not touch this board.
    create_deal(&app, token, &pipelines[1], "Elsewhere").await;
    assert!(silent_for(&mut board, Duration::from_millis(800)).await);
}

#[tokio::test]
async fn many_changes_within_the_coalescing_interval_make_one_snapshot() {
    let app = spawn_app_with(&["--live-coalesce-ms", "1500"]).await;
    let (acme, pipelines) = with_pipeline(&app, "acme").await;
    let token = acme.token("member");
    let mut first = subscribe(
        &app,
        token,
        BOARD,
        json!({ "pipelineId": pipelines[0]["id"] }),
    )
    .await;
    let mut second = subscribe(
        &app,
        token,
        BOARD,
        json!({ "pipelineId": pipelines[0]["id"] }),
    )
    .await;
    assert_eq!(column_counts(&next_data(&mut first).await), vec![0, 0, 0]);
    assert_eq!(column_counts(&next_data(&mut second).await), vec![0, 0, 0]);
    let computed = snapshots(&app).await;
    let resolved = metric(&app, "pulse_live_shared_results_total").await;
    // The second subscriber joined the first one's execution: it got the
    // snapshot already resolved, not one of its own.
    assert_eq!(metric(&app, "pulse_live_shared_joins_total").await, 1);

    for n in 0..5 {
        create_deal(&app, token, &pipelines[0], &format!("Deal {n}")).await;
    }
    // Both subscribers get the same snapshot; it already has all five deals
    // or the rest follow in one more.
    board_with(&mut first, &[5, 0, 0]).await;
    board_with(&mut second, &[5, 0, 0]).await;
    // Five changes, two subscribers: at most two computations, not ten.
    let recomputed = snapshots(&app).await - computed;
    assert!((1..=2).contains(&recomputed), "{recomputed} snapshots");
    // ...and each resolved once for both subscribers.
    let resolved = metric(&app, "pulse_live_shared_results_total").await - resolved;
    assert!((1..=2).contains(&resolved), "{resolved} results");
}

#[tokio::test]
async fn subscribers_with_the_same_permissions_share_one_execution_per_event() {
    let app = spawn_app().await;
    let (acme, pipelines) = with_pipeline(&app, "acme").await;
    let (api_token, _) = app.api_token(&acme, &["deals:subscribe"]).await;
    // Two sockets of a member, one of a manager, one of an API token: the
    // member's share; the others run their own.
    let variables = json!({ "pipelineId": pipelines[0]["id"] });
    let mut sockets = Vec::new();
    for token in [
        acme.token("member"),
        acme.token("member"),
        acme.token("manager"),
        &api_token,
    ] {
        sockets.push(subscribe(&app, token, PIPELINE_EVENTS, variables.clone()).await);
    }
    assert_eq!(metric(&app, "pulse_live_shared_joins_total").await, 1);

    let deal = create_deal(&app, acme.token("member"), &pipelines[0], "Shared").await;
    for socket in &mut sockets[..3] {
        let event = next_data(socket).await["pipelineEvents"].clone();
        assert_eq!(event["kind"], "CREATED");
        assert_eq!(event["deal"]["stage"]["id"], stage_id(&pipelines, 0, 0));
        assert_eq!(event["dealId"], deal["id"]);
    }
    // Results depend on permissions: the token may not read stages, so its
    // result (its own) has an error where the users' has the stage.
    let for_token = next_json(&mut sockets[3]).await;
    assert_eq!(
        for_token["payload"]["data"]["pipelineEvents"]["dealId"],
        deal["id"]
    );
    assert_eq!(
        for_token["payload"]["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    assert!(silent_for(&mut sockets[0], Duration::from_millis(300)).await);
    // One event, three kinds of permissions: three executions, not four.
    assert_eq!(metric(&app, "pulse_live_shared_results_total").await, 3);

    // A subscriber that leaves does not stop the others' stream.
    drop(sockets.remove(0));
    drop(sockets.pop());
    move_deal(
        &app,
        acme.token("member"),
        deal["id"].as_str().unwrap_or_default(),
        deal["version"].as_i64().unwrap_or_default(),
        &stage_id(&pipelines, 0, 1),
    )
    .await;
    for socket in &mut sockets {
        assert_eq!(next_data(socket).await["pipelineEvents"]["kind"], "MOVED");
    }
}

/// `pulse_live_snapshots_total` from `/metrics`.
async fn snapshots(app: &TestApp) -> u64 {
    metric(app, "pulse_live_snapshots_total").await
}

async fn metric(app: &TestApp, name: &str) -> u64 {
    let body = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("a body");
    body.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} in {body}"))
}

#[tokio::test]
async fn pipeline_events_resume_after_a_disconnect_with_exactly_the_missed_events() {
    let app = spawn_app().await;
    let (acme, pipelines) = with_pipeline(&app, "acme").await;
    let token = acme.token("member");
    let variables = json!({ "pipelineId": pipelines[0]["id"] });
    let mut socket = subscribe(&app, token, PIPELINE_EVENTS, variables.clone()).await;

    let deal = create_deal(&app, token, &pipelines[0], "Resumable").await;
    let id = deal["id"].as_str().expect("a deal id").to_owned();
    let created = next_data(&mut socket).await["pipelineEvents"].clone();
    assert_eq!(created["kind"], "CREATED");
    assert_eq!(created["deal"]["title"], "Resumable");
    assert_eq!(created["toStageId"], stage_id(&pipelines, 0, 0));
    let seen = created["seq"].as_i64().expect("a seq");
    drop(socket);

    // While disconnected: two moves and a win in this pipeline, noise
    // elsewhere (another pipeline, a contact).
    let mut version = deal["version"].as_i64().unwrap();
    version = move_deal(&app, token, &id, version, &stage_id(&pipelines, 0, 1)).await;
    create_deal(&app, token, &pipelines[1], "Other pipeline").await;
    version = move_deal(&app, token, &id, version, &stage_id(&pipelines, 0, 2)).await;
    mutate(
        &app,
        token,
        "createContact",
        CREATE_CONTACT,
        json!({ "input": { "firstName": "Noise", "lastName": "Test" } }),
    )
    .await;
    mutate(&app, token, "winDeal", "mutation ($input: VersionedIdInput!) { winDeal(input: $input) { deal { id } userErrors { message } } }",
        json!({ "input": { "id": id, "version": version } })).await;

    let mut socket = subscribe(
        &app,
        token,
        PIPELINE_EVENTS,
        json!({ "pipelineId": pipelines[0]["id"], "after": seen }),
    )
    .await;
    let mut replayed = Vec::new();
    for _ in 0..3 {
        replayed.push(next_data(&mut socket).await["pipelineEvents"].clone());
    }
    let kinds: Vec<&str> = replayed
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["MOVED", "MOVED", "WON"]);
    assert_eq!(replayed[0]["fromStageId"], stage_id(&pipelines, 0, 0));
    assert_eq!(replayed[1]["toStageId"], stage_id(&pipelines, 0, 2));
    let seqs: Vec<i64> = replayed
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]) && seqs[0] > seen,
        "{seqs:?}"
    );

    // Then live, with nothing repeated at the seam.
    create_deal(&app, token, &pipelines[0], "After the seam").await;
    let live = next_data(&mut socket).await["pipelineEvents"].clone();
    assert_eq!(live["kind"], "CREATED");
    assert!(live["seq"].as_i64().unwrap() > seqs[2]);
    assert!(silent_for(&mut socket, Duration::from_millis(500)).await);
}

#[tokio::test]
async fn the_event_stream_numbers_every_change_without_gaps_and_replays_from_any_point() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;
    let (token, _) = app
        .api_token(&acme, &["events:subscribe", "contacts:write"])
        .await;
    for n in 0..5 {
        mutate(
            &app,
            &token,
            "createContact",
            CREATE_CONTACT,
            json!({ "input": { "firstName": format!("C{n}"), "lastName": "Test" } }),
        )
        .await;
    }
    let mut socket = subscribe(&app, &token, EVENTS, json!({ "after": 0 })).await;
    let mut seqs = Vec::new();
    let mut contacts = 0;
    // Everything since the workspace began: sign-up events, then contacts.
    while contacts < 5 {
        let event = next_data(&mut socket).await["events"].clone();
        seqs.push(event["seq"].as_i64().unwrap());
        if event["type"] == "contact.created" {
            contacts += 1;
            assert_eq!(event["actor"]["kind"], "API_TOKEN");
            assert!(event["entityId"].as_str().unwrap().starts_with("con_"));
            assert!(event["payload"]["after"]["firstName"].is_string());
        }
    }
    let expected: Vec<i64> = (1..=seqs.len() as i64).collect();
    assert_eq!(seqs, expected, "gap-free from 1");

    // Filtered by type, from the middle.
    let mut filtered = subscribe(
        &app,
        &token,
        EVENTS,
        json!({ "types": ["contact.*"], "after": seqs[seqs.len() - 3] }),
    )
    .await;
    for _ in 0..2 {
        assert_eq!(
            next_data(&mut filtered).await["events"]["type"],
            "contact.created"
        );
    }
    assert!(silent_for(&mut filtered, Duration::from_millis(300)).await);
}

#[tokio::test]
async fn an_event_that_commits_late_is_numbered_after_and_never_skipped() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;
    let workspace = workspace_id(&app, "acme").await;
    let sequencer = Sequencer::new(app.db.clone());
    sequencer.run().await.expect("sequence sign-up events");
    let head = sequencer_head(&app, workspace).await;

    // `early` gets the smaller id (it began first) but commits last.
    let early = event_row(workspace, "test.early");
    let late = event_row(workspace, "test.late");
    let (early_id, late_id) = (early.id.clone().unwrap(), late.id.clone().unwrap());
    if app.db.get_database_backend() == DbBackend::Postgres {
        // Truly concurrent: `early` is inserted but uncommitted while `late`
        // commits and the sequencer runs.
        let open = app.db.begin().await.expect("begin");
        early.insert(&open).await.expect("insert early");
        late.insert(&app.db).await.expect("insert late");
        sequencer.run().await.expect("sequence");
        open.commit().await.expect("commit early");
    } else {
        // SQLite has one writer at a time: the same order, one after another.
        late.insert(&app.db).await.expect("insert late");
        sequencer.run().await.expect("sequence");
        early.insert(&app.db).await.expect("insert early");
    }
    sequencer.run().await.expect("sequence again");

    let rows = domain_event::Entity::find_in(entity::WorkspaceId(workspace))
        .filter(domain_event::Column::Seq.gt(head))
        .order_by_asc(domain_event::Column::Seq)
        .all(&app.db)
        .await
        .expect("events");
    let order: Vec<(uuid::Uuid, Option<i64>)> = rows.iter().map(|r| (r.id, r.seq)).collect();
    assert_eq!(
        order,
        vec![(late_id, Some(head + 1)), (early_id, Some(head + 2))]
    );

    // And a subscriber resuming from before both gets both, in that order.
    let (token, _) = app.api_token(&acme, &["events:subscribe"]).await;
    let mut socket = subscribe(
        &app,
        &token,
        EVENTS,
        json!({ "types": ["test.*"], "after": head }),
    )
    .await;
    assert_eq!(next_data(&mut socket).await["events"]["type"], "test.late");
    assert_eq!(next_data(&mut socket).await["events"]["type"], "test.early");
}

fn event_row(workspace: uuid::Uuid, event_type: &str) -> domain_event::ActiveModel {
    domain_event::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        workspace_id: Set(workspace),
        seq: Set(None),
        event_type: Set(event_type.to_owned()),
        entity_type: Set("test".to_owned()),
        entity_id: Set(uuid::Uuid::now_v7()),
        actor_kind: Set(entity::enums::ActorKind::System),
        actor_id: Set(None),
        payload: Set(json!({})),
        occurred_at: Set(chrono::Utc::now()),
    }
}

async fn workspace_id(app: &TestApp, slug: &str) -> uuid::Uuid {
    entity::workspace::Entity::find_by_slug(slug)
        .one(&app.db)
        .await
        .expect("query")
        .expect("the workspace")
        .id
}

async fn sequencer_head(app: &TestApp, workspace: uuid::Uuid) -> i64 {
    pulse::live::sequencer::head(&app.db, entity::WorkspaceId(workspace))
        .await
        .expect("head")
}

#[tokio::test]
async fn a_change_through_one_instance_reaches_subscribers_on_another() {
    let app = spawn_app().await;
    if app.db.get_database_backend() != DbBackend::Postgres {
        // Several instances share a PostgreSQL database; SQLite is the
        // single-instance embedded mode.
        return;
    }
    let other = app.another_instance(&[]).await;
    let (acme, pipelines) = with_pipeline(&app, "acme").await;
    let token = acme.token("member");
    let mut on_other = subscribe(
        &other,
        token,
        PIPELINE_EVENTS,
        json!({ "pipelineId": pipelines[0]["id"] }),
    )
    .await;
    let mut board_on_other = subscribe(
        &other,
        token,
        BOARD,
        json!({ "pipelineId": pipelines[0]["id"] }),
    )
    .await;
    assert_eq!(
        column_counts(&next_data(&mut board_on_other).await),
        vec![0, 0, 0]
    );

    let deal = create_deal(&app, token, &pipelines[0], "Made on instance A").await;
    let event = next_data(&mut on_other).await["pipelineEvents"].clone();
    assert_eq!(event["kind"], "CREATED");
    assert_eq!(event["dealId"], deal["id"]);
    board_with(&mut board_on_other, &[1, 0, 0]).await;
}

#[tokio::test]
async fn a_subscriber_that_stops_reading_stays_bounded_and_catches_up_losslessly() {
    let app = spawn_app_with(&["--live-buffer-events", "4"]).await;
    let acme = app.workspace("acme").await;
    let (token, _) = app
        .api_token(&acme, &["events:subscribe", "contacts:write"])
        .await;
    let query = json!({ "types": ["contact.created"] });
    // The slow client multiplexes many subscriptions on one socket, so
    // what the server has to send it outgrows the kernel's socket buffers.
    const STREAMS: usize = 40;
    let mut slow = small_window_socket(&app).await;
    init_socket(&mut slow, &token).await;
    for id in 0..STREAMS {
        start(&mut slow, &id.to_string(), EVENTS, query.clone()).await;
    }
    let mut brisk = subscribe(&app, &token, EVENTS, query).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    // The slow client reads nothing while many events happen; the brisk
    // one keeps up.
    const EVENTS_MADE: usize = 250;
    let padding = "x".repeat(90);
    let name = |n: usize| format!("{n} {padding}");
    for n in 0..EVENTS_MADE {
        let created = mutate(
            &app,
            &token,
            "createContact",
            CREATE_CONTACT,
            json!({ "input": {
            "firstName": name(n), "lastName": padding, "title": padding, "source": padding } }),
        )
        .await;
        assert!(
            created["userErrors"].as_array().is_some_and(Vec::is_empty),
            "{created}"
        );
        let event = next_data(&mut brisk).await["events"].clone();
        assert_eq!(event["payload"]["after"]["firstName"], name(n));
    }
    // When the slow one reads again, every stream gets every event, in
    // order, once...
    let mut received = vec![0usize; STREAMS];
    for _ in 0..STREAMS * EVENTS_MADE {
        let message = next_json(&mut slow).await;
        assert_eq!(message["type"], "next", "{message}");
        let stream: usize = message["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .expect("an id");
        let event = &message["payload"]["data"]["events"];
        assert_eq!(
            event["payload"]["after"]["firstName"],
            name(received[stream])
        );
        received[stream] += 1;
    }
    assert!(received.iter().all(|n| *n == EVENTS_MADE));
    // ...though its server-side channel (4 events) overflowed while its
    // socket was full: the missed events came from the database.
    assert!(metric(&app, "pulse_live_lagged_total").await >= 1);
    assert!(metric(&app, "pulse_live_replayed_total").await >= 1);
}

/// A client socket with a tiny receive window, so the server's writes
/// block as soon as the client stops reading.
async fn small_window_socket(app: &TestApp) -> Socket {
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket.set_recv_buffer_size(4096).expect("a small buffer");
    let stream = socket
        .connect(([127, 0, 0, 1], app.port).into())
        .await
        .expect("connect");
    let mut request = format!("ws://127.0.0.1:{}/graphql/ws", app.port)
        .into_client_request()
        .expect("a request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (socket, _) =
        tokio_tungstenite::client_async(request, tokio_tungstenite::MaybeTlsStream::Plain(stream))
            .await
            .expect("upgrade");
    socket
}

#[tokio::test]
async fn another_workspaces_changes_never_arrive_and_its_ids_are_not_found() {
    let app = spawn_app().await;
    let (acme, acme_pipelines) = with_pipeline(&app, "acme").await;
    let (globex, globex_pipelines) = with_pipeline(&app, "globex").await;
    let (acme_token, _) = app.api_token(&acme, &["events:subscribe"]).await;
    // Acme's own set-up events are numbered before anyone subscribes, so
    // "from now" starts after them.
    events_settled(&app).await;
    let mut acme_events = subscribe(&app, &acme_token, EVENTS, json!({})).await;
    let mut acme_board = subscribe(
        &app,
        acme.token("member"),
        PIPELINE_EVENTS,
        json!({ "pipelineId": acme_pipelines[0]["id"] }),
    )
    .await;

    create_deal(
        &app,
        globex.token("member"),
        &globex_pipelines[0],
        "Globex secret",
    )
    .await;
    assert!(silent_for(&mut acme_events, Duration::from_millis(700)).await);
    assert!(silent_for(&mut acme_board, Duration::from_millis(100)).await);

    // Subscribing to Globex's pipeline from Acme: not found, nothing streams.
    let mut socket = subscribe(
        &app,
        acme.token("owner"),
        BOARD,
        json!({ "pipelineId": globex_pipelines[0]["id"] }),
    )
    .await;
    assert_eq!(error_code(&mut socket).await, "NOT_FOUND");
}

#[tokio::test]
async fn subscriptions_need_their_scope() {
    let app = spawn_app().await;
    let (acme, pipelines) = with_pipeline(&app, "acme").await;
    let (contacts_only, _) = app
        .api_token(&acme, &["contacts:read", "contacts:subscribe"])
        .await;
    let cases = [
        (
            contacts_only.as_str(),
            PIPELINE_EVENTS,
            json!({ "pipelineId": pipelines[0]["id"] }),
        ),
        (
            contacts_only.as_str(),
            BOARD,
            json!({ "pipelineId": pipelines[0]["id"] }),
        ),
        (contacts_only.as_str(), EVENTS, json!({})),
        (
            contacts_only.as_str(),
            "subscription { dashboard { openDeals } }",
            json!({}),
        ),
        (
            contacts_only.as_str(),
            "subscription { notifications { title } }",
            json!({}),
        ),
        // Users: the raw event stream is for admins.
        (acme.token("member"), EVENTS, json!({})),
    ];
    for (token, query, variables) in cases {
        let mut socket = subscribe(&app, token, query, variables).await;
        assert_eq!(error_code(&mut socket).await, "FORBIDDEN", "{query}");
    }
    // The right scope works.
    let (deals, _) = app.api_token(&acme, &["deals:subscribe"]).await;
    let mut socket = subscribe(
        &app,
        &deals,
        BOARD,
        json!({ "pipelineId": pipelines[0]["id"] }),
    )
    .await;
    assert_eq!(column_counts(&next_data(&mut socket).await), vec![0, 0, 0]);
}

#[tokio::test]
async fn dashboard_kpis_follow_changes() {
    let app = spawn_app_with(&["--live-coalesce-ms", "50"]).await;
    let (acme, pipelines) = with_pipeline(&app, "acme").await;
    let token = acme.token("member");
    let query = "subscription { dashboard(input: { currency: \"EUR\" }) {
        openDeals openValue { amount currency } weightedValue { amount } wonDeals wonValue { amount } winRate } }";
    let mut socket = subscribe(&app, acme.token("owner"), query, json!({})).await;
    let empty = next_data(&mut socket).await["dashboard"].clone();
    assert_eq!(empty["openDeals"], 0);
    assert!(empty["winRate"].is_null());

    let deal = create_deal(&app, token, &pipelines[0], "KPI").await;
    let after_create = next_data(&mut socket).await["dashboard"].clone();
    assert_eq!(after_create["openDeals"], 1);
    assert_eq!(
        after_create["openValue"],
        json!({ "amount": "100.00", "currency": "EUR" })
    );
    assert_eq!(after_create["weightedValue"]["amount"], "10.00");

    mutate(&app, token, "winDeal", "mutation ($input: VersionedIdInput!) { winDeal(input: $input) { deal { id } userErrors { message } } }",
        json!({ "input": { "id": deal["id"], "version": deal["version"] } })).await;
    let after_win = next_data(&mut socket).await["dashboard"].clone();
    assert_eq!(after_win["openDeals"], 0);
    assert_eq!(after_win["wonDeals"], 1);
    assert_eq!(after_win["wonValue"]["amount"], "100.00");
    assert_eq!(after_win["winRate"], 1.0);
}

#[tokio::test]
async fn a_customers_timeline_streams_its_new_entries_only() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;
    let token = acme.token("member");
    let ada = mutate(
        &app,
        token,
        "createContact",
        CREATE_CONTACT,
        json!({ "input": { "firstName": "Ada", "lastName": "Test" } }),
    )
    .await;
    let bob = mutate(
        &app,
        token,
        "createContact",
        CREATE_CONTACT,
        json!({ "input": { "firstName": "Bob", "lastName": "Test" } }),
    )
    .await;
    let query = "subscription ($id: ID!) { timeline(contactId: $id) {
        __typename ... on Note { body } ... on Interaction { summary } } }";
    let mut socket = subscribe(&app, token, query, json!({ "id": ada["contact"]["id"] })).await;
    let note = "mutation ($input: AddNoteInput!) { addNote(input: $input) { note { id } userErrors { message } } }";
    mutate(
        &app,
        token,
        "addNote",
        note,
        json!({ "input": { "contactId": bob["contact"]["id"], "body": "About Bob" } }),
    )
    .await;
    mutate(
        &app,
        token,
        "addNote",
        note,
        json!({ "input": { "contactId": ada["contact"]["id"], "body": "About Ada" } }),
    )
    .await;
    let entry = next_data(&mut socket).await["timeline"].clone();
    assert_eq!(entry, json!({ "__typename": "Note", "body": "About Ada" }));
    assert!(silent_for(&mut socket, Duration::from_millis(500)).await);
}

#[tokio::test]
async fn notifications_tell_a_user_of_assignments_by_others_and_activities_coming_due() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;
    let member_id = acme
        .user_ids
        .get("member")
        .expect("the member's id")
        .clone();
    let mut socket = subscribe(
        &app,
        acme.token("member"),
        "subscription { notifications { kind entityType title dueAt } }",
        json!({}),
    )
    .await;

    // The owner assigns a contact to the member.
    mutate(
        &app,
        acme.token("owner"),
        "createContact",
        CREATE_CONTACT,
        json!({ "input": { "firstName": "Assigned", "lastName": "Test", "ownerId": member_id } }),
    )
    .await;
    let notification = next_data(&mut socket).await["notifications"].clone();
    assert_eq!(notification["kind"], "ASSIGNED");
    assert_eq!(notification["entityType"], "contact");

    // The member's own changes are not news to them.
    mutate(
        &app,
        acme.token("member"),
        "createContact",
        CREATE_CONTACT,
        json!({ "input": { "firstName": "Mine", "lastName": "Test" } }),
    )
    .await;
    // An activity due in ten minutes is announced (on the next check).
    let due = (chrono::Utc::now() + chrono::Duration::minutes(10)).to_rfc3339();
    mutate(&app, acme.token("owner"), "scheduleActivity", "mutation ($input: ScheduleActivityInput!) { scheduleActivity(input: $input) { activity { id } userErrors { message } } }",
        json!({ "input": { "kind": "CALL", "subject": "Call soon", "dueAt": due, "ownerId": member_id } })).await;
    let assigned_activity = next_data(&mut socket).await["notifications"].clone();
    assert_eq!(assigned_activity["kind"], "ASSIGNED");
    assert_eq!(assigned_activity["entityType"], "activity");

    // A new subscription checks for activities coming due at once.
    let mut fresh = subscribe(
        &app,
        acme.token("member"),
        "subscription { notifications { kind entityType title dueAt } }",
        json!({}),
    )
    .await;
    let coming_due = next_data(&mut fresh).await["notifications"].clone();
    assert_eq!(coming_due["kind"], "ACTIVITY_DUE");
    assert_eq!(coming_due["title"], "Due soon: Call soon");
    assert!(coming_due["dueAt"].is_string());
}

#[tokio::test]
async fn a_duplicate_subscription_id_is_closed_with_4409_and_complete_stops_a_stream() {
    let app = spawn_app().await;
    let (acme, pipelines) = with_pipeline(&app, "acme").await;
    let token = acme.token("member");
    let variables = json!({ "pipelineId": pipelines[0]["id"] });
    let mut socket = subscribe(&app, token, PIPELINE_EVENTS, variables.clone()).await;

    // ping/pong keep-alive.
    send_json(&mut socket, json!({ "type": "ping" })).await;
    assert_eq!(next_json(&mut socket).await["type"], "pong");

    // `complete` from the client ends the stream: no more events.
    send_json(&mut socket, json!({ "type": "complete", "id": "1" })).await;
    assert_eq!(next_json(&mut socket).await["type"], "complete");
    create_deal(&app, token, &pipelines[0], "Unheard").await;
    assert!(silent_for(&mut socket, Duration::from_millis(500)).await);

    // The id is free again; reusing a running one closes the socket.
    start(&mut socket, "1", PIPELINE_EVENTS, variables.clone()).await;
    start(&mut socket, "1", PIPELINE_EVENTS, variables).await;
    assert_eq!(close_code(&mut socket).await, 4409);
}

#[tokio::test]
async fn the_legacy_protocol_streams_subscriptions_too() {
    let app = spawn_app().await;
    let (acme, pipelines) = with_pipeline(&app, "acme").await;
    let token = acme.token("member");
    let mut socket = app.websocket("graphql-ws").await;
    init_socket(&mut socket, token).await;
    send_json(
        &mut socket,
        json!({ "type": "start", "id": "7", "payload": {
        "query": PIPELINE_EVENTS, "variables": { "pipelineId": pipelines[0]["id"] } } }),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    create_deal(&app, token, &pipelines[0], "Legacy").await;
    let data = loop {
        let message = next_json(&mut socket).await;
        if message["type"] != "ka" {
            break message;
        }
    };
    assert_eq!(data["type"], "data", "{data}");
    assert_eq!(data["id"], "7");
    assert_eq!(data["payload"]["data"]["pipelineEvents"]["kind"], "CREATED");
}

#[tokio::test]
async fn shutdown_closes_sockets_with_open_subscriptions() {
    let app = spawn_app().await;
    let (acme, pipelines) = with_pipeline(&app, "acme").await;
    let mut socket = subscribe(
        &app,
        acme.token("member"),
        BOARD,
        json!({ "pipelineId": pipelines[0]["id"] }),
    )
    .await;
    next_data(&mut socket).await;
    app.shutdown.cancel();
    assert_eq!(close_code_after_messages(&mut socket).await, 1001);
}
