//! The analytics namespace on a small hand-made dataset whose every figure
//! is computed by hand below; the same assertions run on SQLite and on
//! PostgreSQL.
//!
//! Pipeline "Sales" (from `with_pipeline`): Lead In 10 % (rots after 14
//! days), Proposal 50 % (14 days), Negotiation 80 %. All money in EUR, the
//! workspace's currency; time zone UTC.
//!
//! | deal | contact | created | path (stage entered) | end |
//! |---|---|---|---|---|
//! | D1 1,000.00 | C1 | 01-01 | LeadIn 01-01, Proposal 01-03, Negotiation 01-07 | won 01-11 |
//! | D2 3,000.00 | C2 | 01-01 | LeadIn 01-01, Proposal 01-11, Negotiation 01-15 | won 01-21 |
//! | D3 500.00 | C3 | 01-05 | LeadIn 01-05, Proposal 01-07 | lost 01-15 |
//! | D4 200.00 | – | 02-01 | LeadIn 02-01 | open, closes 2026-03-15 |
//! | D5 400.00 | – | 02-01 | LeadIn 02-01, Proposal 02-03 | open, closes 2026-03-20 |
//!
//! All deals are the member's; dates are 2026, UTC midnight.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use entity::enums::{
    ActivityKind, Channel, DealStatus, Direction, GoalMetric, LeadStatus, LifecycleStage,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    crm::with_pipeline,
    helpers::{TestApp, spawn_app},
};

fn at(month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, hour, 0, 0)
        .single()
        .expect("a valid date")
}

fn raw(global: &Value) -> Uuid {
    let id = global.as_str().expect("a global id");
    Uuid::parse_str(id.split_once('_').expect("a prefix").1).expect("a uuid")
}

struct Dataset {
    member: Uuid,
    owner: Uuid,
    pipeline: String,
    contacts: Vec<Uuid>,
}

async fn contact(db: &DatabaseConnection, ws: Uuid, name: &str) -> Uuid {
    let id = Uuid::now_v7();
    entity::contact::ActiveModel {
        id: Set(id),
        workspace_id: Set(ws),
        first_name: Set(name.to_owned()),
        last_name: Set("Test".to_owned()),
        emails: Set(json!([])),
        phones: Set(json!([])),
        lifecycle_stage: Set(LifecycleStage::Lead),
        score: Set(0),
        custom_fields: Set(json!({})),
        created_at: Set(at(1, 1, 0)),
        updated_at: Set(at(1, 1, 0)),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert a contact");
    id
}

struct DealRow<'a> {
    minor: i64,
    contact: Option<Uuid>,
    created: DateTime<Utc>,
    path: &'a [(usize, DateTime<Utc>)],
    status: DealStatus,
    closed: Option<DateTime<Utc>>,
    expected_close: Option<NaiveDate>,
}

async fn deal(
    db: &DatabaseConnection,
    ws: Uuid,
    data: &Dataset,
    stages: &[Uuid],
    pipeline: Uuid,
    row: DealRow<'_>,
) {
    let id = Uuid::now_v7();
    let (last_stage, entered) = *row.path.last().expect("a path");
    entity::deal::ActiveModel {
        id: Set(id),
        workspace_id: Set(ws),
        title: Set(format!("Deal {}", row.minor)),
        value_amount: Set(row.minor),
        currency: Set("EUR".to_owned()),
        position: Set(1024),
        status: Set(row.status),
        stage_entered_at: Set(entered),
        closed_at: Set(row.closed),
        expected_close_date: Set(row.expected_close),
        pipeline_id: Set(pipeline),
        stage_id: Set(stages[last_stage]),
        owner_id: Set(Some(data.member)),
        contact_id: Set(row.contact),
        custom_fields: Set(json!({})),
        created_at: Set(row.created),
        updated_at: Set(row.created),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert a deal");
    let mut from = None;
    for (stage, when) in row.path {
        entity::deal_stage_change::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(ws),
            deal_id: Set(id),
            pipeline_id: Set(pipeline),
            from_stage_id: Set(from),
            to_stage_id: Set(stages[*stage]),
            changed_by: Set(None),
            changed_at: Set(*when),
        }
        .insert(db)
        .await
        .expect("insert a stage change");
        from = Some(stages[*stage]);
    }
}

