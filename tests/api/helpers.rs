//! `spawn_app()`: a server on port 0 over a fresh, migrated database, with
//! typed helpers for GraphQL over HTTP and WebSocket.

use std::sync::{Arc, atomic::Ordering};

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use pulse::{config::Config, graphql::GraphqlCounters, startup::Application};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};
use tokio_util::sync::CancellationToken;

/// A running test server.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The bound port.
    pub port: u16,
    /// The server's database.
    pub db: DatabaseConnection,
    /// Cancelling it shuts the server down.
    pub shutdown: CancellationToken,
    /// The server task; resolves when the server has stopped.
    pub server: tokio::task::JoinHandle<anyhow::Result<()>>,
    /// HTTP client.
    pub client: reqwest::Client,
    counters: Arc<GraphqlCounters>,
    /// The database URL, for running the `pulse` binary on the same database.
    pub database_url: String,
    /// Keeps the SQLite file (and data directory) alive.
    _data_dir: tempfile::TempDir,
}

#[derive(Parser)]
struct TestCli {
    #[command(flatten)]
    config: Config,
}

/// A fresh database URL: a SQLite file in `dir`, or a new PostgreSQL database
/// when `PULSE_TEST_POSTGRES_URL` names a server.
pub async fn fresh_database(dir: &std::path::Path) -> String {
    let Ok(admin_url) = std::env::var("PULSE_TEST_POSTGRES_URL") else {
        return format!("sqlite://{}/pulse.db?mode=rwc", dir.display());
    };
    let (base, query) = admin_url
        .split_once('?')
        .map_or((admin_url.as_str(), None), |(b, q)| (b, Some(q)));
    let (server, admin_db) = base
        .rsplit_once('/')
        .expect("PULSE_TEST_POSTGRES_URL has a database name");
    let name = format!("{admin_db}_t_{}", uuid::Uuid::now_v7().simple());
    let admin = Database::connect(admin_url.as_str())
        .await
        .expect("connect to the PostgreSQL test server");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create a test database");
    admin.close().await.expect("close the admin connection");
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

/// Arguments every test server gets: its own data directory and database,
/// port 0, a fixed JWT secret.
pub fn test_args(data_dir: &std::path::Path, database_url: &str) -> Vec<String> {
    vec![
        "pulse".into(),
        "--data-dir".into(),
        data_dir.display().to_string(),
        "--database-url".into(),
        database_url.into(),
        "--listen".into(),
        "127.0.0.1:0".into(),
        "--jwt-secret".into(),
        "test-secret-test-secret-test-secret-0123".into(),
        "--db-max-connections".into(),
        "5".into(),
    ]
}

/// A server on a fresh database with default settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// A server on a fresh database with extra command-line flags
/// (e.g. `["--env", "production"]`).
pub async fn spawn_app_with(extra: &[&str]) -> TestApp {
    let data_dir = tempfile::tempdir().expect("create a temporary data directory");
    let database_url = fresh_database(data_dir.path()).await;
    spawn_on(data_dir, database_url, extra).await
}

impl TestApp {
    /// A second server on this one's database (several instances behind a
    /// load balancer), with extra flags.
    pub async fn another_instance(&self, extra: &[&str]) -> TestApp {
        let data_dir = tempfile::tempdir().expect("create a temporary data directory");
        spawn_on(data_dir, self.database_url.clone(), extra).await
    }
}

async fn spawn_on(data_dir: tempfile::TempDir, database_url: String, extra: &[&str]) -> TestApp {
    // Flags in `extra` replace the defaults of the same name.
    let defaults = test_args(data_dir.path(), &database_url);
    let mut args = vec![defaults[0].clone()];
    for pair in defaults[1..].chunks(2) {
        if !extra.contains(&pair[0].as_str()) {
            args.extend_from_slice(pair);
        }
    }
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let config = TestCli::try_parse_from(args)
        .expect("valid test flags")
        .config
        .resolve()
        .expect("valid config");
    let app = Application::build(config)
        .await
        .expect("build the application");
    let port = app.port();
    let state = app.state().clone();
    let shutdown = app.shutdown_token();
    let server = tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        db: state.db.clone(),
        shutdown,
        server,
        client: reqwest::Client::new(),
        counters: state.graphql_counters.clone(),
        database_url,
        _data_dir: data_dir,
    }
}

/// A WebSocket client connection.
pub type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

impl TestApp {
    /// `POST /graphql` with `query`; returns status and JSON body.
    pub async fn graphql(&self, query: &str) -> (reqwest::StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("POST /graphql");
        let status = response.status();
        (status, response.json().await.expect("a JSON body"))
    }

