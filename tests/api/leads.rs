//! Leads, lead conversion, contact merging and search (issue 4).

use serde_json::{Value, json};

use crate::{
    crm::{CREATE_CONTACT, CREATE_DEAL, stage_id, with_pipeline},
    helpers::{mutate, spawn_app},
};

const CREATE_LEAD: &str = "mutation ($input: CreateLeadInput!) { createLead(input: $input) { lead { id version status } userErrors { field message } } }";
const CONVERT: &str = "mutation ($input: ConvertLeadInput!) { convertLead(input: $input) {
    lead { status version convertedDeal { id } } deal { id title value { amount } stage { name } contact { name } organization { name } }
    contact { id name organization { name } } organization { id name } userErrors { field code message } } }";

#[tokio::test]
async fn converting_a_lead_creates_contact_organization_and_deal_in_one_go() {
    let app = spawn_app().await;
    let (workspace, pipelines) = with_pipeline(&app, "acme").await;
    let token = workspace.token("member");
    let lead = mutate(&app, token, "createLead", CREATE_LEAD, json!({ "input": { "title": "Wants the data platform", "source": "webinar", "channel": "EVENT" } })).await;

    let converted = mutate(&app, token, "convertLead", CONVERT, json!({ "input": {
        "id": lead["lead"]["id"], "version": 1,
        "newContact": { "firstName": "Grace", "lastName": "Hopper", "email": "grace@navy.example" },
        "newOrganizationName": "US Navy",
        "deal": { "title": "Platform rollout", "value": { "amount": "25000" }, "pipelineId": pipelines[0]["id"] } } })).await;

    assert_eq!(converted["userErrors"], json!([]));
    assert_eq!(converted["lead"]["status"], "CONVERTED");
    assert_eq!(
        converted["lead"]["convertedDeal"]["id"],
        converted["deal"]["id"]
    );
    assert_eq!(converted["deal"]["contact"]["name"], "Grace Hopper");
    assert_eq!(converted["deal"]["organization"]["name"], "US Navy");
    assert_eq!(converted["contact"]["organization"]["name"], "US Navy");
    assert_eq!(converted["deal"]["value"]["amount"], "25000.00");
}

#[tokio::test]
async fn a_failed_conversion_writes_nothing() {
    let app = spawn_app().await;
    let (workspace, pipelines) = with_pipeline(&app, "acme").await;
    let token = workspace.token("member");
    let lead = mutate(
        &app,
        token,
        "createLead",
        CREATE_LEAD,
        json!({ "input": { "title": "Half a lead" } }),
    )
    .await;

    // The contact and organization would be valid; the deal's stage belongs
    // to the other pipeline, so the whole conversion must roll back.
    let (_, body) = app.graphql_as(token, CONVERT, json!({ "input": {
        "id": lead["lead"]["id"], "version": 1,
        "newContact": { "firstName": "Rolled", "lastName": "Back" }, "newOrganizationName": "Ghost Corp",
        "deal": { "title": "Never", "pipelineId": pipelines[0]["id"], "stageId": stage_id(&pipelines, 1, 0) } } })).await;

    assert_eq!(
        body["data"]["convertLead"]["userErrors"][0]["field"],
        json!(["input", "stageId"]),
        "{body}"
    );
    let (_, counts) = app.graphql_as(token, "{ contacts { totalCount } organizations { totalCount } deals { totalCount } leads(status: NEW) { totalCount } }", json!({})).await;
    assert_eq!(
        counts["data"],
        json!({ "contacts": { "totalCount": 0 }, "organizations": { "totalCount": 0 }, "deals": { "totalCount": 0 }, "leads": { "totalCount": 1 } })
    );
}

