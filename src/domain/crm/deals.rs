//! Deals: create, update, move between stages keeping card order, win,
//! lose, reopen, archive and restore. Stage moves also write
//! `deal_stage_change`, the history analytics are computed from.

use chrono::{NaiveDate, Utc};
use entity::{
    TenantScoped, campaign, contact, deal, deal_stage_change,
    enums::{DealStatus, EntityType},
    organization, pipeline, stage, workspace,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    Db, check_owner, check_user, custom_fields, find, optional_text, remember, replayed,
    required_text, save_recorded, stale,
};
use crate::{
    domain::{
        access::{Action, Area, Viewer},
        events::{self, Event},
        ids,
        money::{CurrencyCode, Money},
    },
    error::{Error, FieldError, Result},
};

/// Gap between neighbouring card positions; moves insert between them.
const POSITION_STEP: i64 = 1024;

/// Fields of a deal as events record them.
pub fn snapshot(d: &deal::Model) -> Value {
    json!({
        "title": d.title, "valueAmount": d.value_amount, "currency": d.currency, "pipelineId": d.pipeline_id,
        "stageId": d.stage_id, "position": d.position, "status": d.status, "lostReason": d.lost_reason,
        "expectedCloseDate": d.expected_close_date, "ownerId": d.owner_id, "contactId": d.contact_id,
        "organizationId": d.organization_id, "campaignId": d.campaign_id, "archived": d.archived_at.is_some(),
    })
}

/// What a deal is created or updated with; absent fields are left alone.
#[derive(Default)]
pub struct DealFields {
    /// What is being sold.
    pub title: Option<String>,
    /// Value as a decimal string in the deal's currency, e.g. `"1234.50"`.
    pub value: Option<String>,
    /// ISO-4217 code; the workspace's default on create.
    pub currency: Option<String>,
    /// Pipeline (create only).
    pub pipeline_id: Option<Uuid>,
    /// Stage (create only; moves use [`move_deal`]).
    pub stage_id: Option<Uuid>,
    /// Main contact.
    pub contact_id: Option<Option<Uuid>>,
    /// Customer organization.
    pub organization_id: Option<Option<Uuid>>,
    /// Owner.
    pub owner_id: Option<Option<Uuid>>,
    /// Expected close date.
    pub expected_close_date: Option<Option<NaiveDate>>,
    /// Source.
    pub source: Option<Option<String>>,
    /// Attributed campaign.
    pub campaign_id: Option<Option<Uuid>>,
    /// Custom-field values to set.
    pub custom_fields: Option<Value>,
}

/// Checks that `id` names a live (not archived) row of `E`.
async fn check_target<E>(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    field: &str,
    id: Option<Uuid>,
    archived: impl Fn(&E::Model) -> bool,
    errors: &mut Vec<FieldError>,
) -> Result<()>
where
    E: TenantScoped,
{
    let Some(id) = id else { return Ok(()) };
    match E::find_by_id_in(viewer.workspace, id).one(db).await? {
        None => errors.push(FieldError::not_found(
            field,
            "no such record in this workspace",
        )),
        Some(row) if archived(&row) => {
            errors.push(FieldError::invalid(field, "the record is archived"))
        }
        Some(_) => {}
    }
    Ok(())
}