async fn interaction(
    db: &DatabaseConnection,
    ws: Uuid,
    contact: Uuid,
    channel: Channel,
    when: DateTime<Utc>,
) {
    entity::interaction::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(ws),
        channel: Set(channel),
        direction: Set(Direction::Inbound),
        occurred_at: Set(when),
        summary: Set("touch".to_owned()),
        properties: Set(json!({})),
        created_at: Set(when),
        contact_id: Set(Some(contact)),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert an interaction");
}

async fn event(db: &DatabaseConnection, ws: Uuid, contact: Uuid, name: &str, when: DateTime<Utc>) {
    entity::tracked_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(ws),
        name: Set(name.to_owned()),
        occurred_at: Set(when),
        properties: Set(json!({})),
        created_at: Set(when),
        contact_id: Set(Some(contact)),
    }
    .insert(db)
    .await
    .expect("insert a tracked event");
}

async fn activity(
    db: &DatabaseConnection,
    ws: Uuid,
    owner: Uuid,
    kind: ActivityKind,
    due: DateTime<Utc>,
    done: Option<DateTime<Utc>>,
) {
    entity::activity::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(ws),
        kind: Set(kind),
        subject: Set("work".to_owned()),
        due_at: Set(Some(due)),
        done_at: Set(done),
        owner_id: Set(Some(owner)),
        created_at: Set(at(1, 1, 0)),
        updated_at: Set(at(1, 1, 0)),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert an activity");
}

async fn goal(
    db: &DatabaseConnection,
    ws: Uuid,
    metric: GoalMetric,
    start: (u32, u32),
    end: (u32, u32),
    target: i64,
    user: Option<Uuid>,
) {
    let date = |(m, d): (u32, u32)| NaiveDate::from_ymd_opt(2026, m, d).expect("a date");
    entity::goal::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(ws),
        name: Set(format!("{metric:?}")),
        metric: Set(metric),
        period_start: Set(date(start)),
        period_end: Set(date(end)),
        target: Set(target),
        currency: Set(matches!(metric, GoalMetric::WonValue).then(|| "EUR".to_owned())),
        user_id: Set(user),
        created_at: Set(at(1, 1, 0)),
        updated_at: Set(at(1, 1, 0)),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert a goal");
}

