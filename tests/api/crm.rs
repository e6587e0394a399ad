//! The operational CRM (issue 4): customer 360 without N+1, mutations with
//! versions, idempotency keys, validation and events.

use std::sync::atomic::Ordering;

use serde_json::{Value, json};

use crate::helpers::{
    TestApp, TestWorkspace, events_settled, mutate, spawn_app, spawn_counting_app,
};

pub const CREATE_CONTACT: &str =
    "mutation ($input: CreateContactInput!) { createContact(input: $input) {
    contact { id version name email organization { id } } userErrors { field code message } } }";
const CREATE_ORGANIZATION: &str =
    "mutation ($input: CreateOrganizationInput!) { createOrganization(input: $input) {
    organization { id version } userErrors { field code message } } }";
pub const CREATE_DEAL: &str = "mutation ($input: CreateDealInput!) { createDeal(input: $input) {
    deal { id version title status position value { amount currency } stage { id name } } userErrors { field code message } } }";

/// A workspace with two pipelines of three stages each.
pub async fn with_pipeline(app: &TestApp, slug: &str) -> (TestWorkspace, Value) {
    let workspace = app.workspace(slug).await;
    let pipelines = create_pipelines(app, workspace.token("owner")).await;
    (workspace, pipelines)
}

const CREATE_PIPELINE: &str = "mutation ($input: CreatePipelineInput!) { createPipeline(input: $input) {
    pipeline { id name stages { id name position probability rottingDays } } userErrors { field message } } }";

async fn create_pipelines(app: &TestApp, token: &str) -> Value {
    let mut pipelines = Vec::new();
    for name in ["Sales", "Partners"] {
        let stages = json!([
            { "name": "Lead In", "probability": 10, "rottingDays": 14 },
            { "name": "Proposal", "probability": 50, "rottingDays": 14 },
            { "name": "Negotiation", "probability": 80 },
        ]);
        let created = mutate(
            app,
            token,
            "createPipeline",
            CREATE_PIPELINE,
            json!({ "input": { "name": name, "stages": stages } }),
        )
        .await;
        pipelines.push(created["pipeline"].clone());
    }
    Value::Array(pipelines)
}

pub fn stage_id(pipelines: &Value, pipeline: usize, stage: usize) -> String {
    pipelines[pipeline]["stages"][stage]["id"]
        .as_str()
        .expect("a stage")
        .to_owned()
}

/// Creates `n` contacts at one organization, each with a deal, an upcoming
/// activity, an interaction and a note.
async fn customers(app: &TestApp, token: &str, pipelines: &Value, n: usize) -> Vec<String> {
    let org = mutate(
        app,
        token,
        "createOrganization",
        CREATE_ORGANIZATION,
        json!({ "input": { "name": "Globex" } }),
    )
    .await;
    let org_id = org["organization"]["id"].as_str().expect("org").to_owned();
    let mut ids = Vec::new();
    for i in 0..n {
        let contact = mutate(app, token, "createContact", CREATE_CONTACT, json!({ "input": {
            "firstName": format!("Ada{i}"), "lastName": "Lovelace", "email": format!("ada{i}@globex.example"), "organizationId": org_id } })).await;
        let id = contact["contact"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{contact}"))
            .to_owned();
        mutate(app, token, "createDeal", CREATE_DEAL, json!({ "input": {
            "title": format!("Deal {i}"), "value": { "amount": "1000.50", "currency": "EUR" }, "pipelineId": pipelines[0]["id"], "contactId": id, "organizationId": org_id } })).await;
        mutate(app, token, "scheduleActivity", "mutation ($input: ScheduleActivityInput!) { scheduleActivity(input: $input) { activity { id } } }",
            json!({ "input": { "kind": "CALL", "subject": "Follow up", "dueAt": "2999-01-01T10:00:00Z", "contactId": id } })).await;
        mutate(app, token, "logInteraction", "mutation ($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } } }",
            json!({ "input": { "channel": "EMAIL", "direction": "INBOUND", "summary": "Asked for pricing", "contactId": id } })).await;
        mutate(
            app,
            token,
            "addNote",
            "mutation ($input: AddNoteInput!) { addNote(input: $input) { note { id } } }",
            json!({ "input": { "body": "Budget approved", "contactId": id } }),
        )
        .await;
        ids.push(id);
    }
    ids
}

const CUSTOMER_360: &str = "query ($n: Int!) { contacts(first: $n) { totalCount edges { node {
    id name email lastContactedAt
    organization { id name contacts { id } }
    deals { id title value { amount currency } stage { name } owner { name } }
    activities(window: UPCOMING) { id subject dueAt overdue }
    timeline(first: 10) { edges { cursor node { __typename ... on Interaction { channel summary } ... on Note { body } ... on DealStageChange { toStage { name } } } } pageInfo { hasNextPage } }
    tickets { id } notes { id body } tags { name } customFields { key value }
    stats { lifetimeValue { amount currency } openPipelineValue { amount currency } wonDeals lastContactedAt nextActivity { id subject } }
} } } }";