async fn apply(
    db: &impl Db,
    viewer: &Viewer,
    fields: DealFields,
    model: &mut deal::ActiveModel,
    current_custom: &Value,
) -> Result<()> {
    let mut errors = Vec::new();
    if let Some(title) = &fields.title {
        model.title = Set(required_text("title", title, 200, &mut errors));
    }
    if let Some(currency) = &fields.currency {
        match CurrencyCode::parse(currency) {
            Ok(code) => model.currency = Set(code.to_string()),
            Err(message) => errors.push(FieldError {
                field: vec![
                    "input".to_owned(),
                    "value".to_owned(),
                    "currency".to_owned(),
                ],
                code: crate::error::code::BAD_USER_INPUT,
                message,
            }),
        }
    }
    if let Some(value) = &fields.value {
        let currency = match &model.currency {
            sea_orm::ActiveValue::Set(c) | sea_orm::ActiveValue::Unchanged(c) => {
                CurrencyCode::parse(c).ok()
            }
            sea_orm::ActiveValue::NotSet => None,
        };
        match currency.map(|code| Money::parse_decimal(value, code)) {
            Some(Ok(money)) => model.value_amount = Set(money.minor),
            Some(Err(message)) => errors.push(FieldError {
                field: vec!["input".to_owned(), "value".to_owned(), "amount".to_owned()],
                code: crate::error::code::BAD_USER_INPUT,
                message,
            }),
            None => {}
        }
    }
    if let Some(contact_id) = fields.contact_id {
        check_target::<contact::Entity>(
            db,
            viewer,
            "contactId",
            contact_id,
            |c| c.archived_at.is_some(),
            &mut errors,
        )
        .await?;
        model.contact_id = Set(contact_id);
    }
    if let Some(organization_id) = fields.organization_id {
        check_target::<organization::Entity>(
            db,
            viewer,
            "organizationId",
            organization_id,
            |o| o.archived_at.is_some(),
            &mut errors,
        )
        .await?;
        model.organization_id = Set(organization_id);
    }
    if let Some(campaign_id) = fields.campaign_id {
        check_target::<campaign::Entity>(
            db,
            viewer,
            "campaignId",
            campaign_id,
            |c| c.archived_at.is_some(),
            &mut errors,
        )
        .await?;
        model.campaign_id = Set(campaign_id);
    }
    if let Some(owner_id) = fields.owner_id {
        check_user(db, viewer.workspace, "ownerId", owner_id, &mut errors).await?;
        model.owner_id = Set(owner_id);
    }
    if let Some(date) = fields.expected_close_date {
        model.expected_close_date = Set(date);
    }
    if let Some(source) = fields.source {
        model.source = Set(optional_text("source", source.as_deref(), 100, &mut errors));
    }
    if let Some(values) = &fields.custom_fields {
        let merged = custom_fields::validate(
            db,
            viewer.workspace,
            EntityType::Deal,
            current_custom,
            values,
            &mut errors,
        )
        .await?;
        model.custom_fields = Set(merged);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

/// Creates a deal at the end of its stage (the pipeline's first stage when
/// none is given); with an `idempotency_key` a retry returns the first result.
pub async fn create(
    db: &impl Db,
    viewer: &Viewer,
    mut fields: DealFields,
    idempotency_key: Option<&str>,
) -> Result<deal::Model> {
    viewer.require(Area::Deals, Action::Write)?;
    if let Some(id) = replayed(db, viewer.workspace, "createDeal", idempotency_key).await? {
        return find::<deal::Entity>(db, viewer, id, "deal").await;
    }
    let mut errors = Vec::new();
    if fields.title.is_none() {
        errors.push(FieldError::invalid("title", "is required"));
    }
    let stage = match fields.pipeline_id {
        None => {
            errors.push(FieldError::invalid("pipelineId", "is required"));
            None
        }
        Some(pipeline_id) => {
            resolve_stage(db, viewer, pipeline_id, fields.stage_id, &mut errors).await?
        }
    };
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let stage = stage.ok_or(Error::NotFound("stage"))?;
    if fields.currency.is_none() {
        let workspace = workspace::Entity::find_by_workspace_id(viewer.workspace)
            .one(db)
            .await?;
        fields.currency = Some(workspace.map_or_else(|| "EUR".to_owned(), |w| w.default_currency));
    }
    let now = Utc::now();
    let mut model = deal::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(viewer.workspace.0),
        title: Set(String::new()),
        value_amount: Set(0),
        currency: Set("EUR".to_owned()),
        position: Set(0),
        status: Set(DealStatus::Open),
        lost_reason: Set(None),
        expected_close_date: Set(None),
        source: Set(None),
        stage_entered_at: Set(now),
        closed_at: Set(None),
        pipeline_id: Set(stage.pipeline_id),
        stage_id: Set(stage.id),
        owner_id: Set(viewer.user_id()),
        contact_id: Set(None),
        organization_id: Set(None),
        campaign_id: Set(None),
        custom_fields: Set(json!({})),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        archived_at: Set(None),
    };
    apply(db, viewer, fields, &mut model, &json!({})).await?;
    let txn = crate::db::begin(db).await?;
    model.position = Set(position_at(&txn, viewer, stage.id, None, None).await?);
    let deal = model.insert(&txn).await?;
    if !remember(
        &txn,
        viewer.workspace,
        "createDeal",
        idempotency_key,
        deal.id,
    )
    .await?
    {
        txn.rollback().await?;
        let id = replayed(db, viewer.workspace, "createDeal", idempotency_key)
            .await?
            .ok_or(Error::NotFound("deal"))?;
        return find::<deal::Entity>(db, viewer, id, "deal").await;
    }
    record_stage_change(&txn, viewer, &deal, None).await?;
    events::record(&txn, viewer.workspace, viewer.actor(), Event {
        event_type: "deal.created",
        entity_type: "deal",
        entity_id: deal.id,
        payload: json!({ "before": null, "after": snapshot(&deal), "pipelineId": deal.pipeline_id, "toStageId": deal.stage_id }),
    })
    .await?;
    txn.commit().await?;
    Ok(deal)
}

/// The stage a deal goes to: `stage_id` if it belongs to the pipeline, else
/// the pipeline's first stage.
async fn resolve_stage(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    pipeline_id: Uuid,
    stage_id: Option<Uuid>,
    errors: &mut Vec<FieldError>,
) -> Result<Option<stage::Model>> {
    let pipeline = pipeline::Entity::find_by_id_in(viewer.workspace, pipeline_id)
        .one(db)
        .await?;
    if pipeline.is_none_or(|p| p.archived_at.is_some()) {
        errors.push(FieldError::not_found(
            "pipelineId",
            "no such pipeline in this workspace",
        ));
        return Ok(None);
    }
    let stages = super::pipelines::stages(db, viewer, pipeline_id).await?;
    match stage_id {
        None => {
            if stages.is_empty() {
                errors.push(FieldError::invalid(
                    "pipelineId",
                    "the pipeline has no stages",
                ));
            }
            Ok(stages.into_iter().next())
        }
        Some(stage_id) => match stages.into_iter().find(|s| s.id == stage_id) {
            Some(stage) => Ok(Some(stage)),
            None => {
                errors.push(FieldError::invalid(
                    "stageId",
                    "the stage is not a stage of this pipeline",
                ));
                Ok(None)
            }
        },
    }
}

/// Updates a deal's fields at `version` (stage and status have their own
/// mutations).
pub async fn update(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    fields: DealFields,
) -> Result<deal::Model> {
    let current = editable(db, viewer, id).await?;
    if fields.pipeline_id.is_some() || fields.stage_id.is_some() {
        return Err(Error::field(FieldError::invalid(
            "stageId",
            "use moveDeal to change the stage",
        )));
    }
    let mut model: deal::ActiveModel = current.clone().into();
    apply(db, viewer, fields, &mut model, &current.custom_fields).await?;
    let txn = crate::db::begin(db).await?;
    let updated = save_recorded(
        &txn,
        viewer,
        &current,
        model,
        version,
        "deal.updated",
        json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Moves a deal to `stage_id` (of the same pipeline) at `index` among the
/// open cards of that stage (the end when absent), at `version`.
pub async fn move_deal(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    stage_id: Uuid,
    index: Option<i32>,
) -> Result<deal::Model> {
    let current = editable(db, viewer, id).await?;
    let mut errors = Vec::new();
    let target =
        resolve_stage(db, viewer, current.pipeline_id, Some(stage_id), &mut errors).await?;
    if index.is_some_and(|i| i < 0) {
        errors.push(FieldError::invalid("position", "must not be negative"));
    }
    if current.status != DealStatus::Open {
        errors.push(FieldError::invalid(
            "id",
            "only open deals move; reopen it first",
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let target = target.ok_or(Error::NotFound("stage"))?;
    if current.version != version {
        return Err(stale("deal"));
    }
    let txn = crate::db::begin(db).await?;
    let position = position_at(
        &txn,
        viewer,
        target.id,
        Some(current.id),
        index.map(|i| i as usize),
    )
    .await?;
    let mut model: deal::ActiveModel = current.clone().into();
    model.stage_id = Set(target.id);
    model.position = Set(position);
    let changed_stage = target.id != current.stage_id;
    if changed_stage {
        model.stage_entered_at = Set(Utc::now());
    }
    let extra = json!({ "pipelineId": current.pipeline_id, "fromStageId": current.stage_id, "toStageId": target.id });
    let moved = save_recorded(&txn, viewer, &current, model, version, "deal.moved", extra).await?;
    if changed_stage {
        record_stage_change(&txn, viewer, &moved, Some(current.stage_id)).await?;
    }
    txn.commit().await?;
    Ok(moved)
}

/// Closes a deal as won, at `version`.
pub async fn win(db: &impl Db, viewer: &Viewer, id: Uuid, version: i32) -> Result<deal::Model> {
    close(db, viewer, id, version, DealStatus::Won, None).await
}

/// Closes a deal as lost with a reason, at `version`.
pub async fn lose(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    reason: &str,
) -> Result<deal::Model> {
    let mut errors = Vec::new();
    let reason = required_text("reason", reason, 500, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    close(db, viewer, id, version, DealStatus::Lost, Some(reason)).await
}

/// Reopens a won or lost deal, at `version`.
pub async fn reopen(db: &impl Db, viewer: &Viewer, id: Uuid, version: i32) -> Result<deal::Model> {
    close(db, viewer, id, version, DealStatus::Open, None).await
}

async fn close(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    status: DealStatus,
    reason: Option<String>,
) -> Result<deal::Model> {
    let current = editable(db, viewer, id).await?;
    let allowed = match status {
        DealStatus::Open => current.status != DealStatus::Open,
        _ => current.status == DealStatus::Open,
    };
    if !allowed {
        let message = if status == DealStatus::Open {
            "the deal is open already"
        } else {
            "the deal is closed already; reopen it first"
        };
        return Err(Error::field(FieldError::invalid("id", message)));
    }
    let mut model: deal::ActiveModel = current.clone().into();
    model.status = Set(status);
    model.lost_reason = Set(reason);
    model.closed_at = Set((status != DealStatus::Open).then(Utc::now));
    let event = match status {
        DealStatus::Won => "deal.won",
        DealStatus::Lost => "deal.lost",
        DealStatus::Open => "deal.reopened",
    };
    let txn = crate::db::begin(db).await?;
    let extra = json!({ "pipelineId": current.pipeline_id, "stageId": current.stage_id });
    let updated = save_recorded(&txn, viewer, &current, model, version, event, extra).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Archives or restores a deal at `version`.
pub async fn set_archived(
    db: &impl Db,
    viewer: &Viewer,
    id: Uuid,
    version: i32,
    archived: bool,
) -> Result<deal::Model> {
    viewer.require(Area::Deals, Action::Write)?;
    let current = find::<deal::Entity>(db, viewer, id, "deal").await?;
    check_owner(db, viewer, current.owner_id).await?;
    let mut model: deal::ActiveModel = current.clone().into();
    model.archived_at = Set(archived.then(Utc::now));
    let event = if archived {
        "deal.archived"
    } else {
        "deal.restored"
    };
    let txn = crate::db::begin(db).await?;
    let extra = json!({ "pipelineId": current.pipeline_id, "stageId": current.stage_id });
    let updated = save_recorded(&txn, viewer, &current, model, version, event, extra).await?;
    txn.commit().await?;
    Ok(updated)
}

/// A deal the viewer may change: exists, not archived, owned (or team).
async fn editable(db: &impl Db, viewer: &Viewer, id: Uuid) -> Result<deal::Model> {
    viewer.require(Area::Deals, Action::Write)?;
    let current = find::<deal::Entity>(db, viewer, id, "deal").await?;
    check_owner(db, viewer, current.owner_id).await?;
    if current.archived_at.is_some() {
        return Err(Error::field(FieldError::invalid(
            "id",
            "the deal is archived; restore it first",
        )));
    }
    Ok(current)
}

async fn record_stage_change(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    deal: &deal::Model,
    from: Option<Uuid>,
) -> Result<()> {
    deal_stage_change::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(viewer.workspace.0),
        deal_id: Set(deal.id),
        pipeline_id: Set(deal.pipeline_id),
        from_stage_id: Set(from),
        to_stage_id: Set(deal.stage_id),
        changed_by: Set(viewer.user_id()),
        changed_at: Set(Utc::now()),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// The position value that puts a card at `index` among the open cards of
/// `stage_id` (without `moving` itself); the end when `index` is absent or
/// past it. Renumbers the stage when two neighbours have no gap left.
async fn position_at(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    stage_id: Uuid,
    moving: Option<Uuid>,
    index: Option<usize>,
) -> Result<i64> {
    let load = || async {
        let mut query = deal::Entity::find_in(viewer.workspace)
            .select_only()
            .column(deal::Column::Id)
            .column(deal::Column::Position)
            .filter(deal::Column::StageId.eq(stage_id))
            .filter(deal::Column::Status.eq(DealStatus::Open))
            .filter(deal::Column::ArchivedAt.is_null())
            .order_by_asc(deal::Column::Position)
            .order_by_asc(deal::Column::Id);
        if let Some(moving) = moving {
            query = query.filter(deal::Column::Id.ne(moving));
        }
        query.into_tuple::<(Uuid, i64)>().all(txn).await
    };
    let mut cards = load().await?;
    let index = index.unwrap_or(cards.len()).min(cards.len());
    for _ in 0..2 {
        let before = index.checked_sub(1).map(|i| cards[i].1);
        let after = cards.get(index).map(|c| c.1);
        let candidate = match (before, after) {
            (None, None) => Some(POSITION_STEP),
            (Some(b), None) => Some(b + POSITION_STEP),
            (None, Some(a)) => Some(a - POSITION_STEP),
            (Some(b), Some(a)) if a - b >= 2 => Some(b + (a - b) / 2),
            _ => None,
        };
        if let Some(position) = candidate {
            return Ok(position);
        }
        // No gap left between the neighbours: spread the stage out again.
        for (i, (id, _)) in cards.iter().enumerate() {
            deal::Entity::update_many_in(viewer.workspace)
                .col_expr(
                    deal::Column::Position,
                    sea_orm::sea_query::Expr::value((i as i64 + 1) * POSITION_STEP),
                )
                .filter(deal::Column::Id.eq(*id))
                .exec(txn)
                .await?;
        }
        cards = load().await?;
    }
    Err(Error::Internal(anyhow::anyhow!(
        "BUG: no card position found after renumbering"
    )))
}