async fn dataset(app: &TestApp) -> (crate::helpers::TestWorkspace, Dataset) {
    let (acme, pipelines) = with_pipeline(app, "acme").await;
    let db = &app.db;
    let ws = entity::workspace::Entity::find_by_slug("acme")
        .one(db)
        .await
        .expect("query")
        .expect("the workspace")
        .id;
    let stages: Vec<Uuid> = (0..3)
        .map(|s| raw(&pipelines[0]["stages"][s]["id"]))
        .collect();
    let pipeline = raw(&pipelines[0]["id"]);
    let mut data = Dataset {
        member: raw(&json!(acme.user_ids["member"])),
        owner: raw(&json!(acme.user_ids["owner"])),
        pipeline: pipelines[0]["id"].as_str().unwrap().to_owned(),
        contacts: Vec::new(),
    };
    for name in ["C1", "C2", "C3", "C4"] {
        data.contacts.push(contact(db, ws, name).await);
    }
    let c = data.contacts.clone();
    let rows = [
        DealRow {
            minor: 100_000,
            contact: Some(c[0]),
            created: at(1, 1, 0),
            path: &[(0, at(1, 1, 0)), (1, at(1, 3, 0)), (2, at(1, 7, 0))],
            status: DealStatus::Won,
            closed: Some(at(1, 11, 0)),
            expected_close: None,
        },
        DealRow {
            minor: 300_000,
            contact: Some(c[1]),
            created: at(1, 1, 0),
            path: &[(0, at(1, 1, 0)), (1, at(1, 11, 0)), (2, at(1, 15, 0))],
            status: DealStatus::Won,
            closed: Some(at(1, 21, 0)),
            expected_close: None,
        },
        DealRow {
            minor: 50_000,
            contact: Some(c[2]),
            created: at(1, 5, 0),
            path: &[(0, at(1, 5, 0)), (1, at(1, 7, 0))],
            status: DealStatus::Lost,
            closed: Some(at(1, 15, 0)),
            expected_close: None,
        },
        DealRow {
            minor: 20_000,
            contact: None,
            created: at(2, 1, 0),
            path: &[(0, at(2, 1, 0))],
            status: DealStatus::Open,
            closed: None,
            expected_close: NaiveDate::from_ymd_opt(2026, 3, 15),
        },
        DealRow {
            minor: 40_000,
            contact: None,
            created: at(2, 1, 0),
            path: &[(0, at(2, 1, 0)), (1, at(2, 3, 0))],
            status: DealStatus::Open,
            closed: None,
            expected_close: NaiveDate::from_ymd_opt(2026, 3, 20),
        },
    ];
    for row in rows {
        deal(db, ws, &data, &stages, pipeline, row).await;
    }
    // Touches: C1 e-mail then phone before D1; C2 chat before D2; C3 e-mail
    // before D3 and phone after it.
    interaction(
        db,
        ws,
        c[0],
        Channel::Email,
        Utc.with_ymd_and_hms(2025, 12, 20, 0, 0, 0).unwrap(),
    )
    .await;
    interaction(
        db,
        ws,
        c[0],
        Channel::Phone,
        Utc.with_ymd_and_hms(2025, 12, 28, 0, 0, 0).unwrap(),
    )
    .await;
    interaction(
        db,
        ws,
        c[1],
        Channel::Chat,
        Utc.with_ymd_and_hms(2025, 12, 15, 0, 0, 0).unwrap(),
    )
    .await;
    interaction(db, ws, c[2], Channel::Email, at(1, 2, 0)).await;
    interaction(db, ws, c[2], Channel::Phone, at(1, 10, 0)).await;
    // Trial funnel: C1 all three steps, C2 two, C3 skips the setup, C4
    // only sets up.
    event(db, ws, c[0], "signup", at(1, 1, 0)).await;
    event(db, ws, c[0], "setup", at(1, 1, 2)).await;
    event(db, ws, c[0], "done", at(1, 2, 0)).await;
    event(db, ws, c[1], "signup", at(1, 1, 0)).await;
    event(db, ws, c[1], "setup", at(1, 1, 6)).await;
    event(db, ws, c[2], "signup", at(1, 1, 0)).await;
    event(db, ws, c[2], "done", at(1, 1, 1)).await;
    event(db, ws, c[3], "setup", at(1, 3, 0)).await;
    // Activities.
    let (member, owner) = (data.member, data.owner);
    activity(
        db,
        ws,
        member,
        ActivityKind::Call,
        at(1, 10, 0),
        Some(at(1, 10, 0)),
    )
    .await;
    activity(db, ws, member, ActivityKind::Call, at(1, 12, 0), None).await;
    activity(
        db,
        ws,
        member,
        ActivityKind::Email,
        at(1, 20, 0),
        Some(at(1, 19, 0)),
    )
    .await;
    activity(
        db,
        ws,
        owner,
        ActivityKind::Meeting,
        at(1, 5, 0),
        Some(at(1, 5, 0)),
    )
    .await;
    activity(
        db,
        ws,
        member,
        ActivityKind::Call,
        Utc.with_ymd_and_hms(2999, 1, 1, 0, 0, 0).unwrap(),
        None,
    )
    .await;
    // Goals.
    goal(db, ws, GoalMetric::WonValue, (3, 1), (3, 31), 500_000, None).await;
    goal(db, ws, GoalMetric::WonCount, (1, 1), (1, 31), 4, None).await;
    goal(
        db,
        ws,
        GoalMetric::WonValue,
        (1, 1),
        (1, 31),
        1_000_000,
        Some(member),
    )
    .await;
    // Leads.
    for channel in [Channel::Email, Channel::Website] {
        entity::lead::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(ws),
            title: Set("Lead".to_owned()),
            channel: Set(Some(channel)),
            status: Set(LeadStatus::New),
            custom_fields: Set(json!({})),
            created_at: Set(at(1, 2, 0)),
            updated_at: Set(at(1, 2, 0)),
            version: Set(1),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("insert a lead");
    }
    (acme, data)
}

