//! Mutations of the operational CRM: one `input`, a payload with the result
//! and `userErrors`; stale versions are CONFLICT errors.

use async_graphql::{Context, ID, InputObject, Json, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{id, maybe, opt_id};
use crate::{
    domain::crm::{
        activities::{self, NewActivity},
        contacts::{self, ContactFields},
        deals::{self, DealFields},
        organizations::{self, OrganizationFields},
        touchpoints::{self, NewInteraction, NewNote, NewTrackedEvent},
    },
    graphql::{
        access::viewer,
        ids::Kind,
        payload::{UserError, user_errors},
        types::{
            api,
            customers::{Contact, Organization},
            pipeline::Deal,
            scalars::{ActivityKind, Channel, Date, Direction, LifecycleStage, MoneyInput},
            touchpoints::{Activity, Interaction, Note},
        },
    },
};

/// CRM mutations.
#[derive(Default)]
pub struct CrmMutation;

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
            fn from(result: Result<$ty, Vec<UserError>>) -> Self {
                match result {
                    Ok(value) => $name {
                        $field: Some(value),
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
    ContactPayload,
    contact,
    Contact,
    "Result of a contact mutation."
);
payload!(
    OrganizationPayload,
    organization,
    Organization,
    "Result of an organization mutation."
);
payload!(DealPayload, deal, Deal, "Result of a deal mutation.");
payload!(
    ActivityPayload,
    activity,
    Activity,
    "Result of an activity mutation."
);
payload!(
    InteractionPayload,
    interaction,
    Interaction,
    "Result of `logInteraction`."
);
payload!(NotePayload, note, Note, "Result of `addNote`.");

/// Names a record at the version the client last saw.
#[derive(InputObject)]
pub struct VersionedIdInput {
    /// The record.
    pub id: ID,
    /// Its `version`; a stale one is a CONFLICT and changes nothing.
    pub version: i32,
}

/// Input of `createContact`.
#[derive(InputObject)]
pub struct CreateContactInput {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Primary e-mail.
    pub email: Option<String>,
    /// Phone numbers.
    pub phones: Option<Vec<String>>,
    /// Job title.
    pub title: Option<String>,
    /// Lifecycle stage; `LEAD` when absent.
    pub lifecycle_stage: Option<LifecycleStage>,
    /// Where the contact came from.
    pub source: Option<String>,
    /// The contact's organization.
    pub organization_id: Option<ID>,
    /// The responsible user; the caller when absent.
    pub owner_id: Option<ID>,
    /// Custom-field values, e.g. `{"linkedin": "…"}`.
    pub custom_fields: Option<Json<Value>>,
    /// A retry with the same key returns the first result instead of a
    /// duplicate.
    pub idempotency_key: Option<String>,
}

/// Input of `updateContact`; absent fields stay as they are, `null` clears.
#[derive(InputObject)]
pub struct UpdateContactInput {
    /// The contact.
    pub id: ID,
    /// The version the change is based on.
    pub version: i32,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Primary e-mail.
    pub email: MaybeUndefined<String>,
    /// Phone numbers (replaces the list).
    pub phones: Option<Vec<String>>,
    /// Job title.
    pub title: MaybeUndefined<String>,
    /// Lifecycle stage.
    pub lifecycle_stage: Option<LifecycleStage>,
    /// Source.
    pub source: MaybeUndefined<String>,
    /// Lead score, 0 to 100.
    pub score: Option<i32>,
    /// Organization.
    pub organization_id: MaybeUndefined<ID>,
    /// Owner.
    pub owner_id: MaybeUndefined<ID>,
    /// Custom-field values to set; `null` values clear single fields.
    pub custom_fields: Option<Json<Value>>,
}

/// Input of `createOrganization`.
#[derive(InputObject)]
pub struct CreateOrganizationInput {
    /// Company name.
    pub name: String,
    /// Web domain.
    pub domain: Option<String>,
    /// Industry.
    pub industry: Option<String>,
    /// Number of employees.
    pub employee_count: Option<i32>,
    /// Postal address (a JSON object).
    pub address: Option<Json<Value>>,
    /// The responsible user; the caller when absent.
    pub owner_id: Option<ID>,
    /// Custom-field values.
    pub custom_fields: Option<Json<Value>>,
    /// A retry with the same key returns the first result.
    pub idempotency_key: Option<String>,
}

/// Input of `updateOrganization`.
#[derive(InputObject)]
pub struct UpdateOrganizationInput {
    /// The organization.
    pub id: ID,
    /// The version the change is based on.
    pub version: i32,
    /// Company name.
    pub name: Option<String>,
    /// Web domain.
    pub domain: MaybeUndefined<String>,
    /// Industry.
    pub industry: MaybeUndefined<String>,
    /// Number of employees.
    pub employee_count: MaybeUndefined<i32>,
    /// Postal address.
    pub address: MaybeUndefined<Json<Value>>,
    /// Owner.
    pub owner_id: MaybeUndefined<ID>,
    /// Custom-field values to set.
    pub custom_fields: Option<Json<Value>>,
}

/// Input of `createDeal`.
#[derive(InputObject)]
pub struct CreateDealInput {
    /// What is being sold.
    pub title: String,
    /// Value; the workspace's currency when none is named.
    pub value: Option<MoneyInput>,
    /// The pipeline.
    pub pipeline_id: ID,
    /// The stage; the pipeline's first when absent.
    pub stage_id: Option<ID>,
    /// Main contact.
    pub contact_id: Option<ID>,
    /// Customer organization.
    pub organization_id: Option<ID>,
    /// The responsible user; the caller when absent.
    pub owner_id: Option<ID>,
    /// Expected close date.
    pub expected_close_date: Option<Date>,
    /// Where the deal came from.
    pub source: Option<String>,
    /// Custom-field values.
    pub custom_fields: Option<Json<Value>>,
    /// A retry with the same key returns the first result.
    pub idempotency_key: Option<String>,
}

/// Input of `updateDeal` (stage and status have their own mutations).
#[derive(InputObject)]
pub struct UpdateDealInput {
    /// The deal.
    pub id: ID,
    /// The version the change is based on.
    pub version: i32,
    /// What is being sold.
    pub title: Option<String>,
    /// Value.
    pub value: Option<MoneyInput>,
    /// Main contact.
    pub contact_id: MaybeUndefined<ID>,
    /// Customer organization.
    pub organization_id: MaybeUndefined<ID>,
    /// Owner.
    pub owner_id: MaybeUndefined<ID>,
    /// Expected close date.
    pub expected_close_date: MaybeUndefined<Date>,
    /// Source.
    pub source: MaybeUndefined<String>,
    /// Custom-field values to set.
    pub custom_fields: Option<Json<Value>>,
}

/// Input of `moveDeal`.
#[derive(InputObject)]
pub struct MoveDealInput {
    /// The deal.
    pub id: ID,
    /// The version the move is based on.
    pub version: i32,
    /// The target stage, of the deal's pipeline.
    pub stage_id: ID,
    /// 0-based place among the stage's open cards; the end when absent.
    pub position: Option<i32>,
}

/// Input of `loseDeal`.
#[derive(InputObject)]
pub struct LoseDealInput {
    /// The deal.
    pub id: ID,
    /// The version the change is based on.
    pub version: i32,
    /// Why it was lost.
    pub reason: String,
}

/// Input of `scheduleActivity`.
#[derive(InputObject)]
pub struct ScheduleActivityInput {
    /// Kind of work.
    pub kind: ActivityKind,
    /// Short description.
    pub subject: String,
    /// Details.
    pub note: Option<String>,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
    /// Planned length in minutes.
    pub duration_minutes: Option<i32>,
    /// Who does it; the caller when absent.
    pub owner_id: Option<ID>,
    /// Linked deal.
    pub deal_id: Option<ID>,
    /// Linked contact.
    pub contact_id: Option<ID>,
    /// Linked organization.
    pub organization_id: Option<ID>,
    /// A retry with the same key returns the first result.
    pub idempotency_key: Option<String>,
}

/// Input of `logInteraction`.
#[derive(InputObject)]
pub struct LogInteractionInput {
    /// Channel.
    pub channel: Channel,
    /// Inbound or outbound.
    pub direction: Direction,
    /// When it happened; now when absent.
    pub occurred_at: Option<DateTime<Utc>>,
    /// What happened.
    pub summary: String,
    /// Channel-specific details (a JSON object).
    pub properties: Option<Json<Value>>,
    /// The contact.
    pub contact_id: Option<ID>,
    /// The organization; the contact's when absent.
    pub organization_id: Option<ID>,
    /// Related deal.
    pub deal_id: Option<ID>,
    /// A retry with the same key returns the first result.
    pub idempotency_key: Option<String>,
}

/// Input of `addNote`.
#[derive(InputObject)]
pub struct AddNoteInput {
    /// The note.
    pub body: String,
    /// Linked contact.
    pub contact_id: Option<ID>,
    /// Linked organization.
    pub organization_id: Option<ID>,
    /// Linked deal.
    pub deal_id: Option<ID>,
    /// A retry with the same key returns the first result.
    pub idempotency_key: Option<String>,
}

/// One product or website event.
#[derive(InputObject)]
pub struct TrackedEventInput {
    /// Event name, e.g. `db_setup_completed`.
    pub name: String,
    /// The contact it belongs to.
    pub contact_id: Option<ID>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Event properties (a JSON object).
    pub properties: Option<Json<Value>>,
}

/// Input of `trackEvents`.
#[derive(InputObject)]
pub struct TrackEventsInput {
    /// Up to 1,000 events; one invalid event rejects the batch.
    pub events: Vec<TrackedEventInput>,
}

/// Result of `trackEvents`.
#[derive(SimpleObject, Default)]
pub struct TrackEventsPayload {
    /// Events stored.
    pub accepted: i32,
    /// Input problems, with the index of the event at fault.
    pub user_errors: Vec<UserError>,
}

fn contact_fields_on_create(input: CreateContactInput) -> ContactFields {
    ContactFields {
        first_name: Some(input.first_name),
        last_name: Some(input.last_name),
        email: input.email.map(Some),
        phones: input.phones,
        title: input.title.map(Some),
        lifecycle_stage: input.lifecycle_stage.map(Into::into),
        source: input.source.map(Some),
        score: None,
        organization_id: input
            .organization_id
            .map(|v| Some(id(Kind::Organization, &v))),
        owner_id: input.owner_id.map(|v| Some(id(Kind::User, &v))),
        custom_fields: input.custom_fields.map(|j| j.0),
    }
}

#[Object]
impl CrmMutation {
    /// Creates a contact.
    async fn create_contact(
        &self,
        ctx: &Context<'_>,
        input: CreateContactInput,
    ) -> async_graphql::Result<ContactPayload> {
        let key = input.idempotency_key.clone();
        let result = contacts::create(
            &api(ctx)?.db,
            viewer(ctx)?,
            contact_fields_on_create(input),
            key.as_deref(),
        )
        .await;
        Ok(ContactPayload::from(user_errors(result)?.map(Contact)))
    }

    /// Updates a contact at its version.
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        input: UpdateContactInput,
    ) -> async_graphql::Result<ContactPayload> {
        let fields = ContactFields {
            first_name: input.first_name,
            last_name: input.last_name,
            email: maybe(input.email, |v| v),
            phones: input.phones,
            title: maybe(input.title, |v| v),
            lifecycle_stage: input.lifecycle_stage.map(Into::into),
            source: maybe(input.source, |v| v),
            score: input.score,
            organization_id: maybe(input.organization_id, |v| id(Kind::Organization, &v)),
            owner_id: maybe(input.owner_id, |v| id(Kind::User, &v)),
            custom_fields: input.custom_fields.map(|j| j.0),
        };
        let target = id(Kind::Contact, &input.id);
        let result =
            contacts::update(&api(ctx)?.db, viewer(ctx)?, target, input.version, fields).await;
        Ok(ContactPayload::from(user_errors(result)?.map(Contact)))
    }

    /// Archives a contact; it disappears from lists but can be restored.
    async fn archive_contact(
        &self,
        ctx: &Context<'_>,
        input: VersionedIdInput,
    ) -> async_graphql::Result<ContactPayload> {
        let result = contacts::archive(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Contact, &input.id),
            input.version,
        )
        .await;
        Ok(ContactPayload::from(user_errors(result)?.map(Contact)))
    }

    /// Restores an archived contact.
    async fn restore_contact(
        &self,
        ctx: &Context<'_>,
        input: VersionedIdInput,
    ) -> async_graphql::Result<ContactPayload> {
        let result = contacts::restore(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Contact, &input.id),
            input.version,
        )
        .await;
        Ok(ContactPayload::from(user_errors(result)?.map(Contact)))
    }

    /// Creates an organization.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        input: CreateOrganizationInput,
    ) -> async_graphql::Result<OrganizationPayload> {
        let fields = OrganizationFields {
            name: Some(input.name),
            domain: input.domain.map(Some),
            industry: input.industry.map(Some),
            employee_count: input.employee_count.map(Some),
            address: input.address.map(|j| Some(j.0)),
            owner_id: input.owner_id.map(|v| Some(id(Kind::User, &v))),
            custom_fields: input.custom_fields.map(|j| j.0),
        };
        let result = organizations::create(
            &api(ctx)?.db,
            viewer(ctx)?,
            fields,
            input.idempotency_key.as_deref(),
        )
        .await;
        Ok(OrganizationPayload::from(
            user_errors(result)?.map(Organization),
        ))
    }

    /// Updates an organization at its version.
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        input: UpdateOrganizationInput,
    ) -> async_graphql::Result<OrganizationPayload> {
        let fields = OrganizationFields {
            name: input.name,
            domain: maybe(input.domain, |v| v),
            industry: maybe(input.industry, |v| v),
            employee_count: maybe(input.employee_count, |v| v),
            address: maybe(input.address, |j| j.0),
            owner_id: maybe(input.owner_id, |v| id(Kind::User, &v)),
            custom_fields: input.custom_fields.map(|j| j.0),
        };
        let target = id(Kind::Organization, &input.id);
        let result =
            organizations::update(&api(ctx)?.db, viewer(ctx)?, target, input.version, fields).await;
        Ok(OrganizationPayload::from(
            user_errors(result)?.map(Organization),
        ))
    }

    /// Archives an organization.
    async fn archive_organization(
        &self,
        ctx: &Context<'_>,
        input: VersionedIdInput,
    ) -> async_graphql::Result<OrganizationPayload> {
        let target = id(Kind::Organization, &input.id);
        let result =
            organizations::set_archived(&api(ctx)?.db, viewer(ctx)?, target, input.version, true)
                .await;
        Ok(OrganizationPayload::from(
            user_errors(result)?.map(Organization),
        ))
    }

    /// Restores an archived organization.
    async fn restore_organization(
        &self,
        ctx: &Context<'_>,
        input: VersionedIdInput,
    ) -> async_graphql::Result<OrganizationPayload> {
        let target = id(Kind::Organization, &input.id);
        let result =
            organizations::set_archived(&api(ctx)?.db, viewer(ctx)?, target, input.version, false)
                .await;
        Ok(OrganizationPayload::from(
            user_errors(result)?.map(Organization),
        ))
    }

    /// Creates a deal at the end of its stage.
    async fn create_deal(
        &self,
        ctx: &Context<'_>,
        input: CreateDealInput,
    ) -> async_graphql::Result<DealPayload> {
        let (value, currency) = match input.value {
            Some(money) => (Some(money.amount), money.currency),
            None => (None, None),
        };
        let fields = DealFields {
            title: Some(input.title),
            value,
            currency,
            pipeline_id: Some(id(Kind::Pipeline, &input.pipeline_id)),
            stage_id: opt_id(Kind::Stage, input.stage_id.as_ref()),
            contact_id: input.contact_id.map(|v| Some(id(Kind::Contact, &v))),
            organization_id: input
                .organization_id
                .map(|v| Some(id(Kind::Organization, &v))),
            owner_id: input.owner_id.map(|v| Some(id(Kind::User, &v))),
            expected_close_date: input.expected_close_date.map(|d| Some(d.0)),
            source: input.source.map(Some),
            campaign_id: None,
            custom_fields: input.custom_fields.map(|j| j.0),
        };
        let result = deals::create(
            &api(ctx)?.db,
            viewer(ctx)?,
            fields,
            input.idempotency_key.as_deref(),
        )
        .await;
        Ok(DealPayload::from(user_errors(result)?.map(Deal)))
    }

    /// Updates a deal's fields at its version.
    async fn update_deal(
        &self,
        ctx: &Context<'_>,
        input: UpdateDealInput,
    ) -> async_graphql::Result<DealPayload> {
        let (value, currency) = match input.value {
            Some(money) => (Some(money.amount), money.currency),
            None => (None, None),
        };
        let fields = DealFields {
            title: input.title,
            value,
            currency,
            contact_id: maybe(input.contact_id, |v| id(Kind::Contact, &v)),
            organization_id: maybe(input.organization_id, |v| id(Kind::Organization, &v)),
            owner_id: maybe(input.owner_id, |v| id(Kind::User, &v)),
            expected_close_date: maybe(input.expected_close_date, |d| d.0),
            source: maybe(input.source, |v| v),
            custom_fields: input.custom_fields.map(|j| j.0),
            ..DealFields::default()
        };
        let result = deals::update(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Deal, &input.id),
            input.version,
            fields,
        )
        .await;
        Ok(DealPayload::from(user_errors(result)?.map(Deal)))
    }

    /// Moves a deal to a stage of its pipeline, at a place among that
    /// stage's cards. Records the stage change.
    async fn move_deal(
        &self,
        ctx: &Context<'_>,
        input: MoveDealInput,
    ) -> async_graphql::Result<DealPayload> {
        let result = deals::move_deal(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Deal, &input.id),
            input.version,
            id(Kind::Stage, &input.stage_id),
            input.position,
        )
        .await;
        Ok(DealPayload::from(user_errors(result)?.map(Deal)))
    }

    /// Closes a deal as won.
    async fn win_deal(
        &self,
        ctx: &Context<'_>,
        input: VersionedIdInput,
    ) -> async_graphql::Result<DealPayload> {
        let result = deals::win(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Deal, &input.id),
            input.version,
        )
        .await;
        Ok(DealPayload::from(user_errors(result)?.map(Deal)))
    }

    /// Closes a deal as lost, with the reason.
    async fn lose_deal(
        &self,
        ctx: &Context<'_>,
        input: LoseDealInput,
    ) -> async_graphql::Result<DealPayload> {
        let result = deals::lose(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Deal, &input.id),
            input.version,
            &input.reason,
        )
        .await;
        Ok(DealPayload::from(user_errors(result)?.map(Deal)))
    }

    /// Reopens a won or lost deal.
    async fn reopen_deal(
        &self,
        ctx: &Context<'_>,
        input: VersionedIdInput,
    ) -> async_graphql::Result<DealPayload> {
        let result = deals::reopen(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Deal, &input.id),
            input.version,
        )
        .await;
        Ok(DealPayload::from(user_errors(result)?.map(Deal)))
    }

    /// Archives a deal.
    async fn archive_deal(
        &self,
        ctx: &Context<'_>,
        input: VersionedIdInput,
    ) -> async_graphql::Result<DealPayload> {
        let result = deals::set_archived(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Deal, &input.id),
            input.version,
            true,
        )
        .await;
        Ok(DealPayload::from(user_errors(result)?.map(Deal)))
    }

    /// Restores an archived deal.
    async fn restore_deal(
        &self,
        ctx: &Context<'_>,
        input: VersionedIdInput,
    ) -> async_graphql::Result<DealPayload> {
        let result = deals::set_archived(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Deal, &input.id),
            input.version,
            false,
        )
        .await;
        Ok(DealPayload::from(user_errors(result)?.map(Deal)))
    }

    /// Schedules an activity.
    async fn schedule_activity(
        &self,
        ctx: &Context<'_>,
        input: ScheduleActivityInput,
    ) -> async_graphql::Result<ActivityPayload> {
        let new = NewActivity {
            kind: input.kind.into(),
            subject: input.subject,
            note: input.note,
            due_at: input.due_at,
            duration_minutes: input.duration_minutes,
            owner_id: opt_id(Kind::User, input.owner_id.as_ref()),
            deal_id: opt_id(Kind::Deal, input.deal_id.as_ref()),
            contact_id: opt_id(Kind::Contact, input.contact_id.as_ref()),
            organization_id: opt_id(Kind::Organization, input.organization_id.as_ref()),
        };
        let result = activities::schedule(
            &api(ctx)?.db,
            viewer(ctx)?,
            new,
            input.idempotency_key.as_deref(),
        )
        .await;
        Ok(ActivityPayload::from(user_errors(result)?.map(Activity)))
    }

    /// Marks an activity done.
    async fn complete_activity(
        &self,
        ctx: &Context<'_>,
        input: VersionedIdInput,
    ) -> async_graphql::Result<ActivityPayload> {
        let result = activities::complete(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Activity, &input.id),
            input.version,
        )
        .await;
        Ok(ActivityPayload::from(user_errors(result)?.map(Activity)))
    }

    /// Records a touchpoint on any channel.
    async fn log_interaction(
        &self,
        ctx: &Context<'_>,
        input: LogInteractionInput,
    ) -> async_graphql::Result<InteractionPayload> {
        let new = NewInteraction {
            channel: input.channel.into(),
            direction: input.direction.into(),
            occurred_at: input.occurred_at,
            summary: input.summary,
            properties: input.properties.map(|j| j.0),
            contact_id: opt_id(Kind::Contact, input.contact_id.as_ref()),
            organization_id: opt_id(Kind::Organization, input.organization_id.as_ref()),
            deal_id: opt_id(Kind::Deal, input.deal_id.as_ref()),
            campaign_id: None,
        };
        let result = touchpoints::log_interaction(
            &api(ctx)?.db,
            viewer(ctx)?,
            new,
            input.idempotency_key.as_deref(),
        )
        .await;
        Ok(InteractionPayload::from(
            user_errors(result)?.map(Interaction),
        ))
    }

    /// Adds a note to a contact, organization or deal.
    async fn add_note(
        &self,
        ctx: &Context<'_>,
        input: AddNoteInput,
    ) -> async_graphql::Result<NotePayload> {
        let new = NewNote {
            body: input.body,
            contact_id: opt_id(Kind::Contact, input.contact_id.as_ref()),
            organization_id: opt_id(Kind::Organization, input.organization_id.as_ref()),
            deal_id: opt_id(Kind::Deal, input.deal_id.as_ref()),
        };
        let result = touchpoints::add_note(
            &api(ctx)?.db,
            viewer(ctx)?,
            new,
            input.idempotency_key.as_deref(),
        )
        .await;
        Ok(NotePayload::from(user_errors(result)?.map(Note)))
    }

    /// Ingests a batch of up to 1,000 product or website events.
    async fn track_events(
        &self,
        ctx: &Context<'_>,
        input: TrackEventsInput,
    ) -> async_graphql::Result<TrackEventsPayload> {
        let batch = input
            .events
            .into_iter()
            .map(|e| NewTrackedEvent {
                name: e.name,
                contact_id: opt_id(Kind::Contact, e.contact_id.as_ref()),
                occurred_at: e.occurred_at,
                properties: e.properties.map(|j| j.0),
            })
            .collect();
        Ok(
            match user_errors(touchpoints::track_events(&api(ctx)?.db, viewer(ctx)?, batch).await)?
            {
                Ok(count) => TrackEventsPayload {
                    accepted: i32::try_from(count).unwrap_or(i32::MAX),
                    user_errors: Vec::new(),
                },
                Err(user_errors) => TrackEventsPayload {
                    accepted: 0,
                    user_errors,
                },
            },
        )
    }
}