    /// Field resolutions so far.
    pub fn resolver_calls(&self) -> u64 {
        self.counters.resolver_calls.load(Ordering::SeqCst)
    }

    /// Opens a WebSocket to `/graphql/ws` speaking `protocol`.
    pub async fn websocket(&self, protocol: &str) -> Socket {
        websocket(self.port, protocol).await
    }
}

/// Opens a WebSocket to `/graphql/ws` on `port` speaking `protocol`.
pub async fn websocket(port: u16, protocol: &str) -> Socket {
    let mut request = format!("ws://127.0.0.1:{port}/graphql/ws")
        .into_client_request()
        .expect("a valid WebSocket URL");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_str(protocol).expect("a valid header"),
    );
    let (socket, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("WebSocket handshake");
    assert_eq!(
        response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok()),
        Some(protocol)
    );
    socket
}

/// Sends a JSON message.
pub async fn send_json(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .expect("send a WebSocket message");
}

/// The next message, or panics after 10 s.
pub async fn next_message(socket: &mut Socket) -> Message {
    tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
        .await
        .expect("a WebSocket message within 10 s")
        .expect("the socket is open")
        .expect("a well-formed message")
}

/// The next message as JSON; panics on anything but text.
pub async fn next_json(socket: &mut Socket) -> Value {
    match next_message(socket).await {
        Message::Text(text) => serde_json::from_str(text.as_str()).expect("a JSON message"),
        other => panic!("expected a text message, got {other:?}"),
    }
}

/// The close code the server sent next.
pub async fn close_code(socket: &mut Socket) -> u16 {
    loop {
        match next_message(socket).await {
            Message::Close(Some(frame)) => return frame.code.into(),
            Message::Close(None) => panic!("close frame without a code"),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// Password of every user the helpers create.
pub const PASSWORD: &str = "correct-horse-battery";

/// A workspace made through the API, with one signed-in user per role.
pub struct TestWorkspace {
    /// Access tokens by role name: `owner`, `admin`, `manager`, `member`,
    /// `viewer`.
    pub tokens: std::collections::HashMap<&'static str, String>,
    /// Global user ids by role name.
    pub user_ids: std::collections::HashMap<&'static str, String>,
    /// The global id of the team the manager and member are in.
    pub team_id: String,
}

impl TestWorkspace {
    /// The access token of the user with `role`.
    pub fn token(&self, role: &str) -> &str {
        self.tokens
            .get(role)
            .map(String::as_str)
            .expect("a role the helper created")
    }
}

impl TestApp {
    /// `POST /graphql` with a bearer token and variables.
    pub async fn graphql_as(
        &self,
        token: &str,
        query: &str,
        variables: Value,
    ) -> (reqwest::StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}/graphql", self.address))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql");
        let status = response.status();
        (status, response.json().await.expect("a JSON body"))
    }

    /// `login`; returns the payload.
    pub async fn login(&self, email: &str, password: &str) -> Value {
        let (_, body) = self
            .graphql_with(
                "mutation ($input: LoginInput!) { login(input: $input) { accessToken refreshToken expiresAt user { id } userErrors { field code message } } }",
                json!({ "input": { "email": email, "password": password } }),
            )
            .await;
        body["data"]["login"].clone()
    }

    /// `POST /graphql` without credentials, with variables.
    pub async fn graphql_with(
        &self,
        query: &str,
        variables: Value,
    ) -> (reqwest::StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql");
        let status = response.status();
        (status, response.json().await.expect("a JSON body"))
    }

    /// Signs up workspace `slug` and creates and logs in one user per role;
    /// the manager and the member share a team.
    pub async fn workspace(&self, slug: &str) -> TestWorkspace {
        let owner_email = format!("owner@{slug}.test");
        let (_, body) = self
            .graphql_with(
                "mutation ($input: SignUpInput!) { signUp(input: $input) { user { id } userErrors { message } } }",
                json!({ "input": { "workspaceName": format!("Workspace {slug}"), "workspaceSlug": slug,
                                   "name": "Owner", "email": owner_email, "password": PASSWORD } }),
            )
            .await;
        let owner_id = body["data"]["signUp"]["user"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("sign-up failed: {body}"))
            .to_owned();
        let owner = self.login(&owner_email, PASSWORD).await["accessToken"]
            .as_str()
            .expect("owner logs in")
            .to_owned();
        let (_, team) = self
            .graphql_as(
                &owner,
                "mutation { createTeam(input: { name: \"Sales\" }) { team { id } } }",
                json!({}),
            )
            .await;
        let team_id = team["data"]["createTeam"]["team"]["id"]
            .as_str()
            .expect("a team")
            .to_owned();
        let mut tokens = std::collections::HashMap::from([("owner", owner.clone())]);
        let mut user_ids = std::collections::HashMap::from([("owner", owner_id)]);
        for (role, enum_value, in_team) in [
            ("admin", "ADMIN", false),
            ("manager", "MANAGER", true),
            ("member", "MEMBER", true),
            ("viewer", "VIEWER", false),
        ] {
            let email = format!("{role}@{slug}.test");
            let (_, created) = self
                .graphql_as(
                    &owner,
                    "mutation ($input: CreateUserInput!) { createUser(input: $input) { user { id } userErrors { message } } }",
                    json!({ "input": { "email": email, "name": role, "role": enum_value, "password": PASSWORD,
                                       "teamId": if in_team { Value::from(team_id.clone()) } else { Value::Null } } }),
                )
                .await;
            let id = created["data"]["createUser"]["user"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("createUser: {created}"));
            user_ids.insert(role, id.to_owned());
            let token = self.login(&email, PASSWORD).await["accessToken"]
                .as_str()
                .expect("user logs in")
                .to_owned();
            tokens.insert(role, token);
        }
        TestWorkspace {
            tokens,
            user_ids,
            team_id,
        }
    }

    /// Creates an API token with `scopes` as the workspace's owner; returns
    /// the secret and the token's global id.
    pub async fn api_token(&self, workspace: &TestWorkspace, scopes: &[&str]) -> (String, String) {
        let (_, body) = self
            .graphql_as(
                workspace.token("owner"),
                "mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id } userErrors { message } } }",
                json!({ "input": { "name": "test app", "scopes": scopes } }),
            )
            .await;
        let payload = &body["data"]["createApiToken"];
        (
            payload["token"]
                .as_str()
                .unwrap_or_else(|| panic!("createApiToken: {body}"))
                .to_owned(),
            payload["apiToken"]["id"]
                .as_str()
                .expect("an id")
                .to_owned(),
        )
    }
}

/// Sends `connection_init` with `token` and expects the acknowledgement.
pub async fn init_socket(socket: &mut Socket, token: &str) {
    send_json(socket, json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })).await;
    assert_eq!(next_json(socket).await["type"], "connection_ack");
}

