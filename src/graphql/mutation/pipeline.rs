//! Pipeline and stage management, and tagging.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use entity::enums::EntityType;
use uuid::Uuid;

use super::id;
use crate::{
    domain::crm::{
        pipelines::{self, NewStage, StageChanges},
        tags,
    },
    graphql::{
        access::viewer,
        ids::{Kind, decode},
        payload::{UserError, user_errors},
        types::{
            api,
            customers::Tag,
            pipeline::{Pipeline, Stage},
        },
    },
};

/// Pipeline and tag mutations.
#[derive(Default)]
pub struct PipelineMutation;

/// A stage to create.
#[derive(InputObject)]
pub struct StageInput {
    /// Display name.
    pub name: String,
    /// Win probability in percent, 0 to 100.
    pub probability: i32,
    /// A deal idle longer than this many days is rotting.
    pub rotting_days: Option<i32>,
}

impl From<StageInput> for NewStage {
    fn from(input: StageInput) -> Self {
        NewStage {
            name: input.name,
            probability: input.probability,
            rotting_days: input.rotting_days,
        }
    }
}

/// Input of `createPipeline`.
#[derive(InputObject)]
pub struct CreatePipelineInput {
    /// Display name.
    pub name: String,
    /// The stages in order.
    pub stages: Vec<StageInput>,
}

/// Input of `renamePipeline`.
#[derive(InputObject)]
pub struct RenamePipelineInput {
    /// The pipeline.
    pub id: ID,
    /// The version the change is based on.
    pub version: i32,
    /// New name.
    pub name: String,
}

/// Result of a pipeline mutation.
#[derive(SimpleObject, Default)]
pub struct PipelinePayload {
    /// The pipeline after the change.
    pub pipeline: Option<Pipeline>,
    /// Input problems; nothing changed when there are any.
    pub user_errors: Vec<UserError>,
}

/// Input of `createStage`.
#[derive(InputObject)]
pub struct CreateStageInput {
    /// The pipeline; the stage goes last.
    pub pipeline_id: ID,
    /// Display name.
    pub name: String,
    /// Win probability in percent, 0 to 100.
    pub probability: i32,
    /// Rotting threshold in days.
    pub rotting_days: Option<i32>,
}

/// Input of `updateStage`; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateStageInput {
    /// The stage.
    pub id: ID,
    /// The version the change is based on.
    pub version: i32,
    /// New name.
    pub name: Option<String>,
    /// New win probability.
    pub probability: Option<i32>,
    /// New rotting threshold; `null` clears it.
    pub rotting_days: MaybeUndefined<i32>,
}

/// Result of a stage mutation.
#[derive(SimpleObject, Default)]
pub struct StagePayload {
    /// The stage after the change.
    pub stage: Option<Stage>,
    /// Input problems; nothing changed when there are any.
    pub user_errors: Vec<UserError>,
}

/// Input of `reorderStages`.
#[derive(InputObject)]
pub struct ReorderStagesInput {
    /// The pipeline.
    pub pipeline_id: ID,
    /// Every stage of the pipeline, in the new order.
    pub stage_ids: Vec<ID>,
}

/// Input of `deleteStage`.
#[derive(InputObject)]
pub struct DeleteStageInput {
    /// The stage to delete.
    pub id: ID,
    /// Another stage of the same pipeline that receives its deals.
    pub move_deals_to: ID,
}

/// Result of `reorderStages` and `deleteStage`.
#[derive(SimpleObject, Default)]
pub struct StagesPayload {
    /// The pipeline's stages afterwards, in order.
    pub stages: Vec<Stage>,
    /// Input problems; nothing changed when there are any.
    pub user_errors: Vec<UserError>,
}

/// Input of `tag` and `untag`.
#[derive(InputObject)]
pub struct TagInput {
    /// A contact, organization or deal.
    pub id: ID,
    /// The tag's name (created on first use, lower-cased).
    pub name: String,
}

/// Result of `tag` and `untag`.
#[derive(SimpleObject, Default)]
pub struct TagsPayload {
    /// The record's tags afterwards.
    pub tags: Vec<Tag>,
    /// Input problems.
    pub user_errors: Vec<UserError>,
}

fn taggable(id: &ID) -> (EntityType, Uuid) {
    match decode(id) {
        Some((Kind::Contact, uuid)) => (EntityType::Contact, uuid),
        Some((Kind::Organization, uuid)) => (EntityType::Organization, uuid),
        Some((Kind::Deal, uuid)) => (EntityType::Deal, uuid),
        _ => (EntityType::Contact, Uuid::nil()),
    }
}

fn stages_payload(result: Result<Vec<entity::stage::Model>, Vec<UserError>>) -> StagesPayload {
    match result {
        Ok(stages) => StagesPayload {
            stages: stages.into_iter().map(Stage).collect(),
            user_errors: Vec::new(),
        },
        Err(user_errors) => StagesPayload {
            stages: Vec::new(),
            user_errors,
        },
    }
}

