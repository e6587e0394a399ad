//! Tags on contacts, organizations and deals.

use chrono::Utc;
use entity::{TenantScoped, contact, deal, enums::EntityType, organization, tag, tagging};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::required_text;
use crate::{
    domain::{
        access::{Action, Area, Viewer},
        events::{self, Event},
        ids,
    },
    error::{Error, FieldError, Result, is_unique_violation},
};

async fn check_target(
    db: &DatabaseConnection,
    viewer: &Viewer,
    entity_type: EntityType,
    id: Uuid,
) -> Result<()> {
    let exists = match entity_type {
        EntityType::Contact => contact::Entity::find_by_id_in(viewer.workspace, id)
            .one(db)
            .await?
            .is_some(),
        EntityType::Organization => organization::Entity::find_by_id_in(viewer.workspace, id)
            .one(db)
            .await?
            .is_some(),
        EntityType::Deal => deal::Entity::find_by_id_in(viewer.workspace, id)
            .one(db)
            .await?
            .is_some(),
        EntityType::Lead => false,
    };
    if exists {
        Ok(())
    } else {
        Err(Error::field(FieldError::not_found(
            "id",
            "no such record in this workspace",
        )))
    }
}

/// Puts the tag `name` (created when new) on a record; tagging twice is a
/// no-op. Returns the record's tags.
pub async fn tag(
    db: &DatabaseConnection,
    viewer: &Viewer,
    entity_type: EntityType,
    id: Uuid,
    name: &str,
) -> Result<Vec<tag::Model>> {
    viewer.require(Area::Tags, Action::Write)?;
    let mut errors = Vec::new();
    let name = required_text("name", &name.to_lowercase(), 50, &mut errors);
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    check_target(db, viewer, entity_type, id).await?;
    let txn = crate::db::begin(db).await?;
    let now = Utc::now();
    let existing = tag::Entity::find_in(viewer.workspace)
        .filter(tag::Column::Name.eq(&name))
        .one(&txn)
        .await?;
    let label = match existing {
        Some(label) => label,
        None => {
            tag::ActiveModel {
                id: Set(ids::new_id()),
                workspace_id: Set(viewer.workspace.0),
                name: Set(name.clone()),
                color: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?
        }
    };
    let already = tagging::Entity::find_in(viewer.workspace)
        .filter(tagging::Column::TagId.eq(label.id))
        .filter(tagging::Column::EntityType.eq(entity_type))
        .filter(tagging::Column::EntityId.eq(id))
        .one(&txn)
        .await?;
    if already.is_none() {
        let inserted = tagging::ActiveModel {
            id: Set(ids::new_id()),
            workspace_id: Set(viewer.workspace.0),
            tag_id: Set(label.id),
            entity_type: Set(entity_type),
            entity_id: Set(id),
            created_at: Set(now),
        }
        .insert(&txn)
        .await;
        match inserted {
            Ok(_) => {}
            Err(error) if is_unique_violation(&error) => {}
            Err(error) => return Err(error.into()),
        }
        events::record(
            &txn,
            viewer.workspace,
            viewer.actor(),
            Event {
                event_type: "tag.added",
                entity_type: entity_name(entity_type),
                entity_id: id,
                payload: json!({ "after": { "tag": label.name } }),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(super::read::tags_of(db, viewer, entity_type, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default())
}

/// Takes the tag `name` off a record. Returns the record's tags.
pub async fn untag(
    db: &DatabaseConnection,
    viewer: &Viewer,
    entity_type: EntityType,
    id: Uuid,
    name: &str,
) -> Result<Vec<tag::Model>> {
    viewer.require(Area::Tags, Action::Write)?;
    check_target(db, viewer, entity_type, id).await?;
    let name = name.trim().to_lowercase();
    let txn = crate::db::begin(db).await?;
    if let Some(label) = tag::Entity::find_in(viewer.workspace)
        .filter(tag::Column::Name.eq(&name))
        .one(&txn)
        .await?
    {
        let removed = tagging::Entity::delete_many_in(viewer.workspace)
            .filter(tagging::Column::TagId.eq(label.id))
            .filter(tagging::Column::EntityType.eq(entity_type))
            .filter(tagging::Column::EntityId.eq(id))
            .exec(&txn)
            .await?;
        if removed.rows_affected > 0 {
            events::record(
                &txn,
                viewer.workspace,
                viewer.actor(),
                Event {
                    event_type: "tag.removed",
                    entity_type: entity_name(entity_type),
                    entity_id: id,
                    payload: json!({ "before": { "tag": label.name } }),
                },
            )
            .await?;
        }
    }
    txn.commit().await?;
    Ok(super::read::tags_of(db, viewer, entity_type, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default())
}

fn entity_name(entity_type: EntityType) -> &'static str {
    match entity_type {
        EntityType::Contact => "contact",
        EntityType::Organization => "organization",
        EntityType::Deal => "deal",
        EntityType::Lead => "lead",
    }
}