// Multi-threaded, like `pulse serve`: nested fields resolve a few at a time
// there, which is what would split time-window batches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_360_query_costs_the_same_statements_for_one_contact_and_for_fifty() {
    let (app, statements) = spawn_counting_app(&[
        "--max-complexity",
        "1000000",
        "--rate-limit-points-per-minute",
        "0",
    ])
    .await;
    let workspace = app.workspace("acme").await;
    let token = workspace.token("owner");
    let pipelines = create_pipelines(&app, token).await;
    customers(&app, token, &pipelines, 50).await;
    events_settled(&app).await;

    let mut counts = Vec::new();
    for n in [1, 50] {
        statements.store(0, Ordering::SeqCst);
        let (_, body) = app.graphql_as(token, CUSTOMER_360, json!({ "n": n })).await;
        counts.push(statements.load(Ordering::SeqCst));
        assert!(body["errors"].is_null(), "{body}");
        let edges = body["data"]["contacts"]["edges"].as_array().expect("edges");
        assert_eq!(edges.len(), n as usize);
        let contact = &edges[0]["node"];
        assert_eq!(
            contact["deals"][0]["value"],
            json!({ "amount": "1000.50", "currency": "EUR" })
        );
        assert_eq!(
            contact["stats"]["openPipelineValue"],
            json!([{ "amount": "1000.50", "currency": "EUR" }])
        );
        assert_eq!(contact["stats"]["nextActivity"]["subject"], "Follow up");
        assert_eq!(
            contact["organization"]["contacts"].as_array().map(Vec::len),
            Some(50)
        );
        assert!(
            contact["timeline"]["edges"]
                .as_array()
                .is_some_and(|e| e.len() >= 4),
            "{contact}"
        );
    }

    eprintln!("customer-360 statements for 1 and 50 contacts: {counts:?}");
    // 2 for authentication, 2 for the page and its count, one per selected
    // nested field (the timeline: one per source), whatever the page size.
    assert_eq!(
        counts[0], counts[1],
        "statements for 1 and for 50 contacts: {counts:?}"
    );
    assert!(
        counts[1] <= 25,
        "the customer-360 page ran {} statements",
        counts[1]
    );
}