async fn analytics(app: &TestApp, token: &str, selection: &str, variables: Value) -> Value {
    let mut declared = Vec::new();
    if selection.contains("$pipeline") {
        declared.push("$pipeline: ID!");
    }
    if selection.contains("$january") {
        declared.push("$january: AnalyticsFilter");
    }
    let header = if declared.is_empty() {
        String::new()
    } else {
        format!("({})", declared.join(", "))
    };
    let mut used = serde_json::Map::new();
    for name in ["pipeline", "january"] {
        if selection.contains(&format!("${name}")) {
            used.insert(name.to_owned(), variables[name].clone());
        }
    }
    let query = format!("query {header} {{ analytics {{ {selection} }} }}");
    let (_, body) = app.graphql_as(token, &query, Value::Object(used)).await;
    assert!(body["errors"].is_null(), "{selection}: {body}");
    body["data"]["analytics"].clone()
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-6)
}

#[tokio::test]
async fn every_metric_matches_its_hand_computed_value() {
    let app = spawn_app().await;
    let (acme, data) = dataset(&app).await;
    let token = acme.token("viewer");
    let january = json!({ "from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z" });
    let vars = json!({ "pipeline": data.pipeline, "january": january });

    // Sales: D1 and D2 won, D3 lost in January.
    let sales = &analytics(&app, token, "sales(filter: $january) { wonDeals lostDeals wonValue { amount } winRate averageDealSize { amount } medianSalesCycleDays meanSalesCycleDays openDeals salesVelocityPerDay }", vars.clone()).await["sales"];
    assert_eq!(sales["wonDeals"], 2);
    assert_eq!(sales["lostDeals"], 1);
    assert_eq!(sales["wonValue"]["amount"], "4000.00");
    assert!(close(&sales["winRate"], 2.0 / 3.0), "{sales}");
    assert_eq!(sales["averageDealSize"]["amount"], "2000.00");
    assert!(close(&sales["medianSalesCycleDays"], 15.0), "{sales}");
    assert!(close(&sales["meanSalesCycleDays"], 15.0), "{sales}");
    assert_eq!(sales["openDeals"], 2);
    // 2 open × 2/3 × 200,000 minor ÷ 15 days.
    assert!(
        close(
            &sales["salesVelocityPerDay"],
            2.0 * (2.0 / 3.0) * 200_000.0 / 15.0
        ),
        "{sales}"
    );

    // Stage funnel.
    let funnel = analytics(&app, token, "stageFunnel(pipelineId: $pipeline) { stage { name } entered advanced dropped won conversionToNext conversionToWon medianDaysInStage }", vars.clone()).await["stageFunnel"].clone();
    let expected = [
        ("Lead In", 5, 4, 0, 2, 0.8, 0.4, Some(2.0)),
        ("Proposal", 4, 2, 1, 2, 0.5, 0.5, Some(4.0)),
        ("Negotiation", 2, 2, 0, 2, 1.0, 1.0, None),
    ];
    for (row, (name, entered, advanced, dropped, won, next, to_won, median)) in
        funnel.as_array().unwrap().iter().zip(expected)
    {
        assert_eq!(row["stage"]["name"], name, "{funnel}");
        assert_eq!(
            (
                row["entered"].as_i64(),
                row["advanced"].as_i64(),
                row["dropped"].as_i64(),
                row["won"].as_i64()
            ),
            (Some(entered), Some(advanced), Some(dropped), Some(won)),
            "{name}: {row}"
        );
        assert!(
            close(&row["conversionToNext"], next) && close(&row["conversionToWon"], to_won),
            "{name}: {row}"
        );
        match median {
            Some(days) => assert!(close(&row["medianDaysInStage"], days), "{name}: {row}"),
            None => assert!(row["medianDaysInStage"].is_null(), "{name}: {row}"),
        }
    }

    // Pipeline summary: D4 in Lead In, D5 in Proposal, both rotting.
    let summary = analytics(&app, token, "pipelineSummary(pipelineId: $pipeline) { stage { name } dealCount value { amount } weightedValue { amount } rottingCount averageAgeDays }", vars.clone()).await["pipelineSummary"].clone();
    assert_eq!(summary[0]["dealCount"], 1);
    assert_eq!(summary[0]["value"], json!([{ "amount": "200.00" }]));
    assert_eq!(summary[0]["weightedValue"], json!([{ "amount": "20.00" }]));
    assert_eq!(summary[0]["rottingCount"], 1);
    assert_eq!(summary[1]["weightedValue"], json!([{ "amount": "200.00" }]));
    assert_eq!(summary[1]["rottingCount"], 1);
    assert_eq!(summary[2]["dealCount"], 0);
    assert!(summary[2]["averageAgeDays"].is_null());

    // Revenue by month, empty months filled.
    let series = analytics(&app, token, "revenueSeries(interval: MONTH, filter: { from: \"2026-01-01T00:00:00Z\", to: \"2026-03-31T00:00:00Z\" }) { start deals value { amount } }", vars.clone()).await["revenueSeries"].clone();
    assert_eq!(
        series,
        json!([
            { "start": "2026-01-01", "deals": 2, "value": { "amount": "4000.00" } },
            { "start": "2026-02-01", "deals": 0, "value": { "amount": "0.00" } },
            { "start": "2026-03-01", "deals": 0, "value": { "amount": "0.00" } },
        ])
    );
    let weekly = analytics(&app, token, "revenueSeries(interval: WEEK, filter: { from: \"2026-01-05T00:00:00Z\", to: \"2026-01-25T00:00:00Z\" }) { start deals }", vars.clone()).await["revenueSeries"].clone();
    // Weeks from Monday: D1 (Sun 01-11) in the week of 01-05, D2 (Wed 01-21) in the week of 01-19.
    assert_eq!(
        weekly,
        json!([
            { "start": "2026-01-05", "deals": 1 }, { "start": "2026-01-12", "deals": 0 }, { "start": "2026-01-19", "deals": 1 },
        ])
    );

    // Forecast for March and April: D4 and D5 close in March.
    let forecast = analytics(&app, token, "forecast(filter: { from: \"2026-03-01T00:00:00Z\", to: \"2026-04-30T00:00:00Z\" }) { month openDeals pipeline { amount } weighted { amount } calibrated { amount } won { amount } goal { amount } }", vars.clone()).await["forecast"].clone();
    assert_eq!(
        forecast[0],
        json!({ "month": "2026-03", "openDeals": 2, "pipeline": { "amount": "600.00" },
        "weighted": { "amount": "220.00" }, "calibrated": { "amount": "400.00" }, "won": { "amount": "0.00" }, "goal": { "amount": "5000.00" } })
    );
    assert_eq!(forecast[1]["openDeals"], 0);
    assert!(forecast[1]["goal"].is_null());

    // Activities per owner and kind.
    let stats = analytics(
        &app,
        token,
        "activityStats { ownerId kind scheduled done overdue }",
        vars.clone(),
    )
    .await["activityStats"]
        .clone();
    let row = |owner: &str, kind: &str| {
        stats
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ownerId"] == owner && r["kind"] == kind)
            .cloned()
            .unwrap_or_else(|| panic!("{owner} {kind}: {stats}"))
    };
    let (member, owner) = (
        acme.user_ids["member"].as_str(),
        acme.user_ids["owner"].as_str(),
    );
    assert_eq!(
        row(member, "call"),
        json!({ "ownerId": member, "kind": "call", "scheduled": 3, "done": 1, "overdue": 1 })
    );
    assert_eq!(row(member, "email")["done"], 1);
    assert_eq!(row(owner, "meeting")["scheduled"], 1);
    assert_eq!(stats.as_array().unwrap().len(), 3);

    // Channels with first- and last-touch attribution.
    let channels = analytics(&app, token, "channelPerformance { channel interactions leads firstTouchDeals firstTouchWonValue { amount } lastTouchDeals lastTouchWonValue { amount } }", vars.clone()).await["channelPerformance"].clone();
    let channel = |name: &str| {
        channels
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["channel"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name}: {channels}"))
    };
    assert_eq!(
        channel("email"),
        json!({ "channel": "email", "interactions": 2, "leads": 1, "firstTouchDeals": 2,
        "firstTouchWonValue": { "amount": "1000.00" }, "lastTouchDeals": 1, "lastTouchWonValue": { "amount": "0.00" } })
    );
    assert_eq!(channel("phone")["lastTouchDeals"], 1);
    assert_eq!(channel("phone")["lastTouchWonValue"]["amount"], "1000.00");
    assert_eq!(channel("phone")["firstTouchDeals"], 0);
    assert_eq!(channel("chat")["firstTouchWonValue"]["amount"], "3000.00");
    assert_eq!(channel("chat")["lastTouchWonValue"]["amount"], "3000.00");
    assert_eq!(channel("website")["leads"], 1);
    assert_eq!(channel("website")["interactions"], 0);

    // Event funnel: 3 → 2 → 1 within 48 hours; 1 → 0 within 3 hours.
    let steps = analytics(&app, token, "eventFunnel(steps: [\"signup\", \"setup\", \"done\"], windowHours: 48) { name reached conversionFromPrevious conversionFromStart medianHoursFromPrevious }", vars.clone()).await["eventFunnel"].clone();
    assert_eq!(steps[0]["reached"], 3);
    assert!(
        steps[0]["conversionFromPrevious"].is_null()
            && steps[0]["medianHoursFromPrevious"].is_null()
    );
    assert_eq!(steps[1]["reached"], 2);
    assert!(
        close(&steps[1]["conversionFromPrevious"], 2.0 / 3.0)
            && close(&steps[1]["medianHoursFromPrevious"], 4.0),
        "{steps}"
    );
    assert_eq!(steps[2]["reached"], 1);
    assert!(
        close(&steps[2]["conversionFromPrevious"], 0.5)
            && close(&steps[2]["conversionFromStart"], 1.0 / 3.0),
        "{steps}"
    );
    assert!(close(&steps[2]["medianHoursFromPrevious"], 22.0), "{steps}");
    let short = analytics(
        &app,
        token,
        "eventFunnel(steps: [\"signup\", \"setup\", \"done\"], windowHours: 3) { reached }",
        vars.clone(),
    )
    .await["eventFunnel"]
        .clone();
    assert_eq!(
        short,
        json!([{ "reached": 3 }, { "reached": 1 }, { "reached": 0 }])
    );

    // Cohorts: C1 and C2 first seen in December (active again in January),
    // C3 and C4 in January.
    let cohorts = analytics(
        &app,
        token,
        "cohortRetention(months: 3) { month size retention }",
        vars.clone(),
    )
    .await["cohortRetention"]
        .clone();
    assert_eq!(
        cohorts,
        json!([
            { "month": "2025-12", "size": 2, "retention": [1.0, 1.0, 0.0] },
            { "month": "2026-01", "size": 2, "retention": [1.0, 0.0, 0.0] },
        ])
    );

    // RFM: two customers with one win each, both in the lowest recency
    // quintiles of two: hibernating.
    let segments = analytics(
        &app,
        token,
        "rfmSegments { name contacts value { amount } }",
        vars.clone(),
    )
    .await["rfmSegments"]
        .clone();
    let hibernating = segments
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "hibernating")
        .unwrap();
    assert_eq!(hibernating["contacts"], 2);
    assert_eq!(hibernating["value"]["amount"], "4000.00");
    assert_eq!(
        segments
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["contacts"].as_i64().unwrap())
            .sum::<i64>(),
        2
    );

    // Leaderboard in January: the member first.
    let board = analytics(
        &app,
        token,
        "leaderboard(filter: $january) { ownerId wonValue { amount } wonDeals activitiesDone }",
        vars.clone(),
    )
    .await["leaderboard"]
        .clone();
    assert_eq!(
        board,
        json!([
            { "ownerId": member, "wonValue": { "amount": "4000.00" }, "wonDeals": 2, "activitiesDone": 2 },
            { "ownerId": owner, "wonValue": { "amount": "0.00" }, "wonDeals": 0, "activitiesDone": 1 },
        ])
    );

    // Goals: March won value (nothing yet), January won count (2 of 4),
    // the member's January won value (4,000 of 10,000).
    let goals = analytics(
        &app,
        token,
        "goalProgress { goal { metric } actual share }",
        vars.clone(),
    )
    .await["goalProgress"]
        .clone();
    let actuals: Vec<(i64, f64)> = goals
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["actual"].as_i64().unwrap(), g["share"].as_f64().unwrap()))
        .collect();
    assert_eq!(actuals.len(), 3, "{goals}");
    assert!(
        actuals.contains(&(2, 0.5))
            && actuals.contains(&(400_000, 0.4))
            && actuals.contains(&(0, 0.0)),
        "{goals}"
    );

    // Filters: the owner's deals only → nothing won.
    let owners = analytics(
        &app,
        token,
        &format!("sales(filter: {{ ownerId: \"{owner}\" }}) {{ wonDeals openDeals }}"),
        vars.clone(),
    )
    .await["sales"]
        .clone();
    assert_eq!(owners, json!({ "wonDeals": 0, "openDeals": 0 }));
}

