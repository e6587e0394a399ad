//! Tickets, campaigns, custom-field definitions and goals.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::{id, maybe};
use crate::{
    domain::crm::{
        activities::{self, ActivityChanges},
        service::{self, CampaignChanges, NewCampaign, TicketFields},
        settings::{self, GoalChanges, NewCustomField, NewGoal},
        touchpoints,
    },
    graphql::{
        access::viewer,
        ids::Kind,
        payload::{UserError, user_errors},
        types::{
            api,
            scalars::{ActivityKind, Channel, Date, TicketPriority, TicketStatus},
            settings::{Campaign, CustomFieldDefinition, FieldType, Goal, GoalMetric, RecordType},
            touchpoints::{Activity, Note, Ticket},
        },
    },
};

/// Service and settings mutations.
#[derive(Default)]
pub struct ServiceMutation;

macro_rules! payload {
    ($name:ident, $field:ident, $ty:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(SimpleObject, Default)]
        pub struct $name {
            /// The record after the change; null when there are user errors.
            pub $field: Option<$ty>,
            /// Input problems; nothing was written when there are any.
            pub user_errors: Vec<UserError>,
        }

        impl $name {
            fn from<M>(result: Result<M, Vec<UserError>>, wrap: impl FnOnce(M) -> $ty) -> Self {
                match result {
                    Ok(value) => $name {
                        $field: Some(wrap(value)),
                        user_errors: Vec::new(),
                    },
                    Err(user_errors) => $name {
                        $field: None,
                        user_errors,
                    },
                }
            }
        }
    };
}

payload!(
    TicketPayload,
    ticket,
    Ticket,
    "Result of a ticket mutation."
);
payload!(
    CampaignPayload,
    campaign,
    Campaign,
    "Result of a campaign mutation."
);
payload!(
    CustomFieldPayload,
    custom_field,
    CustomFieldDefinition,
    "Result of a custom-field mutation."
);
payload!(GoalPayload, goal, Goal, "Result of `createGoal`.");
payload!(
    ActivityEditPayload,
    activity,
    Activity,
    "Result of an activity edit."
);
payload!(NoteEditPayload, note, Note, "Result of a note edit.");

/// Input of `updateActivity`; absent fields stay as they are, `null` clears.
#[derive(InputObject)]
pub struct UpdateActivityInput {
    /// The activity.
    pub id: ID,
    /// The version the change is based on.
    pub version: i32,
    /// Kind of work.
    pub kind: Option<ActivityKind>,
    /// Short description.
    pub subject: Option<String>,
    /// Details.
    pub note: MaybeUndefined<String>,
    /// When it is due.
    pub due_at: MaybeUndefined<DateTime<Utc>>,
    /// Planned length in minutes.
    pub duration_minutes: MaybeUndefined<i32>,
    /// Who does it.
    pub owner_id: MaybeUndefined<ID>,
}

/// Input of `updateGoal`; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateGoalInput {
    /// The goal.
    pub id: ID,
    /// The version the change is based on.
    pub version: i32,
    /// Display name.
    pub name: Option<String>,
    /// New target: a decimal amount for `WON_VALUE`, a whole number otherwise.
    pub target: Option<String>,
    /// First day.
    pub period_start: Option<Date>,
    /// Last day.
    pub period_end: Option<Date>,
}

/// Input of `updateNote`.
#[derive(InputObject)]
pub struct UpdateNoteInput {
    /// The note.
    pub id: ID,
    /// The version the change is based on.
    pub version: i32,
    /// The new text.
    pub body: String,
}

/// Input of `updateCampaign`; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateCampaignInput {
    /// The campaign.
    pub id: ID,
    /// The version the change is based on.
    pub version: i32,
    /// Display name.
    pub name: Option<String>,
    /// Budget as a decimal string in the campaign's currency; `null` clears it.
    pub budget: MaybeUndefined<String>,
    /// First day.
    pub starts_on: MaybeUndefined<Date>,
    /// Last day.
    pub ends_on: MaybeUndefined<Date>,
}

/// Input of `createTicket`.
#[derive(InputObject)]
pub struct CreateTicketInput {
    /// Short description.
    pub subject: String,
    /// Details.
    pub description: Option<String>,
    /// Urgency; `NORMAL` when absent.
    pub priority: Option<TicketPriority>,
    /// Where it was raised; `EMAIL` when absent.
    pub channel: Option<Channel>,
    /// Resolution deadline.
    pub sla_due_at: Option<DateTime<Utc>>,
    /// Customer contact.
    pub contact_id: Option<ID>,
    /// Customer organization.
    pub organization_id: Option<ID>,
    /// Who works on it; the caller when absent.
    pub assignee_id: Option<ID>,
    /// A retry with the same key returns the first result.
    pub idempotency_key: Option<String>,
}

