//! The `pulse` binary end to end: `serve --demo` starts, prints its URL and
//! demo logins, and stops cleanly on SIGTERM, closing sockets with 1001.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
};

use crate::helpers::{close_code, fresh_database, init_socket, test_args, websocket};

#[tokio::test]
async fn serve_demo_starts_prints_logins_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let database_url = fresh_database(dir.path()).await;
    let args = test_args(dir.path(), &database_url);
    let mut child = Command::new(env!("CARGO_BIN_EXE_pulse"))
        .args(&args[1..])
        .args(["serve", "--demo"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start `pulse serve --demo`");
    let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut lines = stdout.lines();
    let mut url = None;
    let mut logins = None;
    for line in lines.by_ref() {
        let line = line.expect("a stdout line");
        if let Some(rest) = line.strip_prefix("GraphiQL: ") {
            url = Some(rest.to_owned());
        }
        if line.starts_with("Demo logins") {
            logins = Some(line);
            break;
        }
    }
    let url = url.expect("the GraphiQL URL is printed");
    let logins = logins.expect("the demo logins are printed");
    assert!(
        logins.contains("owner@acme.test") && logins.contains("pulse-demo-password"),
        "{logins}"
    );
    let port: u16 = url
        .trim_end_matches("/graphql")
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("a port in the URL");

    let page = reqwest::Client::new()
        .get(&url)
        .header("accept", "text/html")
        .send()
        .await
        .expect("GET GraphiQL");
    assert_eq!(page.status(), 200);
    // The acceptance check of issue 3: the demo rep logs in, and the access
    // token works over HTTP and in the WebSocket `connection_init`.
    let client = reqwest::Client::new();
    let login: serde_json::Value = client
        .post(&url)
        .json(&serde_json::json!({ "query": "mutation { login(input: { email: \"rep@acme.test\", password: \"pulse-demo-password\" }) { accessToken } }" }))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("JSON");
    let token = login["data"]["login"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{login}"))
        .to_owned();
    let viewer: serde_json::Value = client
        .post(&url)
        .bearer_auth(&token)
        .json(&serde_json::json!({ "query": "{ viewer { kind role workspace { slug } user { email } } }" }))
        .send()
        .await
        .expect("viewer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        viewer["data"]["viewer"],
        serde_json::json!({ "kind": "USER", "role": "MEMBER", "workspace": { "slug": "acme" }, "user": { "email": "rep@acme.test" } })
    );
    let mut socket = websocket(port, "graphql-transport-ws").await;
    init_socket(&mut socket, &token).await;

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("send SIGTERM");
    assert!(killed.success());

    assert_eq!(close_code(&mut socket).await, 1001);
    let status = child.wait().expect("pulse exits");
    assert!(status.success(), "pulse exited with {status}");
}

#[tokio::test]
async fn a_cli_token_with_contacts_read_reads_contacts_and_nothing_else() {
    let app = crate::helpers::spawn_app_with(&[
        "--max-complexity",
        "1000000",
        "--rate-limit-points-per-minute",
        "0",
    ])
    .await;
    let acme = app.workspace("acme").await;
    crate::helpers::mutate(
        &app,
        acme.token("member"),
        "createContact",
        crate::crm::CREATE_CONTACT,
        serde_json::json!({ "input": { "firstName": "Read", "lastName": "Me" } }),
    )
    .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut args = test_args(dir.path(), &app.database_url);
    args.remove(0);

    // The embedded SQLite database has one writing process at a time
    // (README, "Known limitations"): stop the server, create the token as
    // an operator would, start the server again on the same database.
    app.shutdown.cancel();
    while !app.server.is_finished() {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let _closed = app.db.clone().close().await;
    let output = Command::new(env!("CARGO_BIN_EXE_pulse"))
        .args(&args)
        .args([
            "token",
            "create",
            "--workspace",
            "acme",
            "--name",
            "ci",
            "--scopes",
            "contacts:read",
        ])
        .output()
        .expect("run `pulse token create`");
    let app = app
        .another_instance(&[
            "--max-complexity",
            "1000000",
            "--rate-limit-points-per-minute",
            "0",
        ])
        .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let token = stdout
        .lines()
        .last()
        .expect("a last line")
        .trim()
        .to_owned();
    assert!(token.starts_with("pulse_at_"), "{stdout}");

    let (_, viewer) = app
        .graphql_as(
            &token,
            "{ viewer { kind scopes } contacts { totalCount } }",
            serde_json::json!({}),
        )
        .await;
    let (_, deals) = app
        .graphql_as(&token, "{ deals { totalCount } }", serde_json::json!({}))
        .await;
    assert_eq!(
        viewer["data"]["viewer"],
        serde_json::json!({ "kind": "API_TOKEN", "scopes": ["contacts:read"] })
    );
    assert_eq!(viewer["data"]["contacts"]["totalCount"], 1);
    assert_eq!(deals["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let walk = crate::schema_walk::SchemaWalk::load(&app, acme.token("owner")).await;
    for call in walk
        .calls(&acme.user_ids["member"])
        .into_iter()
        .filter(|c| c.operation == "mutation")
    {
        if ["login", "signUp", "refreshSession", "logout"].contains(&call.field.as_str()) {
            continue;
        }
        let (_, body) = app
            .graphql_as(&token, &call.document, call.variables.clone())
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{}: {body}",
            call.field
        );
    }
}