#[tokio::test]
async fn the_timeline_merges_every_kind_newest_first_and_paginates() {
    let app = spawn_app().await;
    let (workspace, pipelines) = with_pipeline(&app, "acme").await;
    let token = workspace.token("member");
    let id = customers(&app, token, &pipelines, 1).await.remove(0);
    let query =
        "query ($id: ID!, $after: String) { contact(id: $id) { timeline(first: 2, after: $after) {
        edges { cursor node { __typename } } pageInfo { hasNextPage } } } }";

    let (_, first) = app.graphql_as(token, query, json!({ "id": id })).await;
    let page = &first["data"]["contact"]["timeline"];
    let cursor = page["edges"][1]["cursor"]
        .as_str()
        .expect("a cursor")
        .to_owned();
    let (_, second) = app
        .graphql_as(token, query, json!({ "id": id, "after": cursor }))
        .await;

    let kinds = |page: &Value| -> Vec<String> {
        page["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["__typename"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let mut all = kinds(page);
    all.extend(kinds(&second["data"]["contact"]["timeline"]));
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    // Activity is due in 2999, so it is newest; then note, interaction and
    // the deal's creation (stage change), all written in that order.
    assert_eq!(
        all,
        ["Activity", "Note", "Interaction", "DealStageChange"],
        "{first} {second}"
    );
}

#[tokio::test]
async fn twenty_concurrent_updates_with_one_version_let_exactly_one_win() {
    let app = spawn_app().await;
    let workspace = app.workspace("acme").await;
    let token = workspace.token("owner").to_owned();
    let created = mutate(
        &app,
        &token,
        "createContact",
        CREATE_CONTACT,
        json!({ "input": { "firstName": "Ada", "lastName": "L" } }),
    )
    .await;
    let id = created["contact"]["id"].as_str().expect("id").to_owned();
    let update = "mutation ($input: UpdateContactInput!) { updateContact(input: $input) { contact { version title } userErrors { code } } }";

    let attempts = (0..20).map(|i| {
        let (app, token, id) = (&app, token.clone(), id.clone());
        async move {
            app.graphql_as(
                &token,
                update,
                json!({ "input": { "id": id, "version": 1, "title": format!("Title {i}") } }),
            )
            .await
            .1
        }
    });
    let results = futures_util::future::join_all(attempts).await;

    let winners: Vec<&Value> = results
        .iter()
        .filter(|r| r["data"]["updateContact"]["contact"].is_object())
        .collect();
    let conflicts = results
        .iter()
        .filter(|r| r["errors"][0]["extensions"]["code"] == "CONFLICT")
        .count();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert_eq!(conflicts, 19, "{results:?}");
    let (_, now) = app
        .graphql_as(
            &token,
            "query ($id: ID!) { contact(id: $id) { version title } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(now["data"]["contact"]["version"], 2);
    assert_eq!(
        now["data"]["contact"]["title"],
        winners[0]["data"]["updateContact"]["contact"]["title"]
    );
}

#[tokio::test]
async fn a_retried_create_with_the_same_idempotency_key_returns_the_first_result() {
    let app = spawn_app().await;
    let workspace = app.workspace("acme").await;
    let token = workspace.token("member");
    let input =
        json!({ "input": { "firstName": "Ada", "lastName": "L", "idempotencyKey": "import-42" } });

    let first = mutate(&app, token, "createContact", CREATE_CONTACT, input.clone()).await;
    let retries = futures_util::future::join_all(
        (0..5).map(|_| mutate(&app, token, "createContact", CREATE_CONTACT, input.clone())),
    )
    .await;
    let other = mutate(
        &app,
        token,
        "createContact",
        CREATE_CONTACT,
        json!({ "input": { "firstName": "Bob", "lastName": "B", "idempotencyKey": "import-43" } }),
    )
    .await;

    for retry in &retries {
        assert_eq!(retry["contact"]["id"], first["contact"]["id"]);
    }
    assert_ne!(other["contact"]["id"], first["contact"]["id"]);
    let (_, list) = app
        .graphql_as(token, "{ contacts { totalCount } }", json!({}))
        .await;
    assert_eq!(list["data"]["contacts"]["totalCount"], 2);
}

#[tokio::test]
async fn move_deal_with_a_stale_version_is_a_conflict_and_changes_nothing() {
    let app = spawn_app().await;
    let (workspace, pipelines) = with_pipeline(&app, "acme").await;
    let token = workspace.token("member");
    let created = mutate(
        &app,
        token,
        "createDeal",
        CREATE_DEAL,
        json!({ "input": { "title": "Big one", "pipelineId": pipelines[0]["id"] } }),
    )
    .await;
    let deal = &created["deal"];
    let moved = mutate(&app, token, "moveDeal", "mutation ($input: MoveDealInput!) { moveDeal(input: $input) { deal { version stage { id } } } }",
        json!({ "input": { "id": deal["id"], "version": 1, "stageId": stage_id(&pipelines, 0, 1) } })).await;
    assert_eq!(moved["deal"]["version"], 2);

    let (_, stale) = app
        .graphql_as(token, "mutation ($input: MoveDealInput!) { moveDeal(input: $input) { deal { version } } }",
            json!({ "input": { "id": deal["id"], "version": 1, "stageId": stage_id(&pipelines, 0, 2) } }))
        .await;

    assert_eq!(
        stale["errors"][0]["extensions"]["code"], "CONFLICT",
        "{stale}"
    );
    let (_, now) = app
        .graphql_as(
            token,
            "query ($id: ID!) { deal(id: $id) { version stage { id } } }",
            json!({ "id": deal["id"] }),
        )
        .await;
    assert_eq!(now["data"]["deal"]["version"], 2);
    assert_eq!(
        now["data"]["deal"]["stage"]["id"],
        json!(stage_id(&pipelines, 0, 1))
    );
    let changes = stage_changes(&app).await;
    assert_eq!(changes, 2, "creation and the one successful move");
}

pub async fn stage_changes(app: &TestApp) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM deal_stage_change",
        ))
        .await
        .expect("count")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("n")
}

