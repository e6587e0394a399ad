//! Custom-field definitions, tickets, campaigns and goals (issue 4).

use serde_json::json;

use crate::{
    crm::CREATE_CONTACT,
    helpers::{PASSWORD, mutate, spawn_app},
};

#[tokio::test]
async fn custom_field_values_are_validated_against_their_definitions() {
    let app = spawn_app().await;
    let workspace = app.workspace("acme").await;
    let define = "mutation ($input: CreateCustomFieldInput!) { createCustomField(input: $input) { customField { key fieldType } userErrors { field code } } }";
    mutate(&app, workspace.token("admin"), "createCustomField", define, json!({ "input": { "recordType": "CONTACT", "key": "tier", "label": "Tier", "fieldType": "ENUM", "options": ["gold", "silver"] } })).await;
    mutate(&app, workspace.token("admin"), "createCustomField", define, json!({ "input": { "recordType": "CONTACT", "key": "seats", "label": "Seats", "fieldType": "NUMBER" } })).await;
    let (_, duplicate) = app.graphql_as(workspace.token("admin"), define, json!({ "input": { "recordType": "CONTACT", "key": "tier", "label": "Again", "fieldType": "TEXT" } })).await;
    let (_, by_member) = app.graphql_as(workspace.token("member"), define, json!({ "input": { "recordType": "CONTACT", "key": "x", "label": "X", "fieldType": "TEXT" } })).await;
    let token = workspace.token("member");

    let ok = mutate(&app, token, "createContact", "mutation ($input: CreateContactInput!) { createContact(input: $input) { contact { customFields { key value } } userErrors { field } } }",
        json!({ "input": { "firstName": "C", "lastName": "F", "customFields": { "tier": "gold", "seats": 12 } } })).await;
    mutate(&app, token, "createContact", CREATE_CONTACT, json!({ "input": { "firstName": "D", "lastName": "G", "customFields": { "tier": "silver", "seats": 3 } } })).await;
    let filter = "query ($key: String!, $value: String!) { contacts(filter: { customField: { key: $key, value: $value }, text: \"f\" }) { totalCount } }";
    let (_, gold) = app
        .graphql_as(token, filter, json!({ "key": "tier", "value": "gold" }))
        .await;
    let (_, twelve) = app
        .graphql_as(token, filter, json!({ "key": "seats", "value": "12" }))
        .await;
    let (_, none) = app
        .graphql_as(token, filter, json!({ "key": "tier", "value": "bronze" }))
        .await;
    assert_eq!(gold["data"]["contacts"]["totalCount"], 1, "{gold}");
    assert_eq!(twelve["data"]["contacts"]["totalCount"], 1, "{twelve}");
    assert_eq!(none["data"]["contacts"]["totalCount"], 0, "{none}");
    let (_, wrong) = app.graphql_as(token, CREATE_CONTACT, json!({ "input": { "firstName": "C", "lastName": "F", "customFields": { "tier": "bronze", "seats": "twelve" } } })).await;

    assert_eq!(
        duplicate["data"]["createCustomField"]["userErrors"][0]["code"],
        "CONFLICT"
    );
    assert_eq!(by_member["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(
        ok["contact"]["customFields"],
        json!([{ "key": "seats", "value": 12 }, { "key": "tier", "value": "gold" }])
    );
    let errors = &wrong["data"]["createContact"]["userErrors"];
    assert_eq!(errors.as_array().map(Vec::len), Some(2), "{wrong}");
    assert_eq!(
        errors[0]["field"],
        json!(["input", "customFields", "seats"])
    );
    assert_eq!(errors[1]["field"], json!(["input", "customFields", "tier"]));
}

#[tokio::test]
async fn tickets_campaigns_and_goals_are_managed_through_the_api() {
    let app = spawn_app().await;
    let workspace = app.workspace("acme").await;
    let token = workspace.token("manager");
    let contact = mutate(
        &app,
        token,
        "createContact",
        CREATE_CONTACT,
        json!({ "input": { "firstName": "T", "lastName": "K" } }),
    )
    .await;
    let ticket = mutate(&app, token, "createTicket", "mutation ($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id status priority } } }",
        json!({ "input": { "subject": "Export times out", "priority": "HIGH", "contactId": contact["contact"]["id"] } })).await;
    let resolved = mutate(&app, token, "updateTicket", "mutation ($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { status resolvedAt } } }",
        json!({ "input": { "id": ticket["ticket"]["id"], "version": 1, "status": "RESOLVED" } })).await;
    let campaign = mutate(&app, token, "createCampaign", "mutation ($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { name budget { amount currency } } userErrors { field } } }",
        json!({ "input": { "name": "Spring webinar", "channel": "EVENT", "budget": "1500.50", "startsOn": "2027-03-01", "endsOn": "2027-03-31" } })).await;
    let goal = mutate(&app, token, "createGoal", "mutation ($input: CreateGoalInput!) { createGoal(input: $input) { goal { metric targetValue { amount currency } targetCount } userErrors { field } } }",
        json!({ "input": { "name": "Q1 revenue", "metric": "WON_VALUE", "periodStart": "2027-01-01", "periodEnd": "2027-03-31", "target": "50000" } })).await;
    let (_, timeline) = app
        .graphql_as(
            token,
            "query ($id: ID!) { contact(id: $id) { tickets { subject status } } }",
            json!({ "id": contact["contact"]["id"] }),
        )
        .await;

    assert_eq!(ticket["ticket"]["status"], "OPEN");
    assert_eq!(resolved["ticket"]["status"], "RESOLVED");
    assert!(resolved["ticket"]["resolvedAt"].is_string());
    assert_eq!(
        campaign["campaign"]["budget"],
        json!({ "amount": "1500.50", "currency": "EUR" })
    );
    assert_eq!(
        goal["goal"],
        json!({ "metric": "WON_VALUE", "targetValue": { "amount": "50000.00", "currency": "EUR" }, "targetCount": null })
    );
    assert_eq!(
        timeline["data"]["contact"]["tickets"],
        json!([{ "subject": "Export times out", "status": "RESOLVED" }])
    );
}

#[tokio::test]
async fn a_member_cannot_edit_another_members_deal() {
    let app = spawn_app().await;
    let (workspace, pipelines) = crate::crm::with_pipeline(&app, "acme").await;
    mutate(&app, workspace.token("owner"), "createUser", "mutation ($input: CreateUserInput!) { createUser(input: $input) { user { id } } }",
        json!({ "input": { "email": "member2@acme.test", "name": "Second member", "role": "MEMBER", "password": PASSWORD } })).await;
    let other = app.login("member2@acme.test", PASSWORD).await["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let deal = mutate(
        &app,
        &other,
        "createDeal",
        crate::crm::CREATE_DEAL,
        json!({ "input": { "title": "Theirs", "pipelineId": pipelines[0]["id"] } }),
    )
    .await;

    let (_, body) = app.graphql_as(workspace.token("member"), "mutation ($input: MoveDealInput!) { moveDeal(input: $input) { deal { id } } }",
        json!({ "input": { "id": deal["deal"]["id"], "version": 1, "stageId": crate::crm::stage_id(&pipelines, 0, 1) } })).await;

    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body}"
    );
}