/// A server whose database connection counts every SQL statement it runs
/// (sea-orm's metric callback: counted at the connection layer, not by
/// hand), with extra flags.
pub async fn spawn_counting_app(extra: &[&str]) -> (TestApp, Arc<std::sync::atomic::AtomicU64>) {
    let data_dir = tempfile::tempdir().expect("create a temporary data directory");
    let database_url = fresh_database(data_dir.path()).await;
    let mut args = test_args(data_dir.path(), &database_url);
    // The event sequencer's background poll would add statements at random
    // moments; writes still wake it.
    args.extend(["--live-poll-ms".to_owned(), "3600000".to_owned()]);
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let config = TestCli::try_parse_from(args)
        .expect("valid test flags")
        .config
        .resolve()
        .expect("valid config");
    let mut db = pulse::db::connect(&database_url, 5).await.expect("connect");
    let statements = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = statements.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    pulse::db::migrate(&db).await.expect("migrate");
    let app = Application::build_with_db(config, db)
        .await
        .expect("build the application");
    let port = app.port();
    let state = app.state().clone();
    let shutdown = app.shutdown_token();
    let server = tokio::spawn(app.run_until_stopped());
    let app = TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        db: state.db.clone(),
        shutdown,
        server,
        client: reqwest::Client::new(),
        counters: state.graphql_counters.clone(),
        database_url,
        _data_dir: data_dir,
    };
    (app, statements)
}

/// Waits until the event sequencer has numbered every event written so far
/// (and so is idle), for tests that count statements.
pub async fn events_settled(app: &TestApp) {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    for _ in 0..100 {
        #[expect(
            clippy::disallowed_methods,
            reason = "the test waits for every workspace's events"
        )]
        let pending = entity::domain_event::Entity::find()
            .filter(entity::domain_event::Column::Seq.is_null())
            .count(&app.db)
            .await
            .expect("count unsequenced events");
        if pending == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the sequencer did not catch up");
}

/// Runs a mutation as `token` and returns `data.<field>`, failing on errors.
pub async fn mutate(
    app: &TestApp,
    token: &str,
    field: &str,
    query: &str,
    variables: Value,
) -> Value {
    let (_, body) = app.graphql_as(token, query, variables).await;
    assert!(body["errors"].is_null(), "{field}: {body}");
    body["data"][field].clone()
}