/// Input of `updateTicket`.
#[derive(InputObject)]
pub struct UpdateTicketInput {
    /// The ticket.
    pub id: ID,
    /// The version the change is based on.
    pub version: i32,
    /// Short description.
    pub subject: Option<String>,
    /// Progress; `RESOLVED` and `CLOSED` set `resolvedAt`.
    pub status: Option<TicketStatus>,
    /// Urgency.
    pub priority: Option<TicketPriority>,
    /// Resolution deadline.
    pub sla_due_at: MaybeUndefined<DateTime<Utc>>,
    /// Who works on it.
    pub assignee_id: MaybeUndefined<ID>,
}

/// Names a record at a version.
#[derive(InputObject)]
pub struct RecordVersionInput {
    /// The record.
    pub id: ID,
    /// Its version.
    pub version: i32,
}

/// Input of `createCampaign`.
#[derive(InputObject)]
pub struct CreateCampaignInput {
    /// Display name.
    pub name: String,
    /// Main channel.
    pub channel: Channel,
    /// Budget as a decimal string.
    pub budget: Option<String>,
    /// ISO-4217 code of the budget; the workspace's when absent.
    pub currency: Option<String>,
    /// First day.
    pub starts_on: Option<Date>,
    /// Last day.
    pub ends_on: Option<Date>,
    /// A retry with the same key returns the first result.
    pub idempotency_key: Option<String>,
}

/// Input of `createCustomField`.
#[derive(InputObject)]
pub struct CreateCustomFieldInput {
    /// Record type it applies to.
    pub record_type: RecordType,
    /// Key in `customFields`: lower-case letters, digits, `_`.
    pub key: String,
    /// Display label.
    pub label: String,
    /// Value type.
    pub field_type: FieldType,
    /// Allowed values of an `ENUM` field.
    #[graphql(default)]
    pub options: Vec<String>,
}

/// Input naming one custom field.
#[derive(InputObject)]
pub struct CustomFieldIdInput {
    /// The definition.
    pub id: ID,
}

/// Input of `createGoal`.
#[derive(InputObject)]
pub struct CreateGoalInput {
    /// Display name.
    pub name: String,
    /// What is counted.
    pub metric: GoalMetric,
    /// First day.
    pub period_start: Date,
    /// Last day.
    pub period_end: Date,
    /// Target: a decimal amount for `WON_VALUE`, a whole number otherwise.
    pub target: String,
    /// Currency of a `WON_VALUE` target.
    pub currency: Option<String>,
    /// Whose goal.
    pub user_id: Option<ID>,
    /// Team goal.
    pub team_id: Option<ID>,
    /// Only this pipeline.
    pub pipeline_id: Option<ID>,
}

#[Object]
impl ServiceMutation {
    /// Opens a ticket.
    async fn create_ticket(
        &self,
        ctx: &Context<'_>,
        input: CreateTicketInput,
    ) -> async_graphql::Result<TicketPayload> {
        let fields = TicketFields {
            subject: Some(input.subject),
            description: input.description.map(Some),
            status: None,
            priority: input.priority.map(Into::into),
            channel: input.channel.map(Into::into),
            sla_due_at: input.sla_due_at.map(Some),
            contact_id: input.contact_id.map(|v| id(Kind::Contact, &v)),
            organization_id: input.organization_id.map(|v| id(Kind::Organization, &v)),
            assignee_id: input.assignee_id.map(|v| Some(id(Kind::User, &v))),
        };
        let result = service::create_ticket(
            &api(ctx)?.db,
            viewer(ctx)?,
            fields,
            input.idempotency_key.as_deref(),
        )
        .await;
        Ok(TicketPayload::from(user_errors(result)?, Ticket))
    }