#[tokio::test]
async fn moving_deals_keeps_the_order_of_cards_within_a_stage() {
    let app = spawn_app().await;
    let (workspace, pipelines) = with_pipeline(&app, "acme").await;
    let token = workspace.token("owner");
    let mut deals = Vec::new();
    for title in ["A", "B", "C"] {
        let created = mutate(
            &app,
            token,
            "createDeal",
            CREATE_DEAL,
            json!({ "input": { "title": title, "pipelineId": pipelines[0]["id"] } }),
        )
        .await;
        deals.push(created["deal"]["id"].as_str().expect("id").to_owned());
    }
    let target = stage_id(&pipelines, 0, 1);
    let mv = "mutation ($input: MoveDealInput!) { moveDeal(input: $input) { deal { id } userErrors { message } } }";

    mutate(
        &app,
        token,
        "moveDeal",
        mv,
        json!({ "input": { "id": deals[2], "version": 1, "stageId": target } }),
    )
    .await;
    mutate(
        &app,
        token,
        "moveDeal",
        mv,
        json!({ "input": { "id": deals[0], "version": 1, "stageId": target, "position": 0 } }),
    )
    .await;
    mutate(
        &app,
        token,
        "moveDeal",
        mv,
        json!({ "input": { "id": deals[1], "version": 1, "stageId": target, "position": 1 } }),
    )
    .await;

    let (_, board) = app
        .graphql_as(
            token,
            "{ pipelines { stages { name deals { title } } } }",
            json!({}),
        )
        .await;
    let column: Vec<&str> = board["data"]["pipelines"][0]["stages"][1]["deals"]
        .as_array()
        .expect("deals")
        .iter()
        .map(|d| d["title"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(column, ["A", "B", "C"]);
    assert_eq!(
        board["data"]["pipelines"][0]["stages"][0]["deals"],
        json!([])
    );
}

#[tokio::test]
async fn bad_input_comes_back_as_user_errors_with_the_field_path_and_writes_nothing() {
    let app = spawn_app().await;
    let (workspace, pipelines) = with_pipeline(&app, "acme").await;
    let token = workspace.token("owner");
    let archived = mutate(
        &app,
        token,
        "createContact",
        CREATE_CONTACT,
        json!({ "input": { "firstName": "Old", "lastName": "Timer" } }),
    )
    .await;
    mutate(&app, token, "archiveContact", "mutation ($input: VersionedIdInput!) { archiveContact(input: $input) { contact { archivedAt } } }",
        json!({ "input": { "id": archived["contact"]["id"], "version": 1 } })).await;

    let cases = [
        (
            CREATE_CONTACT,
            "createContact",
            json!({ "firstName": "A", "lastName": "B", "email": "not-an-email" }),
            json!(["input", "email"]),
        ),
        (
            CREATE_CONTACT,
            "createContact",
            json!({ "firstName": "A", "lastName": "B", "customFields": { "nope": 1 } }),
            json!(["input", "customFields", "nope"]),
        ),
        (
            CREATE_DEAL,
            "createDeal",
            json!({ "title": "T", "pipelineId": pipelines[0]["id"], "value": { "amount": "-5" } }),
            json!(["input", "value", "amount"]),
        ),
        (
            CREATE_DEAL,
            "createDeal",
            json!({ "title": "T", "pipelineId": pipelines[0]["id"], "value": { "amount": "5", "currency": "XYZ" } }),
            json!(["input", "value", "currency"]),
        ),
        (
            CREATE_DEAL,
            "createDeal",
            json!({ "title": "T", "pipelineId": pipelines[0]["id"], "stageId": stage_id(&pipelines, 1, 0) }),
            json!(["input", "stageId"]),
        ),
        (
            CREATE_DEAL,
            "createDeal",
            json!({ "title": "T", "pipelineId": pipelines[0]["id"], "contactId": archived["contact"]["id"] }),
            json!(["input", "contactId"]),
        ),
    ];
    for (query, field, input, path) in cases {
        let (_, body) = app
            .graphql_as(token, query, json!({ "input": input }))
            .await;
        let payload = &body["data"][field];
        assert!(
            payload["userErrors"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e["field"] == path)),
            "{path}: {body}"
        );
        assert_eq!(payload["userErrors"][0]["code"], "BAD_USER_INPUT", "{body}");
    }
    let (_, contacts) = app
        .graphql_as(
            token,
            "{ contacts(filter: { includeArchived: true }) { totalCount } deals { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        contacts["data"]["contacts"]["totalCount"], 1,
        "only the archived contact exists"
    );
    assert_eq!(contacts["data"]["deals"]["totalCount"], 0);
}

#[tokio::test]
async fn members_edit_only_their_own_deals_and_managers_their_teams() {
    let app = spawn_app().await;
    let (workspace, pipelines) = with_pipeline(&app, "acme").await;
    let mine = mutate(
        &app,
        workspace.token("member"),
        "createDeal",
        CREATE_DEAL,
        json!({ "input": { "title": "Mine", "pipelineId": pipelines[0]["id"] } }),
    )
    .await;
    let admins = mutate(
        &app,
        workspace.token("admin"),
        "createDeal",
        CREATE_DEAL,
        json!({ "input": { "title": "Admin's", "pipelineId": pipelines[0]["id"] } }),
    )
    .await;
    let rename = "mutation ($input: UpdateDealInput!) { updateDeal(input: $input) { deal { title version } } }";

    let (_, foreign) = app
        .graphql_as(
            workspace.token("member"),
            rename,
            json!({ "input": { "id": admins["deal"]["id"], "version": 1, "title": "Taken" } }),
        )
        .await;
    let (_, own) = app
        .graphql_as(
            workspace.token("member"),
            rename,
            json!({ "input": { "id": mine["deal"]["id"], "version": 1, "title": "Still mine" } }),
        )
        .await;
    let (_, team) = app
        .graphql_as(
            workspace.token("manager"),
            rename,
            json!({ "input": { "id": mine["deal"]["id"], "version": 2, "title": "Team's" } }),
        )
        .await;
    let (_, not_team) = app
        .graphql_as(
            workspace.token("manager"),
            rename,
            json!({ "input": { "id": admins["deal"]["id"], "version": 1, "title": "Nope" } }),
        )
        .await;

    assert_eq!(
        foreign["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{foreign}"
    );
    assert_eq!(own["data"]["updateDeal"]["deal"]["title"], "Still mine");
    assert_eq!(
        team["data"]["updateDeal"]["deal"]["title"], "Team's",
        "{team}"
    );
    assert_eq!(not_team["errors"][0]["extensions"]["code"], "FORBIDDEN");
}

#[tokio::test]
async fn every_change_writes_its_event_with_the_actor_in_the_same_transaction() {
    let app = spawn_app().await;
    let (workspace, pipelines) = with_pipeline(&app, "acme").await;
    let token = workspace.token("member");
    let created = mutate(
        &app,
        token,
        "createDeal",
        CREATE_DEAL,
        json!({ "input": { "title": "Evented", "pipelineId": pipelines[0]["id"] } }),
    )
    .await;
    mutate(&app, token, "moveDeal", "mutation ($input: MoveDealInput!) { moveDeal(input: $input) { deal { id } } }",
        json!({ "input": { "id": created["deal"]["id"], "version": 1, "stageId": stage_id(&pipelines, 0, 2) } })).await;
    mutate(&app, token, "winDeal", "mutation ($input: VersionedIdInput!) { winDeal(input: $input) { deal { status closedAt } } }",
        json!({ "input": { "id": created["deal"]["id"], "version": 2 } })).await;

    use entity::{TenantScoped, WorkspaceId, domain_event, enums::ActorKind, workspace};
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let ws = workspace::Entity::find_by_slug("acme")
        .one(&app.db)
        .await
        .expect("query")
        .expect("acme");
    let events = domain_event::Entity::find_in(WorkspaceId(ws.id))
        .filter(domain_event::Column::EntityType.eq("deal"))
        .order_by_asc(domain_event::Column::OccurredAt)
        .all(&app.db)
        .await
        .expect("events");
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["deal.created", "deal.moved", "deal.won"]);
    assert!(
        events
            .iter()
            .all(|e| e.actor_kind == ActorKind::User && e.actor_id.is_some())
    );
    assert_eq!(
        events[1].payload["before"]["stageId"],
        events[1].payload["fromStageId"]
    );
    assert_eq!(events[2].payload["after"]["status"], "won");
}

#[tokio::test]
async fn track_events_ingests_a_batch_and_rejects_it_whole_on_one_bad_event() {
    let app = spawn_app().await;
    let workspace = app.workspace("acme").await;
    let token = workspace.token("member");
    let contact = mutate(
        &app,
        token,
        "createContact",
        CREATE_CONTACT,
        json!({ "input": { "firstName": "T", "lastName": "U" } }),
    )
    .await;
    let events: Vec<Value> = (0..1000).map(|i| json!({ "name": "page_viewed", "contactId": contact["contact"]["id"], "occurredAt": "2026-01-01T00:00:00Z", "properties": { "i": i } })).collect();
    let track = "mutation ($input: TrackEventsInput!) { trackEvents(input: $input) { accepted userErrors { field message } } }";

    let ok = mutate(
        &app,
        token,
        "trackEvents",
        track,
        json!({ "input": { "events": events } }),
    )
    .await;
    let mut bad: Vec<Value> = (0..3)
        .map(|_| json!({ "name": "ok_event", "occurredAt": "2026-01-01T00:00:00Z" }))
        .collect();
    bad[2]["name"] = json!("has spaces");
    let rejected = mutate(
        &app,
        token,
        "trackEvents",
        track,
        json!({ "input": { "events": bad } }),
    )
    .await;

    assert_eq!(ok["accepted"], 1000);
    assert_eq!(rejected["accepted"], 0);
    assert_eq!(
        rejected["userErrors"][0]["field"],
        json!(["input", "events", "2", "name"])
    );
}

#[tokio::test]
async fn pipelines_and_stages_are_managed_through_the_api() {
    let app = spawn_app().await;
    let (workspace, pipelines) = with_pipeline(&app, "acme").await;
    let owner = workspace.token("owner");
    let sales = &pipelines[0];
    let deal = mutate(
        &app,
        workspace.token("member"),
        "createDeal",
        CREATE_DEAL,
        json!({ "input": { "title": "Moves along", "pipelineId": sales["id"] } }),
    )
    .await;
    let lead_in = stage_id(&pipelines, 0, 0);
    let proposal = stage_id(&pipelines, 0, 1);
    let negotiation = stage_id(&pipelines, 0, 2);

    let update = "mutation ($input: UpdateStageInput!) { updateStage(input: $input) { stage { probability rottingDays version } userErrors { field } } }";
    let updated = mutate(&app, owner, "updateStage", update, json!({ "input": { "id": proposal, "version": 1, "probability": 60, "rottingDays": null } })).await;
    let (_, stale) = app
        .graphql_as(
            owner,
            update,
            json!({ "input": { "id": proposal, "version": 1, "probability": 70 } }),
        )
        .await;
    let (_, bad) = app
        .graphql_as(
            owner,
            update,
            json!({ "input": { "id": proposal, "version": 2, "probability": 101 } }),
        )
        .await;
    let reordered = mutate(&app, owner, "reorderStages", "mutation ($input: ReorderStagesInput!) { reorderStages(input: $input) { stages { id } userErrors { field } } }",
        json!({ "input": { "pipelineId": sales["id"], "stageIds": [negotiation, lead_in, proposal] } })).await;
    let deleted = mutate(&app, owner, "deleteStage", "mutation ($input: DeleteStageInput!) { deleteStage(input: $input) { stages { name } userErrors { field } } }",
        json!({ "input": { "id": lead_in, "moveDealsTo": proposal } })).await;
    let (_, after) = app
        .graphql_as(
            owner,
            "query ($id: ID!) { deal(id: $id) { version stage { name } } }",
            json!({ "id": deal["deal"]["id"] }),
        )
        .await;

    assert_eq!(
        updated["stage"],
        json!({ "probability": 60, "rottingDays": null, "version": 2 })
    );
    assert_eq!(stale["errors"][0]["extensions"]["code"], "CONFLICT");
    assert_eq!(
        bad["data"]["updateStage"]["userErrors"][0]["field"],
        json!(["input", "probability"])
    );
    assert_eq!(
        reordered["stages"],
        json!([{ "id": negotiation }, { "id": lead_in }, { "id": proposal }])
    );
    assert_eq!(
        deleted["stages"],
        json!([{ "name": "Negotiation" }, { "name": "Proposal" }])
    );
    assert_eq!(after["data"]["deal"]["stage"]["name"], "Proposal");
    assert_eq!(
        stage_changes(&app).await,
        2,
        "creation and the move off the deleted stage"
    );
}

#[tokio::test]
async fn records_are_tagged_and_untagged() {
    let app = spawn_app().await;
    let workspace = app.workspace("acme").await;
    let token = workspace.token("member");
    let contact = mutate(
        &app,
        token,
        "createContact",
        CREATE_CONTACT,
        json!({ "input": { "firstName": "T", "lastName": "G" } }),
    )
    .await;
    let id = &contact["contact"]["id"];
    let tag = "mutation ($input: TagInput!) { tag(input: $input) { tags { name } } }";

    mutate(
        &app,
        token,
        "tag",
        tag,
        json!({ "input": { "id": id, "name": "VIP" } }),
    )
    .await;
    let twice = mutate(
        &app,
        token,
        "tag",
        tag,
        json!({ "input": { "id": id, "name": "vip" } }),
    )
    .await;
    let both = mutate(
        &app,
        token,
        "tag",
        tag,
        json!({ "input": { "id": id, "name": "churn-risk" } }),
    )
    .await;
    let untagged = mutate(
        &app,
        token,
        "untag",
        "mutation ($input: TagInput!) { untag(input: $input) { tags { name } } }",
        json!({ "input": { "id": id, "name": "vip" } }),
    )
    .await;
    let (_, filtered) = app
        .graphql_as(
            token,
            "{ contacts { totalCount edges { node { tags { id name } } } } }",
            json!({}),
        )
        .await;
    let tag_id = filtered["data"]["contacts"]["edges"][0]["node"]["tags"][0]["id"].clone();
    let (_, by_tag) = app
        .graphql_as(
            token,
            "query ($t: ID!) { contacts(filter: { tagId: $t }) { totalCount } }",
            json!({ "t": tag_id }),
        )
        .await;

    assert_eq!(twice["tags"], json!([{ "name": "vip" }]));
    assert_eq!(
        both["tags"],
        json!([{ "name": "churn-risk" }, { "name": "vip" }])
    );
    assert_eq!(untagged["tags"], json!([{ "name": "churn-risk" }]));
    assert_eq!(by_tag["data"]["contacts"]["totalCount"], 1);
}

#[tokio::test]
async fn lists_order_by_a_field_with_stable_keyset_cursors() {
    let app = spawn_app().await;
    let (workspace, pipelines) = with_pipeline(&app, "acme").await;
    let token = workspace.token("owner");
    for (title, value) in [
        ("B", "300"),
        ("A", "100"),
        ("D", "300"),
        ("C", "200"),
        ("E", "50"),
    ] {
        mutate(&app, token, "createDeal", CREATE_DEAL, json!({ "input": { "title": title, "value": { "amount": value }, "pipelineId": pipelines[0]["id"] } })).await;
    }
    let query = "query ($after: String, $before: String, $first: Int, $last: Int) {
        deals(first: $first, after: $after, last: $last, before: $before, orderBy: { field: VALUE, direction: DESC }) {
        edges { cursor node { title } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }";
    let titles = |body: &Value| -> Vec<String> {
        body["data"]["deals"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["title"].as_str().unwrap_or("").to_owned())
            .collect()
    };

    let (_, first) = app.graphql_as(token, query, json!({ "first": 2 })).await;
    let cursor = first["data"]["deals"]["pageInfo"]["endCursor"].clone();
    let (_, second) = app
        .graphql_as(token, query, json!({ "first": 2, "after": cursor }))
        .await;
    let (_, rest) = app
        .graphql_as(
            token,
            query,
            json!({ "first": 2, "after": second["data"]["deals"]["pageInfo"]["endCursor"] }),
        )
        .await;
    let (_, back) = app
        .graphql_as(
            token,
            query,
            json!({ "last": 2, "before": second["data"]["deals"]["pageInfo"]["startCursor"] }),
        )
        .await;
    let (_, by_title) = app
        .graphql_as(
            token,
            "{ deals(orderBy: { field: TITLE }) { edges { node { title } } } }",
            json!({}),
        )
        .await;

    // Equal values (B and D at 300) are ordered by creation, in the same
    // direction: D, created later, first.
    assert_eq!(titles(&first), ["D", "B"]);
    assert_eq!(titles(&second), ["C", "A"]);
    assert_eq!(titles(&rest), ["E"]);
    assert_eq!(rest["data"]["deals"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(titles(&back), ["D", "B"]);
    assert_eq!(titles(&by_title), ["A", "B", "C", "D", "E"]);
}

#[tokio::test]
async fn a_mutation_reads_what_an_earlier_mutation_of_the_same_operation_wrote() {
    let app = spawn_app().await;
    let (workspace, pipelines) = with_pipeline(&app, "acme").await;
    let token = workspace.token("owner");
    let contact = mutate(
        &app,
        token,
        "createContact",
        CREATE_CONTACT,
        json!({ "input": { "firstName": "Old", "lastName": "Name" } }),
    )
    .await;
    let deal = mutate(&app, token, "createDeal", CREATE_DEAL, json!({ "input": { "title": "T", "pipelineId": pipelines[0]["id"], "contactId": contact["contact"]["id"] } })).await;

    let (_, body) = app
        .graphql_as(
            token,
            "mutation ($contact: ID!, $deal: ID!) {
                before: updateDeal(input: { id: $deal, version: 1, title: \"T1\" }) { deal { contact { name } } }
                rename: updateContact(input: { id: $contact, version: 1, firstName: \"New\" }) { contact { name } }
                after: updateDeal(input: { id: $deal, version: 2, title: \"T2\" }) { deal { contact { name } } } }",
            json!({ "contact": contact["contact"]["id"], "deal": deal["deal"]["id"] }),
        )
        .await;

    assert_eq!(
        body["data"]["before"]["deal"]["contact"]["name"], "Old Name",
        "{body}"
    );
    assert_eq!(
        body["data"]["after"]["deal"]["contact"]["name"], "New Name",
        "{body}"
    );
}