fn tags_payload(result: Result<Vec<entity::tag::Model>, Vec<UserError>>) -> TagsPayload {
    match result {
        Ok(tags) => TagsPayload {
            tags: tags.into_iter().map(Tag).collect(),
            user_errors: Vec::new(),
        },
        Err(user_errors) => TagsPayload {
            tags: Vec::new(),
            user_errors,
        },
    }
}

#[Object]
impl PipelineMutation {
    /// Creates a pipeline with its stages.
    async fn create_pipeline(
        &self,
        ctx: &Context<'_>,
        input: CreatePipelineInput,
    ) -> async_graphql::Result<PipelinePayload> {
        let stages = input.stages.into_iter().map(Into::into).collect();
        let result =
            pipelines::create_pipeline(&api(ctx)?.db, viewer(ctx)?, &input.name, stages).await;
        Ok(match user_errors(result)? {
            Ok(p) => PipelinePayload {
                pipeline: Some(Pipeline(p)),
                user_errors: Vec::new(),
            },
            Err(user_errors) => PipelinePayload {
                pipeline: None,
                user_errors,
            },
        })
    }

    /// Renames a pipeline.
    async fn rename_pipeline(
        &self,
        ctx: &Context<'_>,
        input: RenamePipelineInput,
    ) -> async_graphql::Result<PipelinePayload> {
        let result = pipelines::rename_pipeline(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Pipeline, &input.id),
            input.version,
            &input.name,
        )
        .await;
        Ok(match user_errors(result)? {
            Ok(p) => PipelinePayload {
                pipeline: Some(Pipeline(p)),
                user_errors: Vec::new(),
            },
            Err(user_errors) => PipelinePayload {
                pipeline: None,
                user_errors,
            },
        })
    }

    /// Adds a stage at the end of a pipeline.
    async fn create_stage(
        &self,
        ctx: &Context<'_>,
        input: CreateStageInput,
    ) -> async_graphql::Result<StagePayload> {
        let stage = NewStage {
            name: input.name,
            probability: input.probability,
            rotting_days: input.rotting_days,
        };
        let result = pipelines::add_stage(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Pipeline, &input.pipeline_id),
            stage,
        )
        .await;
        Ok(match user_errors(result)? {
            Ok(s) => StagePayload {
                stage: Some(Stage(s)),
                user_errors: Vec::new(),
            },
            Err(user_errors) => StagePayload {
                stage: None,
                user_errors,
            },
        })
    }

    /// Renames a stage or sets its probability or rotting threshold.
    async fn update_stage(
        &self,
        ctx: &Context<'_>,
        input: UpdateStageInput,
    ) -> async_graphql::Result<StagePayload> {
        let changes = StageChanges {
            name: input.name,
            probability: input.probability,
            rotting_days: match input.rotting_days {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(days) => Some(Some(days)),
            },
        };
        let result = pipelines::update_stage(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Stage, &input.id),
            input.version,
            changes,
        )
        .await;
        Ok(match user_errors(result)? {
            Ok(s) => StagePayload {
                stage: Some(Stage(s)),
                user_errors: Vec::new(),
            },
            Err(user_errors) => StagePayload {
                stage: None,
                user_errors,
            },
        })
    }

    /// Puts a pipeline's stages in a new order.
    async fn reorder_stages(
        &self,
        ctx: &Context<'_>,
        input: ReorderStagesInput,
    ) -> async_graphql::Result<StagesPayload> {
        let order: Vec<Uuid> = input.stage_ids.iter().map(|s| id(Kind::Stage, s)).collect();
        let result = pipelines::reorder_stages(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Pipeline, &input.pipeline_id),
            &order,
        )
        .await;
        Ok(stages_payload(user_errors(result)?))
    }

    /// Deletes a stage after moving its deals to another stage of the pipeline.
    async fn delete_stage(
        &self,
        ctx: &Context<'_>,
        input: DeleteStageInput,
    ) -> async_graphql::Result<StagesPayload> {
        let result = pipelines::delete_stage(
            &api(ctx)?.db,
            viewer(ctx)?,
            id(Kind::Stage, &input.id),
            id(Kind::Stage, &input.move_deals_to),
        )
        .await;
        Ok(stages_payload(user_errors(result)?))
    }

    /// Puts a tag on a contact, organization or deal.
    async fn tag(&self, ctx: &Context<'_>, input: TagInput) -> async_graphql::Result<TagsPayload> {
        let (entity_type, target) = taggable(&input.id);
        let result = tags::tag(
            &api(ctx)?.db,
            viewer(ctx)?,
            entity_type,
            target,
            &input.name,
        )
        .await;
        Ok(tags_payload(user_errors(result)?))
    }

    /// Takes a tag off a contact, organization or deal.
    async fn untag(
        &self,
        ctx: &Context<'_>,
        input: TagInput,
    ) -> async_graphql::Result<TagsPayload> {
        let (entity_type, target) = taggable(&input.id);
        let result = tags::untag(
            &api(ctx)?.db,
            viewer(ctx)?,
            entity_type,
            target,
            &input.name,
        )
        .await;
        Ok(tags_payload(user_errors(result)?))
    }
}