    /// Updates a ticket at its version.
    async fn update_ticket(
        &self,
        ctx: &Context<'_>,
        input: UpdateTicketInput,
    ) -> async_graphql::Result<TicketPayload> {
        let fields = TicketFields {
            subject: input.subject,
            status: input.status.map(Into::into),
            priority: input.priority.map(Into::into),
            sla_due_at: match input.sla_due_at {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(at) => Some(Some(at)),
            },
            assignee_id: match input.assignee_id {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(v) => Some(Some(id(Kind::User, &v))),
            },
            ..TicketFields::default()
        };
        let result = service::update_ticket(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Ticket, &input.id),
            input.version,
            fields,
            None,
        )
        .await;
        Ok(TicketPayload::from(user_errors(result)?, Ticket))
    }

    /// Archives a ticket.
    async fn archive_ticket(
        &self,
        ctx: &Context<'_>,
        input: RecordVersionInput,
    ) -> async_graphql::Result<TicketPayload> {
        let result = service::update_ticket(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Ticket, &input.id),
            input.version,
            TicketFields::default(),
            Some(true),
        )
        .await;
        Ok(TicketPayload::from(user_errors(result)?, Ticket))
    }

    /// Restores an archived ticket.
    async fn restore_ticket(
        &self,
        ctx: &Context<'_>,
        input: RecordVersionInput,
    ) -> async_graphql::Result<TicketPayload> {
        let result = service::update_ticket(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Ticket, &input.id),
            input.version,
            TicketFields::default(),
            Some(false),
        )
        .await;
        Ok(TicketPayload::from(user_errors(result)?, Ticket))
    }

    /// Creates a campaign.
    async fn create_campaign(
        &self,
        ctx: &Context<'_>,
        input: CreateCampaignInput,
    ) -> async_graphql::Result<CampaignPayload> {
        let new = NewCampaign {
            name: input.name,
            channel: input.channel.into(),
            budget: input.budget,
            currency: input.currency,
            starts_on: input.starts_on.map(|d| d.0),
            ends_on: input.ends_on.map(|d| d.0),
        };
        let result = service::create_campaign(
            &api(ctx)?.db,
            viewer(ctx)?,
            new,
            input.idempotency_key.as_deref(),
        )
        .await;
        Ok(CampaignPayload::from(user_errors(result)?, Campaign))
    }

    /// Archives a campaign.
    async fn archive_campaign(
        &self,
        ctx: &Context<'_>,
        input: RecordVersionInput,
    ) -> async_graphql::Result<CampaignPayload> {
        let result = service::set_campaign_archived(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Campaign, &input.id),
            input.version,
            true,
        )
        .await;
        Ok(CampaignPayload::from(user_errors(result)?, Campaign))
    }

    /// Restores an archived campaign.
    async fn restore_campaign(
        &self,
        ctx: &Context<'_>,
        input: RecordVersionInput,
    ) -> async_graphql::Result<CampaignPayload> {
        let result = service::set_campaign_archived(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Campaign, &input.id),
            input.version,
            false,
        )
        .await;
        Ok(CampaignPayload::from(user_errors(result)?, Campaign))
    }

    /// Reschedules or edits an activity.
    async fn update_activity(
        &self,
        ctx: &Context<'_>,
        input: UpdateActivityInput,
    ) -> async_graphql::Result<ActivityEditPayload> {
        let changes = ActivityChanges {
            kind: input.kind.map(Into::into),
            subject: input.subject,
            note: maybe(input.note, |v| v),
            due_at: maybe(input.due_at, |v| v),
            duration_minutes: maybe(input.duration_minutes, |v| v),
            owner_id: maybe(input.owner_id, |v| id(Kind::User, &v)),
        };
        let result = activities::update(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Activity, &input.id),
            input.version,
            changes,
            None,
        )
        .await;
        Ok(ActivityEditPayload::from(user_errors(result)?, Activity))
    }

    /// Archives an activity.
    async fn archive_activity(
        &self,
        ctx: &Context<'_>,
        input: RecordVersionInput,
    ) -> async_graphql::Result<ActivityEditPayload> {
        let result = activities::update(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Activity, &input.id),
            input.version,
            ActivityChanges::default(),
            Some(true),
        )
        .await;
        Ok(ActivityEditPayload::from(user_errors(result)?, Activity))
    }

    /// Restores an archived activity.
    async fn restore_activity(
        &self,
        ctx: &Context<'_>,
        input: RecordVersionInput,
    ) -> async_graphql::Result<ActivityEditPayload> {
        let result = activities::update(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Activity, &input.id),
            input.version,
            ActivityChanges::default(),
            Some(false),
        )
        .await;
        Ok(ActivityEditPayload::from(user_errors(result)?, Activity))
    }

    /// Edits a note (its author, a manager of the author's team, or an admin).
    async fn update_note(
        &self,
        ctx: &Context<'_>,
        input: UpdateNoteInput,
    ) -> async_graphql::Result<NoteEditPayload> {
        let result = touchpoints::update_note(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Note, &input.id),
            input.version,
            Some(input.body),
            None,
        )
        .await;
        Ok(NoteEditPayload::from(user_errors(result)?, Note))
    }

    /// Archives a note.
    async fn archive_note(
        &self,
        ctx: &Context<'_>,
        input: RecordVersionInput,
    ) -> async_graphql::Result<NoteEditPayload> {
        let result = touchpoints::update_note(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Note, &input.id),
            input.version,
            None,
            Some(true),
        )
        .await;
        Ok(NoteEditPayload::from(user_errors(result)?, Note))
    }

    /// Restores an archived note.
    async fn restore_note(
        &self,
        ctx: &Context<'_>,
        input: RecordVersionInput,
    ) -> async_graphql::Result<NoteEditPayload> {
        let result = touchpoints::update_note(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Note, &input.id),
            input.version,
            None,
            Some(false),
        )
        .await;
        Ok(NoteEditPayload::from(user_errors(result)?, Note))
    }

    /// Renames a campaign or changes its budget or dates.
    async fn update_campaign(
        &self,
        ctx: &Context<'_>,
        input: UpdateCampaignInput,
    ) -> async_graphql::Result<CampaignPayload> {
        let changes = CampaignChanges {
            name: input.name,
            budget: maybe(input.budget, |v| v),
            starts_on: maybe(input.starts_on, |d| d.0),
            ends_on: maybe(input.ends_on, |d| d.0),
        };
        let result = service::update_campaign(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Campaign, &input.id),
            input.version,
            changes,
        )
        .await;
        Ok(CampaignPayload::from(user_errors(result)?, Campaign))
    }

    /// Renames a goal, moves its period or changes its target.
    async fn update_goal(
        &self,
        ctx: &Context<'_>,
        input: UpdateGoalInput,
    ) -> async_graphql::Result<GoalPayload> {
        let changes = GoalChanges {
            name: input.name,
            target: input.target,
            period_start: input.period_start.map(|d| d.0),
            period_end: input.period_end.map(|d| d.0),
        };
        let result = settings::update_goal(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Goal, &input.id),
            input.version,
            changes,
            None,
        )
        .await;
        Ok(GoalPayload::from(user_errors(result)?, Goal))
    }

    /// Archives a goal.
    async fn archive_goal(
        &self,
        ctx: &Context<'_>,
        input: RecordVersionInput,
    ) -> async_graphql::Result<GoalPayload> {
        let result = settings::update_goal(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Goal, &input.id),
            input.version,
            GoalChanges::default(),
            Some(true),
        )
        .await;
        Ok(GoalPayload::from(user_errors(result)?, Goal))
    }

    /// Defines a custom field for a record type (admins).
    async fn create_custom_field(
        &self,
        ctx: &Context<'_>,
        input: CreateCustomFieldInput,
    ) -> async_graphql::Result<CustomFieldPayload> {
        let new = NewCustomField {
            entity_type: input.record_type.into(),
            key: input.key,
            label: input.label,
            field_type: input.field_type.into(),
            options: input.options,
        };
        let result = settings::create_custom_field(&api(ctx)?.db, viewer(ctx)?, new).await;
        Ok(CustomFieldPayload::from(
            user_errors(result)?,
            CustomFieldDefinition,
        ))
    }

    /// Retires a custom field: stored values stay, new ones are refused.
    async fn archive_custom_field(
        &self,
        ctx: &Context<'_>,
        input: CustomFieldIdInput,
    ) -> async_graphql::Result<CustomFieldPayload> {
        let result = settings::archive_custom_field(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::CustomField, &input.id),
        )
        .await;
        Ok(CustomFieldPayload::from(
            user_errors(result)?,
            CustomFieldDefinition,
        ))
    }

    /// Sets a goal for a user, a team or the workspace.
    async fn create_goal(
        &self,
        ctx: &Context<'_>,
        input: CreateGoalInput,
    ) -> async_graphql::Result<GoalPayload> {
        let new = NewGoal {
            name: input.name,
            metric: input.metric.into(),
            period_start: input.period_start.0,
            period_end: input.period_end.0,
            target: input.target,
            currency: input.currency,
            user_id: input.user_id.map(|v| id(Kind::User, &v)),
            team_id: input.team_id.map(|v| id(Kind::Team, &v)),
            pipeline_id: input.pipeline_id.map(|v| id(Kind::Pipeline, &v)),
        };
        let result = settings::create_goal(&api(ctx)?.db, viewer(ctx)?, new).await;
        Ok(GoalPayload::from(user_errors(result)?, Goal))
    }
}
