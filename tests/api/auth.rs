//! Identity and access (issue 3): sessions, JWT attacks, API tokens and
//! scopes, roles, WebSocket authentication, and the cross-tenant suite.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use crate::{
    helpers::{
        PASSWORD, TestApp, close_code, init_socket, next_json, send_json, spawn_app, spawn_app_with,
    },
    schema_walk::SchemaWalk,
};

/// Schema walks select every field a few levels deep; lift the complexity
/// limit so each call reaches its resolver (the limits have their own tests).
const WALK_LIMITS: &[&str] = &[
    "--max-complexity",
    "1000000",
    "--rate-limit-points-per-minute",
    "0",
];

/// The test servers' JWT secret (see `helpers::test_args`).
const SECRET: &str = "test-secret-test-secret-test-secret-0123";

fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url"))
        .expect("JSON claims")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn sign(claims: &Value, algorithm: Algorithm, kid: Option<&str>, secret: &str) -> String {
    let mut header = Header::new(algorithm);
    header.kid = kid.map(str::to_owned);
    encode(
        &header,
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

fn unsigned(claims: &Value, alg: &str) -> String {
    let header =
        URL_SAFE_NO_PAD.encode(json!({ "alg": alg, "typ": "JWT", "kid": "k1" }).to_string());
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.")
}

async fn viewer_status(app: &TestApp, token: &str) -> u16 {
    let (status, _) = app
        .graphql_as(token, "{ viewer { kind } }", json!({}))
        .await;
    status.as_u16()
}

#[tokio::test]
async fn login_returns_tokens_that_work_as_bearer() {
    let app = spawn_app().await;
    app.workspace("acme").await;

    let login = app.login("member@acme.test", PASSWORD).await;
    let token = login["accessToken"].as_str().expect("an access token");
    let (status, body) = app
        .graphql_as(
            token,
            "{ viewer { kind role scopes workspace { slug } user { email } } }",
            json!({}),
        )
        .await;

    assert!(
        login["refreshToken"]
            .as_str()
            .is_some_and(|t| t.starts_with("pulse_rt_"))
    );
    assert!(login["expiresAt"].is_string());
    assert_eq!(status, 200);
    let viewer = &body["data"]["viewer"];
    assert_eq!(viewer["kind"], "USER");
    assert_eq!(viewer["role"], "MEMBER");
    assert_eq!(viewer["workspace"]["slug"], "acme");
    assert_eq!(viewer["user"]["email"], "member@acme.test");
    assert!(
        viewer["scopes"].as_array().is_some_and(
            |s| s.contains(&json!("deals:write")) && !s.contains(&json!("users:write"))
        )
    );
}

#[tokio::test]
async fn a_failed_login_does_not_reveal_whether_the_email_exists() {
    let app = spawn_app().await;
    app.workspace("acme").await;

    let wrong_password = app.login("member@acme.test", "not-the-password").await;
    let unknown_email = app.login("nobody@acme.test", "not-the-password").await;

    assert_eq!(wrong_password, unknown_email);
    assert_eq!(wrong_password["accessToken"], Value::Null);
    assert_eq!(
        wrong_password["userErrors"][0]["message"],
        "Invalid e-mail or password."
    );
}

#[tokio::test]
async fn login_attempts_are_rate_limited_per_email() {
    let app = spawn_app_with(&["--login-attempts-per-email", "3"]).await;
    app.workspace("acme").await;

    for _ in 0..2 {
        app.login("member@acme.test", "wrong-password").await;
    }
    let (_, limited) = app
        .graphql_with(
            "mutation { login(input: { email: \"MEMBER@acme.test\", password: \"wrong-password\" }) { accessToken } }",
            json!({}),
        )
        .await;

    assert_eq!(
        limited["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{limited}"
    );
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_refresh_token_revokes_the_session() {
    let app = spawn_app().await;
    app.workspace("acme").await;
    let login = app.login("member@acme.test", PASSWORD).await;
    let first_refresh = login["refreshToken"]
        .as_str()
        .expect("refresh token")
        .to_owned();
    let refresh = |token: String| {
        let app = &app;
        async move {
            let (_, body) = app
                .graphql_with(
                    "mutation ($t: String!) { refreshSession(input: { refreshToken: $t }) { accessToken refreshToken userErrors { code } } }",
                    json!({ "t": token }),
                )
                .await;
            body["data"]["refreshSession"].clone()
        }
    };

    let rotated = refresh(first_refresh.clone()).await;
    let second_refresh = rotated["refreshToken"]
        .as_str()
        .expect("a new refresh token")
        .to_owned();
    let second_access = rotated["accessToken"]
        .as_str()
        .expect("a new access token")
        .to_owned();
    assert_ne!(second_refresh, first_refresh);
    assert_eq!(viewer_status(&app, &second_access).await, 200);

    let reuse = refresh(first_refresh).await;
    assert_eq!(reuse["userErrors"][0]["code"], "UNAUTHENTICATED");
    let after_reuse = refresh(second_refresh).await;
    assert_eq!(
        after_reuse["userErrors"][0]["code"], "UNAUTHENTICATED",
        "the whole family is revoked"
    );
    assert_eq!(
        viewer_status(&app, &second_access).await,
        401,
        "its access tokens stop working too"
    );
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    app.workspace("acme").await;
    let login = app.login("member@acme.test", PASSWORD).await;
    let access = login["accessToken"].as_str().expect("token");

    let (_, out) = app
        .graphql_as(access, "mutation { logout { ok } }", json!({}))
        .await;

    assert_eq!(out["data"]["logout"]["ok"], true);
    assert_eq!(viewer_status(&app, access).await, 401);
}

#[tokio::test]
async fn forged_and_tampered_jwts_are_refused() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;
    let valid = claims_of(acme.token("member"));
    let with = |changes: Value| {
        let mut claims = valid.clone();
        for (k, v) in changes.as_object().expect("an object") {
            claims[k] = v.clone();
        }
        claims
    };
    let fresh = with(json!({ "iat": now(), "nbf": now() - 1, "exp": now() + 600 }));

    // Sanity: a token signed like Pulse signs is accepted.
    assert_eq!(
        viewer_status(&app, &sign(&fresh, Algorithm::HS256, Some("k1"), SECRET)).await,
        200
    );

    let attacks = [
        ("alg none", unsigned(&fresh, "none")),
        ("alg None", unsigned(&fresh, "None")),
        (
            "algorithm swap to HS384",
            sign(&fresh, Algorithm::HS384, Some("k1"), SECRET),
        ),
        (
            "algorithm swap to HS512",
            sign(&fresh, Algorithm::HS512, Some("k1"), SECRET),
        ),
        ("RS256 header with an HMAC body", {
            let hs = sign(&fresh, Algorithm::HS256, Some("k1"), SECRET);
            let header = URL_SAFE_NO_PAD
                .encode(json!({ "alg": "RS256", "typ": "JWT", "kid": "k1" }).to_string());
            let rest = hs.split_once('.').expect("three parts").1;
            format!("{header}.{rest}")
        }),
        (
            "expired 30 seconds ago",
            sign(
                &with(json!({ "exp": now() - 30, "nbf": now() - 600 })),
                Algorithm::HS256,
                Some("k1"),
                SECRET,
            ),
        ),
        (
            "not valid before a minute from now",
            sign(
                &with(json!({ "nbf": now() + 60, "exp": now() + 600 })),
                Algorithm::HS256,
                Some("k1"),
                SECRET,
            ),
        ),
        (
            "wrong signature",
            sign(
                &fresh,
                Algorithm::HS256,
                Some("k1"),
                "another-secret-another-secret-another-secret",
            ),
        ),
        (
            "wrong issuer",
            sign(
                &with(json!({ "iss": "evil", "nbf": now() - 1, "exp": now() + 600 })),
                Algorithm::HS256,
                Some("k1"),
                SECRET,
            ),
        ),
        (
            "wrong audience",
            sign(
                &with(json!({ "aud": "other-api", "nbf": now() - 1, "exp": now() + 600 })),
                Algorithm::HS256,
                Some("k1"),
                SECRET,
            ),
        ),
        (
            "unknown kid",
            sign(&fresh, Algorithm::HS256, Some("k9"), SECRET),
        ),
        ("no kid", sign(&fresh, Algorithm::HS256, None, SECRET)),
        ("missing nbf", {
            let mut claims = fresh.clone();
            claims.as_object_mut().expect("object").remove("nbf");
            sign(&claims, Algorithm::HS256, Some("k1"), SECRET)
        }),
        (
            "another workspace in the claims",
            sign(
                &with(
                    json!({ "ws": uuid::Uuid::now_v7().to_string(), "nbf": now() - 1, "exp": now() + 600 }),
                ),
                Algorithm::HS256,
                Some("k1"),
                SECRET,
            ),
        ),
        ("garbage", "not.a.jwt".to_owned()),
    ];
    for (attack, token) in attacks {
        let (status, body) = app
            .graphql_as(&token, "{ viewer { kind } }", json!({}))
            .await;
        assert_eq!(status, 401, "{attack}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{attack}"
        );
        assert_eq!(body["data"], Value::Null, "{attack}");
    }
}

#[tokio::test]
async fn previous_keys_keep_working_during_a_rotation() {
    let new_secret = "rotated-secret-rotated-secret-rotated-0001";
    let previous = format!("k1={SECRET}");
    let app = spawn_app_with(&[
        "--jwt-key-id",
        "k2",
        "--jwt-secret",
        new_secret,
        "--jwt-previous-keys",
        &previous,
    ])
    .await;
    let acme = app.workspace("acme").await;
    let mut claims = claims_of(acme.token("member"));
    claims["nbf"] = json!(now() - 1);
    claims["exp"] = json!(now() + 600);

    assert_eq!(claims_of(acme.token("member"))["iss"], "pulse");
    assert_eq!(
        viewer_status(&app, &sign(&claims, Algorithm::HS256, Some("k1"), SECRET)).await,
        200,
        "old key, old kid"
    );
    assert_eq!(
        viewer_status(
            &app,
            &sign(&claims, Algorithm::HS256, Some("k2"), new_secret)
        )
        .await,
        200,
        "new key"
    );
    assert_eq!(
        viewer_status(&app, &sign(&claims, Algorithm::HS256, Some("k2"), SECRET)).await,
        401,
        "old key under the new kid"
    );
}

#[tokio::test]
async fn anonymous_callers_reach_only_login_sign_up_refresh_and_typename() {
    let app = spawn_app_with(WALK_LIMITS).await;
    let acme = app.workspace("acme").await;
    let walk = SchemaWalk::load(&app, acme.token("owner")).await;
    let allowed = ["login", "signUp", "refreshSession"];

    let (_, typename) = app.graphql("{ __typename }").await;
    assert_eq!(typename["data"]["__typename"], "Query");
    for call in walk.calls(&acme.user_ids["member"]) {
        if allowed.contains(&call.field.as_str()) {
            continue;
        }
        let (_, body) = app
            .graphql_with(&call.document, call.variables.clone())
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{}: {body}",
            call.field
        );
    }
}

#[tokio::test]
async fn a_viewer_can_call_no_mutation() {
    let app = spawn_app_with(WALK_LIMITS).await;
    let acme = app.workspace("acme").await;
    let walk = SchemaWalk::load(&app, acme.token("owner")).await;
    let exempt = ["login", "signUp", "refreshSession", "logout"];

    for call in walk
        .calls(&acme.user_ids["member"])
        .into_iter()
        .filter(|c| c.operation == "mutation")
    {
        if exempt.contains(&call.field.as_str()) {
            continue;
        }
        let (_, body) = app
            .graphql_as(acme.token("viewer"), &call.document, call.variables.clone())
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{}: {body}",
            call.field
        );
    }
}

#[tokio::test]
async fn members_and_managers_cannot_manage_users() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;

    for role in ["member", "manager"] {
        let (_, body) = app
            .graphql_as(
                acme.token(role),
                "mutation ($id: ID!) { updateUser(input: { id: $id, role: ADMIN }) { user { role } } }",
                json!({ "id": acme.user_ids[role] }),
            )
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{role}: {body}"
        );
    }
}

