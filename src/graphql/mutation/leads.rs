//! Leads, `convertLead` and `mergeContacts`.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

use super::id;
use crate::{
    domain::crm::{
        contacts::ContactFields,
        deals::DealFields,
        leads::{self, Conversion, LeadFields, Party},
        merge,
        organizations::OrganizationFields,
    },
    graphql::{
        access::viewer,
        ids::Kind,
        payload::{UserError, user_errors},
        types::{
            api,
            customers::{Contact, Organization},
            leads::{Lead, LeadStatus},
            pipeline::Deal,
            scalars::{Channel, Date, MoneyInput},
        },
    },
};

/// Lead mutations.
#[derive(Default)]
pub struct LeadMutation;

/// Input of `createLead`.
#[derive(InputObject)]
pub struct CreateLeadInput {
    /// Short description.
    pub title: String,
    /// Where it came from.
    pub source: Option<String>,
    /// Channel it arrived on.
    pub channel: Option<Channel>,
    /// Known contact.
    pub contact_id: Option<ID>,
    /// Known organization.
    pub organization_id: Option<ID>,
    /// The responsible user; the caller when absent.
    pub owner_id: Option<ID>,
    /// A retry with the same key returns the first result.
    pub idempotency_key: Option<String>,
}

/// Input of `updateLead`.
#[derive(InputObject)]
pub struct UpdateLeadInput {
    /// The lead.
    pub id: ID,
    /// The version the change is based on.
    pub version: i32,
    /// Short description.
    pub title: Option<String>,
    /// Qualification status (`convertLead` converts).
    pub status: Option<LeadStatus>,
    /// Source.
    pub source: MaybeUndefined<String>,
    /// Known contact.
    pub contact_id: MaybeUndefined<ID>,
    /// Known organization.
    pub organization_id: MaybeUndefined<ID>,
    /// Owner.
    pub owner_id: MaybeUndefined<ID>,
}

/// Names a lead at a version.
#[derive(InputObject)]
pub struct LeadVersionInput {
    /// The lead.
    pub id: ID,
    /// Its version.
    pub version: i32,
}

/// Result of a lead mutation.
#[derive(SimpleObject, Default)]
pub struct LeadPayload {
    /// The lead after the change.
    pub lead: Option<Lead>,
    /// Input problems; nothing was written when there are any.
    pub user_errors: Vec<UserError>,
}

/// A new contact made by `convertLead`.
#[derive(InputObject)]
pub struct ConvertContactInput {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// E-mail.
    pub email: Option<String>,
}

/// The deal `convertLead` creates.
#[derive(InputObject)]
pub struct ConvertDealInput {
    /// What is being sold.
    pub title: String,
    /// Value.
    pub value: Option<MoneyInput>,
    /// The pipeline.
    pub pipeline_id: ID,
    /// The stage; the pipeline's first when absent.
    pub stage_id: Option<ID>,
    /// Expected close date.
    pub expected_close_date: Option<Date>,
}

/// Input of `convertLead`: for the contact and the organization, name an
/// existing one, describe a new one, or give neither to keep the lead's.
#[derive(InputObject)]
pub struct ConvertLeadInput {
    /// The lead.
    pub id: ID,
    /// Its version.
    pub version: i32,
    /// Link this existing contact.
    pub contact_id: Option<ID>,
    /// Or create this contact.
    pub new_contact: Option<ConvertContactInput>,
    /// Link this existing organization.
    pub organization_id: Option<ID>,
    /// Or create an organization with this name.
    pub new_organization_name: Option<String>,
    /// The deal to create.
    pub deal: ConvertDealInput,
}

/// Result of `convertLead`.
#[derive(SimpleObject, Default)]
pub struct ConvertLeadPayload {
    /// The lead, now converted.
    pub lead: Option<Lead>,
    /// The new deal.
    pub deal: Option<Deal>,
    /// The deal's contact.
    pub contact: Option<Contact>,
    /// The deal's organization.
    pub organization: Option<Organization>,
    /// Input problems; nothing was written when there are any.
    pub user_errors: Vec<UserError>,
}

/// Input of `mergeContacts`.
#[derive(InputObject)]
pub struct MergeContactsInput {
    /// The contact that stays.
    pub survivor_id: ID,
    /// Its version.
    pub survivor_version: i32,
    /// The duplicate, archived after the merge.
    pub duplicate_id: ID,
    /// Its version.
    pub duplicate_version: i32,
}

/// Result of `mergeContacts`.
#[derive(SimpleObject, Default)]
pub struct MergeContactsPayload {
    /// The surviving contact with everything of the duplicate.
    pub contact: Option<Contact>,
    /// Input problems; nothing changed when there are any.
    pub user_errors: Vec<UserError>,
}

fn lead_payload(result: Result<entity::lead::Model, Vec<UserError>>) -> LeadPayload {
    match result {
        Ok(lead) => LeadPayload {
            lead: Some(Lead(lead)),
            user_errors: Vec::new(),
        },
        Err(user_errors) => LeadPayload {
            lead: None,
            user_errors,
        },
    }
}

