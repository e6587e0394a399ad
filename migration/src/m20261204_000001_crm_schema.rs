//! The CRM data model of DESIGN.md section 2: tenancy and identity, the customer
//! records, the pipeline, every touchpoint, and the domain-event outbox.

use sea_orm_migration::{prelude::*, schema::*};

use crate::columns::{index, mutable, optional_ref, required_ref, table, tenant_table, timestamps};

/// Creates every table of the initial CRM schema with its keys and indexes.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables in creation order: each only references tables before it.
const TABLES: &[&str] = &[
    "workspace",
    "team",
    "app_user",
    "api_token",
    "refresh_session",
    "organization",
    "contact",
    "campaign",
    "pipeline",
    "stage",
    "deal",
    "lead",
    "deal_stage_change",
    "activity",
    "interaction",
    "tracked_event",
    "note",
    "ticket",
    "tag",
    "tagging",
    "custom_field",
    "goal",
    "domain_event",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for statement in tables() {
            manager.create_table(statement).await?;
        }
        for statement in indexes() {
            manager.create_index(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in TABLES.iter().rev() {
            manager
                .drop_table(Table::drop().table(*name).if_exists().take())
                .await?;
        }
        Ok(())
    }
}

fn tables() -> Vec<TableCreateStatement> {
    let mut workspace = table("workspace");
    workspace
        .col(string("name"))
        .col(string_uniq("slug"))
        .col(char_len("default_currency", 3))
        .col(string("time_zone"));
    mutable(&mut workspace);

    let mut team = tenant_table("team");
    team.col(string("name"));
    mutable(&mut team);

    // `user` is reserved in PostgreSQL.
    let mut user = tenant_table("app_user");
    optional_ref(&mut user, "app_user", "team_id", "team");
    user.col(string_uniq("email"))
        .col(string("name"))
        .col(string("password_hash"))
        .col(string_len("role", 16))
        .col(boolean("active").default(true))
        .col(timestamp_with_time_zone_null("last_login_at"));
    mutable(&mut user);

    let mut api_token = tenant_table("api_token");
    api_token
        .col(string("name"))
        .col(string_uniq("prefix"))
        .col(string_uniq("token_hash"))
        .col(json_binary("scopes"))
        .col(timestamp_with_time_zone_null("expires_at"))
        .col(timestamp_with_time_zone_null("last_used_at"))
        .col(timestamp_with_time_zone_null("revoked_at"))
        .col(timestamp_with_time_zone("created_at"));
    optional_ref(&mut api_token, "api_token", "created_by", "app_user");

    let mut refresh_session = tenant_table("refresh_session");
    required_ref(
        &mut refresh_session,
        "refresh_session",
        "user_id",
        "app_user",
        true,
    );
    refresh_session
        .col(uuid("family_id"))
        .col(string_uniq("token_hash"))
        .col(timestamp_with_time_zone("expires_at"))
        .col(timestamp_with_time_zone_null("rotated_at"))
        .col(timestamp_with_time_zone_null("revoked_at"))
        .col(timestamp_with_time_zone("created_at"));

    let mut organization = tenant_table("organization");
    organization
        .col(string("name"))
        .col(string_null("domain"))
        .col(string_null("industry"))
        .col(integer_null("employee_count"))
        .col(json_binary_null("address"))
        .col(json_binary("custom_fields"))
        .col(timestamp_with_time_zone_null("last_contacted_at"));
    optional_ref(&mut organization, "organization", "owner_id", "app_user");
    mutable(&mut organization);

    let mut contact = tenant_table("contact");
    contact
        .col(string("first_name"))
        .col(string("last_name"))
        .col(string_null("email"))
        .col(json_binary("emails"))
        .col(json_binary("phones"))
        .col(string_null("title"))
        .col(string_len("lifecycle_stage", 16))
        .col(string_null("source"))
        .col(integer("score").default(0))
        .col(json_binary("custom_fields"))
        .col(timestamp_with_time_zone_null("last_contacted_at"));
    optional_ref(&mut contact, "contact", "organization_id", "organization");
    optional_ref(&mut contact, "contact", "owner_id", "app_user");
    mutable(&mut contact);

    let mut campaign = tenant_table("campaign");
    campaign
        .col(string("name"))
        .col(string_len("channel", 16))
        .col(big_integer_null("budget_amount"))
        .col(char_len("currency", 3))
        .col(date_null("starts_on"))
        .col(date_null("ends_on"));
    mutable(&mut campaign);

    let mut pipeline = tenant_table("pipeline");
    pipeline.col(string("name")).col(integer("position"));
    mutable(&mut pipeline);

    let mut stage = tenant_table("stage");
    required_ref(&mut stage, "stage", "pipeline_id", "pipeline", true);
    stage
        .col(string("name"))
        .col(integer("position"))
        .col(small_integer("probability"))
        .col(integer_null("rotting_days"));
    mutable(&mut stage);

    let mut deal = tenant_table("deal");
    deal.col(string("title"))
        .col(big_integer("value_amount"))
        .col(char_len("currency", 3))
        .col(big_integer("position"))
        .col(string_len("status", 8))
        .col(string_null("lost_reason"))
        .col(date_null("expected_close_date"))
        .col(string_null("source"))
        .col(timestamp_with_time_zone("stage_entered_at"))
        .col(timestamp_with_time_zone_null("closed_at"));
    required_ref(&mut deal, "deal", "pipeline_id", "pipeline", false);
    required_ref(&mut deal, "deal", "stage_id", "stage", false);
    optional_ref(&mut deal, "deal", "owner_id", "app_user");
    optional_ref(&mut deal, "deal", "contact_id", "contact");
    optional_ref(&mut deal, "deal", "organization_id", "organization");
    optional_ref(&mut deal, "deal", "campaign_id", "campaign");
    mutable(&mut deal);

    let mut lead = tenant_table("lead");
    lead.col(string("title"))
        .col(string_null("source"))
        .col(string_len_null("channel", 16))
        .col(string_len("status", 16));
    optional_ref(&mut lead, "lead", "contact_id", "contact");
    optional_ref(&mut lead, "lead", "organization_id", "organization");
    optional_ref(&mut lead, "lead", "campaign_id", "campaign");
    optional_ref(&mut lead, "lead", "owner_id", "app_user");
    optional_ref(&mut lead, "lead", "converted_deal_id", "deal");
    mutable(&mut lead);

    let mut stage_change = tenant_table("deal_stage_change");
    required_ref(
        &mut stage_change,
        "deal_stage_change",
        "deal_id",
        "deal",
        true,
    );
    required_ref(
        &mut stage_change,
        "deal_stage_change",
        "pipeline_id",
        "pipeline",
        true,
    );
    optional_ref(
        &mut stage_change,
        "deal_stage_change",
        "from_stage_id",
        "stage",
    );
    required_ref(
        &mut stage_change,
        "deal_stage_change",
        "to_stage_id",
        "stage",
        true,
    );
    optional_ref(
        &mut stage_change,
        "deal_stage_change",
        "changed_by",
        "app_user",
    );
    stage_change.col(timestamp_with_time_zone("changed_at"));

    let mut activity = tenant_table("activity");
    activity
        .col(string_len("kind", 16))
        .col(string("subject"))
        .col(text_null("note"))
        .col(timestamp_with_time_zone_null("due_at"))
        .col(integer_null("duration_minutes"))
        .col(timestamp_with_time_zone_null("done_at"));
    optional_ref(&mut activity, "activity", "owner_id", "app_user");
    optional_ref(&mut activity, "activity", "deal_id", "deal");
    optional_ref(&mut activity, "activity", "contact_id", "contact");
    optional_ref(&mut activity, "activity", "organization_id", "organization");
    mutable(&mut activity);

    let mut interaction = tenant_table("interaction");
    interaction
        .col(string_len("channel", 16))
        .col(string_len("direction", 8))
        .col(timestamp_with_time_zone("occurred_at"))
        .col(text("summary"))
        .col(json_binary("properties"))
        .col(timestamp_with_time_zone("created_at"));
    optional_ref(&mut interaction, "interaction", "contact_id", "contact");
    optional_ref(
        &mut interaction,
        "interaction",
        "organization_id",
        "organization",
    );
    optional_ref(&mut interaction, "interaction", "deal_id", "deal");
    optional_ref(&mut interaction, "interaction", "campaign_id", "campaign");
    optional_ref(&mut interaction, "interaction", "user_id", "app_user");

    let mut tracked_event = tenant_table("tracked_event");
    tracked_event
        .col(string("name"))
        .col(timestamp_with_time_zone("occurred_at"))
        .col(json_binary("properties"))
        .col(timestamp_with_time_zone("created_at"));
    optional_ref(&mut tracked_event, "tracked_event", "contact_id", "contact");

    let mut note = tenant_table("note");
    note.col(text("body"));
    optional_ref(&mut note, "note", "author_id", "app_user");
    optional_ref(&mut note, "note", "contact_id", "contact");
    optional_ref(&mut note, "note", "organization_id", "organization");
    optional_ref(&mut note, "note", "deal_id", "deal");
    optional_ref(&mut note, "note", "lead_id", "lead");
    mutable(&mut note);

    let mut ticket = tenant_table("ticket");
    ticket
        .col(string("subject"))
        .col(text_null("description"))
        .col(string_len("status", 16))
        .col(string_len("priority", 16))
        .col(string_len("channel", 16))
        .col(timestamp_with_time_zone_null("sla_due_at"))
        .col(timestamp_with_time_zone_null("resolved_at"));
    optional_ref(&mut ticket, "ticket", "contact_id", "contact");
    optional_ref(&mut ticket, "ticket", "organization_id", "organization");
    optional_ref(&mut ticket, "ticket", "assignee_id", "app_user");
    mutable(&mut ticket);

    let mut tag = tenant_table("tag");
    tag.col(string("name")).col(string_null("color"));
    timestamps(&mut tag);

    let mut tagging = tenant_table("tagging");
    required_ref(&mut tagging, "tagging", "tag_id", "tag", true);
    tagging
        .col(string_len("entity_type", 16))
        .col(uuid("entity_id"))
        .col(timestamp_with_time_zone("created_at"));

    let mut custom_field = tenant_table("custom_field");
    custom_field
        .col(string_len("entity_type", 16))
        .col(string("key"))
        .col(string("label"))
        .col(string_len("field_type", 16))
        .col(json_binary("options"))
        .col(integer("position"));
    mutable(&mut custom_field);

    let mut goal = tenant_table("goal");
    goal.col(string("name"))
        .col(string_len("metric", 24))
        .col(date("period_start"))
        .col(date("period_end"))
        .col(big_integer("target"))
        .col(char_len_null("currency", 3));
    optional_ref(&mut goal, "goal", "user_id", "app_user");
    optional_ref(&mut goal, "goal", "team_id", "team");
    optional_ref(&mut goal, "goal", "pipeline_id", "pipeline");
    mutable(&mut goal);

    // The transactional outbox. `seq` stays NULL until the sequencer assigns
    // the workspace's next number after commit (DESIGN.md section 1).
    let mut domain_event = tenant_table("domain_event");
    domain_event
        .col(big_integer_null("seq"))
        .col(string("event_type"))
        .col(string_len("entity_type", 24))
        .col(uuid("entity_id"))
        .col(string_len("actor_kind", 16))
        .col(uuid_null("actor_id"))
        .col(json_binary("payload"))
        .col(timestamp_with_time_zone("occurred_at"));

    vec![
        workspace,
        team,
        user,
        api_token,
        refresh_session,
        organization,
        contact,
        campaign,
        pipeline,
        stage,
        deal,
        lead,
        stage_change,
        activity,
        interaction,
        tracked_event,
        note,
        ticket,
        tag,
        tagging,
        custom_field,
        goal,
        domain_event,
    ]
}

/// The access-path indexes; `workspace_id` leads every one of them.
fn indexes() -> Vec<IndexCreateStatement> {
    const WS: &str = "workspace_id";
    let unique = [
        ("team", &[WS, "name"][..]),
        ("tag", &[WS, "name"]),
        ("tagging", &[WS, "tag_id", "entity_type", "entity_id"]),
        ("custom_field", &[WS, "entity_type", "key"]),
        ("domain_event", &[WS, "seq"]),
    ];
    let plain = [
        ("app_user", &[WS, "team_id"][..]),
        ("api_token", &[WS, "created_at"]),
        ("refresh_session", &[WS, "user_id"]),
        ("refresh_session", &[WS, "family_id"]),
        ("organization", &[WS, "name"]),
        ("organization", &[WS, "domain"]),
        ("organization", &[WS, "owner_id"]),
        ("contact", &[WS, "email"]),
        ("contact", &[WS, "last_name", "first_name"]),
        ("contact", &[WS, "organization_id"]),
        ("contact", &[WS, "owner_id"]),
        ("contact", &[WS, "lifecycle_stage"]),
        ("campaign", &[WS, "channel"]),
        ("pipeline", &[WS, "position"]),
        ("stage", &[WS, "pipeline_id", "position"]),
        ("deal", &[WS, "pipeline_id", "stage_id", "status"]),
        ("deal", &[WS, "owner_id", "status"]),
        ("deal", &[WS, "contact_id"]),
        ("deal", &[WS, "organization_id"]),
        ("deal", &[WS, "status", "closed_at"]),
        ("lead", &[WS, "status", "created_at"]),
        ("lead", &[WS, "contact_id"]),
        ("deal_stage_change", &[WS, "deal_id", "changed_at"]),
        ("deal_stage_change", &[WS, "pipeline_id", "changed_at"]),
        ("activity", &[WS, "owner_id", "due_at"]),
        ("activity", &[WS, "contact_id", "due_at"]),
        ("activity", &[WS, "organization_id", "due_at"]),
        ("activity", &[WS, "deal_id", "due_at"]),
        ("interaction", &[WS, "contact_id", "occurred_at"]),
        ("interaction", &[WS, "organization_id", "occurred_at"]),
        ("interaction", &[WS, "channel", "occurred_at"]),
        ("tracked_event", &[WS, "contact_id", "occurred_at"]),
        ("tracked_event", &[WS, "name", "occurred_at"]),
        ("note", &[WS, "contact_id", "created_at"]),
        ("note", &[WS, "organization_id", "created_at"]),
        ("note", &[WS, "deal_id", "created_at"]),
        ("ticket", &[WS, "contact_id", "created_at"]),
        ("ticket", &[WS, "organization_id", "created_at"]),
        ("ticket", &[WS, "assignee_id", "status"]),
        ("tagging", &[WS, "entity_type", "entity_id"]),
        ("goal", &[WS, "period_start"]),
        ("domain_event", &[WS, "entity_type", "entity_id"]),
        ("domain_event", &[WS, "occurred_at"]),
    ];
    unique
        .into_iter()
        .map(|(t, cols)| index(t, cols, true))
        .chain(plain.into_iter().map(|(t, cols)| index(t, cols, false)))
        .collect()
}