#[tokio::test]
async fn admins_cannot_promote_to_owner_and_nobody_changes_their_own_role() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;
    let promote = "mutation ($id: ID!, $role: Role!) { updateUser(input: { id: $id, role: $role }) { user { role } userErrors { field code } } }";

    let (_, to_owner) = app
        .graphql_as(
            acme.token("admin"),
            promote,
            json!({ "id": acme.user_ids["member"], "role": "OWNER" }),
        )
        .await;
    let (_, own) = app
        .graphql_as(
            acme.token("admin"),
            promote,
            json!({ "id": acme.user_ids["admin"], "role": "MEMBER" }),
        )
        .await;
    let (_, fine) = app
        .graphql_as(
            acme.token("admin"),
            promote,
            json!({ "id": acme.user_ids["member"], "role": "MANAGER" }),
        )
        .await;

    assert_eq!(
        to_owner["data"]["updateUser"]["userErrors"][0]["field"],
        json!(["input", "role"])
    );
    assert_eq!(
        own["data"]["updateUser"]["userErrors"][0]["code"],
        "BAD_USER_INPUT"
    );
    assert_eq!(fine["data"]["updateUser"]["user"]["role"], "MANAGER");
}

#[tokio::test]
async fn a_deactivated_user_is_locked_out_at_once() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;

    let (_, body) = app
        .graphql_as(
            acme.token("admin"),
            "mutation ($id: ID!) { deactivateUser(input: { id: $id }) { user { active } } }",
            json!({ "id": acme.user_ids["member"] }),
        )
        .await;

    assert_eq!(body["data"]["deactivateUser"]["user"]["active"], false);
    assert_eq!(viewer_status(&app, acme.token("member")).await, 401);
    assert_eq!(
        app.login("member@acme.test", PASSWORD).await["userErrors"][0]["code"],
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn a_read_scoped_api_token_reads_and_is_refused_everything_else() {
    let app = spawn_app_with(WALK_LIMITS).await;
    let acme = app.workspace("acme").await;
    let (token, _) = app.api_token(&acme, &["users:read"]).await;
    let walk = SchemaWalk::load(&app, acme.token("owner")).await;

    let (_, viewer) = app
        .graphql_as(
            &token,
            "{ viewer { kind role scopes user { id } } users { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        viewer["data"]["viewer"],
        json!({ "kind": "API_TOKEN", "role": null, "scopes": ["users:read"], "user": null })
    );
    assert_eq!(viewer["data"]["users"]["totalCount"], 5);

    for call in walk
        .calls(&acme.user_ids["member"])
        .into_iter()
        .filter(|c| c.operation == "mutation")
    {
        if ["login", "signUp", "refreshSession"].contains(&call.field.as_str()) {
            continue;
        }
        let (_, body) = app
            .graphql_as(&token, &call.document, call.variables.clone())
            .await;
        let code = &body["errors"][0]["extensions"]["code"];
        let logout_refused = call.field == "logout" && body["data"]["logout"]["ok"] == false;
        assert!(
            code == "FORBIDDEN" || logout_refused,
            "{}: {body}",
            call.field
        );
    }
    let (_, tokens) = app
        .graphql_as(&token, "{ apiTokens { id } }", json!({}))
        .await;
    assert_eq!(
        tokens["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "no escalation to token management"
    );
}

#[tokio::test]
async fn api_tokens_list_their_last_use_and_stop_working_when_revoked() {
    let app = spawn_app_with(&["--ws-auth-recheck-ms", "200"]).await;
    let acme = app.workspace("acme").await;
    let (token, id) = app
        .api_token(&acme, &["users:read", "events:subscribe"])
        .await;
    assert_eq!(viewer_status(&app, &token).await, 200);
    let mut socket = app.websocket("graphql-transport-ws").await;
    init_socket(&mut socket, &token).await;

    let (_, listed) = app
        .graphql_as(
            acme.token("admin"),
            "{ apiTokens { id prefix lastUsedAt revokedAt } }",
            json!({}),
        )
        .await;
    let row = &listed["data"]["apiTokens"][0];
    assert_eq!(row["id"], json!(id));
    assert!(token.starts_with(row["prefix"].as_str().expect("a prefix")));
    assert!(row["lastUsedAt"].is_string());

    let (_, revoked) = app
        .graphql_as(
            acme.token("admin"),
            "mutation ($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { revokedAt } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(revoked["data"]["revokeApiToken"]["apiToken"]["revokedAt"].is_string());

    assert_eq!(viewer_status(&app, &token).await, 401);
    assert_eq!(close_code(&mut socket).await, 4403);
}

#[tokio::test]
async fn an_expired_api_token_is_refused() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;
    let (_, body) = app
        .graphql_as(
            acme.token("owner"),
            "mutation { createApiToken(input: { name: \"old\", scopes: [\"users:read\"], expiresAt: \"2000-01-01T00:00:00Z\" }) { token userErrors { field } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["createApiToken"]["userErrors"][0]["field"],
        json!(["input", "expiresAt"])
    );

    let (token, id) = app.api_token(&acme, &["users:read"]).await;
    let raw_id = id.trim_start_matches("tok_");
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared(&format!(
            "UPDATE api_token SET expires_at = '2001-01-01T00:00:00+00:00' WHERE token_hash IS NOT NULL AND prefix = '{}'",
            &token[..17]
        ))
        .await
        .expect("expire the token");
    let _ = raw_id;

    assert_eq!(viewer_status(&app, &token).await, 401);
}

#[tokio::test]
async fn websocket_connections_need_a_valid_token() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;

    let mut missing = app.websocket("graphql-transport-ws").await;
    send_json(
        &mut missing,
        json!({ "type": "connection_init", "payload": {} }),
    )
    .await;
    assert_eq!(close_code(&mut missing).await, 4403);

    let mut invalid = app.websocket("graphql-transport-ws").await;
    send_json(
        &mut invalid,
        json!({ "type": "connection_init", "payload": { "authorization": "Bearer not-a-token" } }),
    )
    .await;
    assert_eq!(close_code(&mut invalid).await, 4403);

    let mut legacy = app.websocket("graphql-ws").await;
    send_json(
        &mut legacy,
        json!({ "type": "connection_init", "payload": { "authorization": "Bearer nope" } }),
    )
    .await;
    assert_eq!(close_code(&mut legacy).await, 4403);

    let mut valid = app.websocket("graphql-transport-ws").await;
    init_socket(&mut valid, acme.token("viewer")).await;
    send_json(&mut valid, json!({ "type": "subscribe", "id": "1", "payload": { "query": "{ viewer { role workspace { slug } } }" } })).await;
    let next = next_json(&mut valid).await;
    assert_eq!(
        next["payload"]["data"]["viewer"],
        json!({ "role": "VIEWER", "workspace": { "slug": "acme" } })
    );
}

#[tokio::test]
async fn a_socket_is_closed_when_its_session_ends_or_its_token_expires() {
    let app = spawn_app_with(&[
        "--ws-auth-recheck-ms",
        "200",
        "--access-token-ttl-secs",
        "1",
    ])
    .await;
    let acme = app.workspace("acme").await;
    let login = app.login("member@acme.test", PASSWORD).await;
    let member = login["accessToken"].as_str().expect("token").to_owned();

    let mut logged_out = app.websocket("graphql-transport-ws").await;
    init_socket(&mut logged_out, &member).await;
    app.graphql_as(&member, "mutation { logout { ok } }", json!({}))
        .await;
    assert_eq!(close_code(&mut logged_out).await, 4403);

    // A one-second token expires after its second plus the 5-second leeway.
    let mut expiring = app.websocket("graphql-transport-ws").await;
    let fresh = app.login("viewer@acme.test", PASSWORD).await["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    init_socket(&mut expiring, &fresh).await;
    assert_eq!(close_code(&mut expiring).await, 4403);
    let _ = acme;
}

#[tokio::test]
async fn a_workspace_header_cannot_switch_workspaces() {
    let app = spawn_app().await;
    let acme = app.workspace("acme").await;
    let globex = app.workspace("globex").await;
    let (_, b) = app
        .graphql_as(
            globex.token("owner"),
            "{ viewer { workspace { id } } }",
            json!({}),
        )
        .await;
    let b_workspace = b["data"]["viewer"]["workspace"]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(acme.token("owner"))
        .header("X-Workspace-Id", &b_workspace)
        .header("X-Pulse-Workspace", "globex")
        .json(&json!({ "query": "{ viewer { workspace { slug } } users { totalCount edges { node { email } } } }" }))
        .send()
        .await
        .expect("POST");
    let body: Value = response.json().await.expect("JSON");

    assert_eq!(body["data"]["viewer"]["workspace"]["slug"], "acme");
    assert!(!body.to_string().contains("@globex.test"));
}

/// Everything workspace B has that workspace A must never see or change.
async fn snapshot(app: &TestApp, owner: &str) -> Value {
    let (_, body) = app
        .graphql_as(
            owner,
            "{ viewer { workspace { id name slug } } users(first: 20) { edges { node { id email name role active team { id name } } } }
               teams { id name } apiTokens { id name revokedAt scopes } }",
            json!({}),
        )
        .await;
    body["data"].clone()
}

#[tokio::test]
async fn cross_tenant_every_query_and_mutation_aimed_at_another_workspace_leaks_and_changes_nothing()
 {
    let app = spawn_app_with(WALK_LIMITS).await;
    let acme = app.workspace("acme").await;
    let globex = app.workspace("globex").await;
    app.api_token(&globex, &["users:read"]).await;
    let before = snapshot(&app, globex.token("owner")).await;
    let mut b_ids: Vec<String> = vec![
        before["viewer"]["workspace"]["id"]
            .as_str()
            .expect("id")
            .to_owned(),
        globex.team_id.clone(),
    ];
    b_ids.extend(globex.user_ids.values().cloned());
    b_ids.extend(
        before["apiTokens"]
            .as_array()
            .expect("tokens")
            .iter()
            .map(|t| t["id"].as_str().expect("id").to_owned()),
    );
    let walk = SchemaWalk::load(&app, acme.token("owner")).await;
    let skip = ["logout"]; // would end A's own session; covered by logout_ends_the_session.
    let leak_markers: Vec<String> = b_ids.iter().cloned().chain(["globex".to_owned()]).collect();

    let mut calls = 0;
    for b_id in &b_ids {
        for call in walk.calls(b_id) {
            if skip.contains(&call.field.as_str()) {
                continue;
            }
            calls += 1;
            // As A's owner: the strongest credentials A has.
            let (_, body) = app
                .graphql_as(acme.token("owner"), &call.document, call.variables.clone())
                .await;
            let text = body.to_string();
            assert!(
                body["errors"][0]["extensions"]["limit"].is_null(),
                "{} hit a limit: {text}",
                call.field
            );
            for marker in &leak_markers {
                assert!(
                    !text.contains(marker.as_str()),
                    "{} leaked `{marker}`: {text}",
                    call.field
                );
            }
            let result = &body["data"][&call.field];
            let code = body["errors"][0]["extensions"]["code"]
                .as_str()
                .unwrap_or("");
            assert_ne!(
                code, "RATE_LIMITED",
                "{} was rate-limited: the walk must reach the resolver",
                call.field
            );
            let refused = ["NOT_FOUND", "FORBIDDEN", "BAD_USER_INPUT"].contains(&code);
            let empty = result.is_null()
                || result["edges"].as_array().is_some_and(Vec::is_empty)
                || result
                    .as_array()
                    .is_some_and(|items| items.iter().all(Value::is_null))
                || result["userErrors"]
                    .as_array()
                    .is_some_and(|e| !e.is_empty())
                || b_id_unrelated(&call.field);
            // A call that carries none of B's ids cannot aim at B (creating
            // in A is fine); the leak check above still applies to it.
            let aims_at_b = call.variables.to_string().contains(b_id.as_str());
            assert!(
                refused || empty || !aims_at_b,
                "{} with {b_id}: {text}",
                call.field
            );
        }
    }

    assert!(calls >= 20, "the walk covered {calls} calls");
    assert_eq!(
        snapshot(&app, globex.token("owner")).await,
        before,
        "workspace B is unchanged"
    );
}

/// Root fields whose result does not depend on the id they were given:
/// lists of the caller's own workspace and the caller's own identity, and
/// anonymous flows. The leak check above still applies to them.
fn b_id_unrelated(field: &str) -> bool {
    [
        "apiInfo",
        "viewer",
        "users",
        "teams",
        "apiTokens",
        "login",
        "signUp",
        "refreshSession",
        "createTeam",
        "pipelines",
        "createPipeline",
        "createApiToken",
        "createUser",
    ]
    .contains(&field)
}