#[Object]
impl LeadMutation {
    /// Creates a lead.
    async fn create_lead(
        &self,
        ctx: &Context<'_>,
        input: CreateLeadInput,
    ) -> async_graphql::Result<LeadPayload> {
        let fields = LeadFields {
            title: Some(input.title),
            source: input.source.map(Some),
            channel: input.channel.map(|c| Some(c.into())),
            status: None,
            contact_id: input.contact_id.map(|v| Some(id(Kind::Contact, &v))),
            organization_id: input
                .organization_id
                .map(|v| Some(id(Kind::Organization, &v))),
            owner_id: input.owner_id.map(|v| Some(id(Kind::User, &v))),
        };
        let result = leads::create(
            &api(ctx)?.db,
            viewer(ctx)?,
            fields,
            input.idempotency_key.as_deref(),
        )
        .await;
        Ok(lead_payload(user_errors(result)?))
    }

    /// Updates a lead at its version.
    async fn update_lead(
        &self,
        ctx: &Context<'_>,
        input: UpdateLeadInput,
    ) -> async_graphql::Result<LeadPayload> {
        let maybe = |v: MaybeUndefined<ID>, kind: Kind| match v {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) => Some(Some(id(kind, &v))),
        };
        let fields = LeadFields {
            title: input.title,
            status: input.status.map(Into::into),
            source: match input.source {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(v) => Some(Some(v)),
            },
            channel: None,
            contact_id: maybe(input.contact_id, Kind::Contact),
            organization_id: maybe(input.organization_id, Kind::Organization),
            owner_id: maybe(input.owner_id, Kind::User),
        };
        let result = leads::update(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Lead, &input.id),
            input.version,
            fields,
        )
        .await;
        Ok(lead_payload(user_errors(result)?))
    }

    /// Archives a lead.
    async fn archive_lead(
        &self,
        ctx: &Context<'_>,
        input: LeadVersionInput,
    ) -> async_graphql::Result<LeadPayload> {
        let result = leads::set_archived(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Lead, &input.id),
            input.version,
            true,
        )
        .await;
        Ok(lead_payload(user_errors(result)?))
    }

    /// Restores an archived lead.
    async fn restore_lead(
        &self,
        ctx: &Context<'_>,
        input: LeadVersionInput,
    ) -> async_graphql::Result<LeadPayload> {
        let result = leads::set_archived(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Lead, &input.id),
            input.version,
            false,
        )
        .await;
        Ok(lead_payload(user_errors(result)?))
    }

    /// Converts a lead into a deal, creating or linking its contact and
    /// organization, in one transaction.
    async fn convert_lead(
        &self,
        ctx: &Context<'_>,
        input: ConvertLeadInput,
    ) -> async_graphql::Result<ConvertLeadPayload> {
        let contact = match (input.contact_id, input.new_contact) {
            (Some(existing), _) => Party::Existing(id(Kind::Contact, &existing)),
            (None, Some(new)) => Party::New(ContactFields {
                first_name: Some(new.first_name),
                last_name: Some(new.last_name),
                email: new.email.map(Some),
                ..ContactFields::default()
            }),
            (None, None) => Party::FromLead,
        };
        let organization = match (input.organization_id, input.new_organization_name) {
            (Some(existing), _) => Party::Existing(id(Kind::Organization, &existing)),
            (None, Some(name)) => Party::New(OrganizationFields {
                name: Some(name),
                ..OrganizationFields::default()
            }),
            (None, None) => Party::FromLead,
        };
        let (value, currency) = match input.deal.value {
            Some(money) => (Some(money.amount), money.currency),
            None => (None, None),
        };
        let deal = DealFields {
            title: Some(input.deal.title),
            value,
            currency,
            pipeline_id: Some(id(Kind::Pipeline, &input.deal.pipeline_id)),
            stage_id: input.deal.stage_id.map(|s| id(Kind::Stage, &s)),
            expected_close_date: input.deal.expected_close_date.map(|d| Some(d.0)),
            ..DealFields::default()
        };
        let conversion = Conversion {
            lead_id: id(Kind::Lead, &input.id),
            version: input.version,
            contact,
            organization,
            deal,
        };
        Ok(
            match user_errors(leads::convert(&api(ctx)?.db, viewer(ctx)?, conversion).await)? {
                Ok(done) => ConvertLeadPayload {
                    lead: Some(Lead(done.lead)),
                    deal: Some(Deal(done.deal)),
                    contact: done.contact.map(Contact),
                    organization: done.organization.map(Organization),
                    user_errors: Vec::new(),
                },
                Err(user_errors) => ConvertLeadPayload {
                    user_errors,
                    ..Default::default()
                },
            },
        )
    }

    /// Merges a duplicate contact into another: deals, activities,
    /// interactions, notes, tickets, tracked events, leads and tags move to
    /// the survivor, and the duplicate is archived.
    async fn merge_contacts(
        &self,
        ctx: &Context<'_>,
        input: MergeContactsInput,
    ) -> async_graphql::Result<MergeContactsPayload> {
        let survivor = (
            id(Kind::Contact, &input.survivor_id),
            input.survivor_version,
        );
        let duplicate = (
            id(Kind::Contact, &input.duplicate_id),
            input.duplicate_version,
        );
        Ok(
            match user_errors(merge::merge(&api(ctx)?.db, viewer(ctx)?, survivor, duplicate).await)?
            {
                Ok(contact) => MergeContactsPayload {
                    contact: Some(Contact(contact)),
                    user_errors: Vec::new(),
                },
                Err(user_errors) => MergeContactsPayload {
                    contact: None,
                    user_errors,
                },
            },
        )
    }
}