#[tokio::test]
async fn activities_notes_and_campaigns_can_be_edited_archived_and_restored() {
    let app = spawn_app().await;
    let workspace = app.workspace("acme").await;
    let token = workspace.token("member");
    let contact = mutate(
        &app,
        token,
        "createContact",
        CREATE_CONTACT,
        json!({ "input": { "firstName": "E", "lastName": "D" } }),
    )
    .await;
    let id = &contact["contact"]["id"];
    let activity = mutate(&app, token, "scheduleActivity", "mutation ($input: ScheduleActivityInput!) { scheduleActivity(input: $input) { activity { id } } }",
        json!({ "input": { "kind": "CALL", "subject": "Call", "dueAt": "2999-01-01T10:00:00Z", "contactId": id } })).await;
    let note = mutate(
        &app,
        token,
        "addNote",
        "mutation ($input: AddNoteInput!) { addNote(input: $input) { note { id } } }",
        json!({ "input": { "body": "Draft", "contactId": id } }),
    )
    .await;

    let moved = mutate(&app, token, "updateActivity", "mutation ($input: UpdateActivityInput!) { updateActivity(input: $input) { activity { subject dueAt version } } }",
        json!({ "input": { "id": activity["activity"]["id"], "version": 1, "subject": "Call back", "dueAt": "2999-02-01T10:00:00Z" } })).await;
    mutate(&app, token, "archiveActivity", "mutation ($input: RecordVersionInput!) { archiveActivity(input: $input) { activity { id } } }",
        json!({ "input": { "id": activity["activity"]["id"], "version": 2 } })).await;
    let edited = mutate(&app, token, "updateNote", "mutation ($input: UpdateNoteInput!) { updateNote(input: $input) { note { body version } } }",
        json!({ "input": { "id": note["note"]["id"], "version": 1, "body": "Final" } })).await;
    let (_, other) = app
        .graphql_as(
            workspace.token("viewer"),
            "mutation ($input: UpdateNoteInput!) { updateNote(input: $input) { note { body } } }",
            json!({ "input": { "id": note["note"]["id"], "version": 2, "body": "Hijacked" } }),
        )
        .await;
    let (_, customer) = app
        .graphql_as(
            token,
            "query ($id: ID!) { contact(id: $id) { activities { subject } notes { body } } }",
            json!({ "id": id }),
        )
        .await;
    let campaign = mutate(&app, workspace.token("manager"), "createCampaign", "mutation ($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id } } }",
        json!({ "input": { "name": "Autumn", "channel": "EMAIL" } })).await;
    let renamed = mutate(&app, workspace.token("manager"), "updateCampaign", "mutation ($input: UpdateCampaignInput!) { updateCampaign(input: $input) { campaign { name budget { amount } version } } }",
        json!({ "input": { "id": campaign["campaign"]["id"], "version": 1, "name": "Autumn push", "budget": "99.90" } })).await;

    assert_eq!(
        moved["activity"],
        json!({ "subject": "Call back", "dueAt": "2999-02-01T10:00:00+00:00", "version": 2 })
    );
    assert_eq!(edited["note"], json!({ "body": "Final", "version": 2 }));
    assert_eq!(other["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(
        customer["data"]["contact"],
        json!({ "activities": [], "notes": [{ "body": "Final" }] })
    );
    assert_eq!(
        renamed["campaign"],
        json!({ "name": "Autumn push", "budget": { "amount": "99.90" }, "version": 2 })
    );
}

#[tokio::test]
async fn goals_are_updated_and_archived_at_their_version() {
    let app = spawn_app().await;
    let workspace = app.workspace("acme").await;
    let token = workspace.token("manager");
    let goal = mutate(&app, token, "createGoal", "mutation ($input: CreateGoalInput!) { createGoal(input: $input) { goal { id version } } }",
        json!({ "input": { "name": "Deals", "metric": "WON_COUNT", "periodStart": "2027-01-01", "periodEnd": "2027-03-31", "target": "10" } })).await;
    let id = &goal["goal"]["id"];

    let raised = mutate(&app, token, "updateGoal", "mutation ($input: UpdateGoalInput!) { updateGoal(input: $input) { goal { targetCount version } userErrors { field } } }",
        json!({ "input": { "id": id, "version": 1, "target": "12" } })).await;
    let (_, stale) = app.graphql_as(token, "mutation ($input: UpdateGoalInput!) { updateGoal(input: $input) { goal { version } } }",
        json!({ "input": { "id": id, "version": 1, "target": "14" } })).await;
    let (_, bad) = app.graphql_as(token, "mutation ($input: UpdateGoalInput!) { updateGoal(input: $input) { userErrors { field } } }",
        json!({ "input": { "id": id, "version": 2, "target": "ten" } })).await;
    mutate(&app, token, "archiveGoal", "mutation ($input: RecordVersionInput!) { archiveGoal(input: $input) { goal { version } } }",
        json!({ "input": { "id": id, "version": 2 } })).await;
    let (_, goals) = app.graphql_as(token, "{ goals { id } }", json!({})).await;

    assert_eq!(raised["goal"], json!({ "targetCount": "12", "version": 2 }));
    assert_eq!(stale["errors"][0]["extensions"]["code"], "CONFLICT");
    assert_eq!(
        bad["data"]["updateGoal"]["userErrors"][0]["field"],
        json!(["input", "target"])
    );
    assert_eq!(goals["data"]["goals"], json!([]));
}
