//! Pipelines, stages and deals.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entity::{deal, enums::EntityType, pipeline, stage};

use super::{
    api,
    customers::{Contact, CustomFieldValue, Organization, Tag, custom_fields},
    gql,
    identity::User,
    loader,
    scalars::{Date, DealStatus, Money},
};
use crate::{
    domain::crm::read,
    graphql::{
        access::viewer,
        ids::{Kind, encode},
        loaders::{
            ContactById, OpenDealsInStage, OrganizationById, PipelineById, StageById, TagsOf,
            UserById,
        },
    },
};

/// A sales pipeline: ordered stages deals move through.
pub struct Pipeline(pub pipeline::Model);

/// A sales pipeline: ordered stages deals move through.
#[Object]
impl Pipeline {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Pipeline, self.0.id)
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Order among the workspace's pipelines.
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// Optimistic-concurrency version; renames must send it.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// The stages in order.
    async fn stages(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Stage>> {
        let mut stages = gql(read::stages_of(&api(ctx)?.db, viewer(ctx)?, &[self.0.id]).await)?;
        Ok(stages
            .remove(&self.0.id)
            .unwrap_or_default()
            .into_iter()
            .map(Stage)
            .collect())
    }
}

/// One column of a pipeline.
pub struct Stage(pub stage::Model);

/// One column of a pipeline.
#[Object]
impl Stage {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Stage, self.0.id)
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Order within the pipeline.
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// Optimistic-concurrency version; updates must send it.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Win probability in percent, for weighted forecasts.
    async fn probability(&self) -> i32 {
        i32::from(self.0.probability)
    }
    /// A deal idle in this stage longer than this many days is rotting.
    async fn rotting_days(&self) -> Option<i32> {
        self.0.rotting_days
    }
    /// The stage's open deals in board order (up to 100): the Kanban column.
    async fn deals(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Deal>> {
        let rows = loader(ctx)?
            .load_one(OpenDealsInStage(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Deal).collect())
    }
}

/// An opportunity moving through a pipeline.
pub struct Deal(pub deal::Model);

/// An opportunity moving through a pipeline.
#[Object]
impl Deal {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Deal, self.0.id)
    }
    /// What is being sold.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The deal's value.
    async fn value(&self) -> Money {
        Money::from_minor(self.0.value_amount, &self.0.currency)
    }
    /// Open, won or lost.
    async fn status(&self) -> DealStatus {
        self.0.status.into()
    }
    /// Why it was lost.
    async fn lost_reason(&self) -> Option<&str> {
        self.0.lost_reason.as_deref()
    }
    /// When the owner expects to close it.
    async fn expected_close_date(&self) -> Option<Date> {
        self.0.expected_close_date.map(Date)
    }
    /// Where the deal came from.
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }
    /// The pipeline.
    async fn pipeline(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Pipeline>> {
        Ok(loader(ctx)?
            .load_one(PipelineById(self.0.pipeline_id))
            .await?
            .map(Pipeline))
    }
    /// The current stage.
    async fn stage(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Stage>> {
        Ok(loader(ctx)?
            .load_one(StageById(self.0.stage_id))
            .await?
            .map(Stage))
    }
    /// Order of the card within its stage (ascending; compare, do not
    /// count on the numbers).
    async fn position(&self) -> String {
        self.0.position.to_string()
    }
    /// When the deal entered its current stage.
    async fn stage_entered_at(&self) -> DateTime<Utc> {
        self.0.stage_entered_at
    }
    /// When it was won or lost.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// The responsible user.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let Some(id) = self.0.owner_id else {
            return Ok(None);
        };
        Ok(loader(ctx)?.load_one(UserById(id)).await?.map(User))
    }
    /// Main contact.
    async fn contact(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Contact>> {
        let Some(id) = self.0.contact_id else {
            return Ok(None);
        };
        Ok(loader(ctx)?.load_one(ContactById(id)).await?.map(Contact))
    }
    /// Customer organization.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Organization>> {
        let Some(id) = self.0.organization_id else {
            return Ok(None);
        };
        Ok(loader(ctx)?
            .load_one(OrganizationById(id))
            .await?
            .map(Organization))
    }
    /// Tags on the deal.
    async fn tags(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Tag>> {
        let rows = loader(ctx)?
            .load_one(TagsOf(EntityType::Deal, self.0.id))
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Tag).collect())
    }
    /// Custom-field values.
    async fn custom_fields(&self) -> Vec<CustomFieldValue> {
        custom_fields(&self.0.custom_fields)
    }
    /// Optimistic-concurrency version; updates and moves must send it.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When it was archived.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
}