#[tokio::test]
async fn analytics_needs_its_scope_and_stays_in_the_workspace() {
    let app = spawn_app().await;
    let (acme, data) = dataset(&app).await;
    let (contacts_only, _) = app.api_token(&acme, &["contacts:read"]).await;
    assert_eq!(
        error_code(
            &app,
            &contacts_only,
            "{ analytics { sales { wonDeals } } }",
            json!({})
        )
        .await,
        "FORBIDDEN"
    );
    let (reader, _) = app.api_token(&acme, &["analytics:read"]).await;
    let (_, body) = app
        .graphql_as(&reader, "{ analytics { sales { wonDeals } } }", json!({}))
        .await;
    assert_eq!(body["data"]["analytics"]["sales"]["wonDeals"], 2, "{body}");

    // Another workspace sees none of Acme's figures, and not its pipeline.
    let globex = app.workspace("globex").await;
    let (_, body) = app.graphql_as(globex.token("owner"), "{ analytics { sales { wonDeals openDeals } eventFunnel(steps: [\"signup\"]) { reached } } }", json!({})).await;
    assert_eq!(
        body["data"]["analytics"]["sales"],
        json!({ "wonDeals": 0, "openDeals": 0 }),
        "{body}"
    );
    assert_eq!(body["data"]["analytics"]["eventFunnel"][0]["reached"], 0);
    assert_eq!(
        error_code(
            &app,
            globex.token("owner"),
            "query ($p: ID!) { analytics { stageFunnel(pipelineId: $p) { entered } } }",
            json!({ "p": data.pipeline })
        )
        .await,
        "NOT_FOUND"
    );

    // Bad input is the caller's to fix.
    assert_eq!(
        error_code(
            &app,
            acme.token("owner"),
            "{ analytics { sales(filter: { currency: \"XXQ\" }) { wonDeals } } }",
            json!({})
        )
        .await,
        "BAD_USER_INPUT"
    );
    assert_eq!(
        error_code(
            &app,
            acme.token("owner"),
            "{ analytics { eventFunnel(steps: []) { reached } } }",
            json!({})
        )
        .await,
        "BAD_USER_INPUT"
    );
}

/// The code of the first error `query` gets as `token` (the body on failure).
async fn error_code(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let (_, body) = app.graphql_as(token, query, variables).await;
    let code = body["errors"][0]["extensions"]["code"].clone();
    assert!(!code.is_null(), "expected an error: {body}");
    code
}