#[tokio::test]
async fn merging_contacts_moves_everything_to_the_survivor_and_archives_the_duplicate() {
    let app = spawn_app().await;
    let (workspace, pipelines) = with_pipeline(&app, "acme").await;
    let token = workspace.token("owner");
    let keep = mutate(
        &app,
        token,
        "createContact",
        CREATE_CONTACT,
        json!({ "input": { "firstName": "Ada", "lastName": "Lovelace" } }),
    )
    .await;
    let dupe = mutate(
        &app,
        token,
        "createContact",
        CREATE_CONTACT,
        json!({ "input": { "firstName": "Ada", "lastName": "L." } }),
    )
    .await;
    let (keep_id, dupe_id) = (keep["contact"]["id"].clone(), dupe["contact"]["id"].clone());
    mutate(&app, token, "createDeal", CREATE_DEAL, json!({ "input": { "title": "Engine", "pipelineId": pipelines[0]["id"], "contactId": dupe_id } })).await;
    mutate(
        &app,
        token,
        "addNote",
        "mutation ($input: AddNoteInput!) { addNote(input: $input) { note { id } } }",
        json!({ "input": { "body": "Met at the salon", "contactId": dupe_id } }),
    )
    .await;
    mutate(&app, token, "logInteraction", "mutation ($input: LogInteractionInput!) { logInteraction(input: $input) { interaction { id } } }",
        json!({ "input": { "channel": "EMAIL", "direction": "INBOUND", "summary": "Notes on the engine", "contactId": dupe_id } })).await;
    for (id, tag) in [(&keep_id, "vip"), (&dupe_id, "vip"), (&dupe_id, "math")] {
        mutate(
            &app,
            token,
            "tag",
            "mutation ($input: TagInput!) { tag(input: $input) { tags { name } } }",
            json!({ "input": { "id": id, "name": tag } }),
        )
        .await;
    }

    let merged = mutate(&app, token, "mergeContacts", "mutation ($input: MergeContactsInput!) { mergeContacts(input: $input) {
        contact { id deals { title } notes { body } tags { name } timeline { edges { node { __typename } } } } userErrors { message } } }",
        json!({ "input": { "survivorId": keep_id, "survivorVersion": 1, "duplicateId": dupe_id, "duplicateVersion": 1 } })).await;
    let (_, dupe_now) = app
        .graphql_as(
            token,
            "query ($id: ID!) { contact(id: $id) { archivedAt deals { id } } }",
            json!({ "id": dupe_id }),
        )
        .await;

    let contact = &merged["contact"];
    assert_eq!(contact["deals"], json!([{ "title": "Engine" }]));
    assert_eq!(contact["notes"], json!([{ "body": "Met at the salon" }]));
    assert_eq!(
        contact["tags"],
        json!([{ "name": "math" }, { "name": "vip" }])
    );
    let kinds: Vec<&str> = contact["timeline"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["__typename"].as_str().unwrap_or(""))
        .collect();
    assert!(
        kinds.contains(&"Interaction")
            && kinds.contains(&"Note")
            && kinds.contains(&"DealStageChange"),
        "{kinds:?}"
    );
    assert!(dupe_now["data"]["contact"]["archivedAt"].is_string());
    assert_eq!(dupe_now["data"]["contact"]["deals"], json!([]));
}

#[tokio::test]
async fn search_ranks_exact_then_prefix_then_substring_matches_across_kinds() {
    let app = spawn_app().await;
    let (workspace, pipelines) = with_pipeline(&app, "acme").await;
    let token = workspace.token("owner");
    mutate(&app, token, "createOrganization", "mutation ($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }",
        json!({ "input": { "name": "Globex" } })).await;
    mutate(
        &app,
        token,
        "createContact",
        CREATE_CONTACT,
        json!({ "input": { "firstName": "Hank", "lastName": "Globexsson" } }),
    )
    .await;
    mutate(
        &app,
        token,
        "createDeal",
        CREATE_DEAL,
        json!({ "input": { "title": "Renewal for Globex", "pipelineId": pipelines[0]["id"] } }),
    )
    .await;
    mutate(
        &app,
        token,
        "createLead",
        CREATE_LEAD,
        json!({ "input": { "title": "Unrelated" } }),
    )
    .await;

    let (_, body) = app.graphql_as(token, "{ search(query: \"globex\") { __typename ... on Organization { name } ... on Contact { name } ... on Deal { title } } }", json!({})).await;
    let (_, short) = app
        .graphql_as(token, "{ search(query: \"g\") { __typename } }", json!({}))
        .await;

    let results = body["data"]["search"].as_array().expect("results");
    let kinds: Vec<&str> = results
        .iter()
        .map(|r| r["__typename"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["Organization", "Contact", "Deal"], "{body}");
    assert_eq!(short["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let _: &Value = &results[0];
}
