//! `mergeContacts`: the duplicate's deals, activities, interactions, notes,
//! tickets, tracked events, leads and tags move to the survivor, so its
//! timeline keeps everything; the duplicate is archived. One transaction.

use chrono::Utc;
use entity::{
    TenantScoped, activity, contact, deal, enums::EntityType, interaction, lead, note, tagging,
    ticket, tracked_event,
};
use sea_orm::{ColumnTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use uuid::Uuid;

use super::{Db, check_owner, find, save_versioned, stale};
use crate::{
    domain::{
        access::{Action, Area, Viewer},
        events::{self, Event},
    },
    error::{Error, FieldError, Result},
};

/// Merges `duplicate` into `survivor` (each at its version); returns the
/// survivor.
pub async fn merge(
    db: &impl Db,
    viewer: &Viewer,
    survivor: (Uuid, i32),
    duplicate: (Uuid, i32),
) -> Result<contact::Model> {
    viewer.require(Area::Contacts, Action::Write)?;
    if survivor.0 == duplicate.0 {
        return Err(Error::field(FieldError::invalid(
            "duplicateId",
            "a contact cannot be merged into itself",
        )));
    }
    let keep = find::<contact::Entity>(db, viewer, survivor.0, "contact").await?;
    let drop = find::<contact::Entity>(db, viewer, duplicate.0, "contact").await?;
    check_owner(db, viewer, keep.owner_id).await?;
    check_owner(db, viewer, drop.owner_id).await?;
    if keep.archived_at.is_some() || drop.archived_at.is_some() {
        return Err(Error::field(FieldError::invalid(
            "duplicateId",
            "both contacts must be active",
        )));
    }
    if keep.version != survivor.1 || drop.version != duplicate.1 {
        return Err(stale("contact"));
    }
    let ws = viewer.workspace;
    let txn = crate::db::begin(db).await?;
    let mut moved = serde_json::Map::new();
    macro_rules! move_rows {
        ($entity:ident, $column:expr, $name:literal) => {
            let result = $entity::Entity::update_many_in(ws)
                .col_expr($column, Expr::value(keep.id))
                .filter($column.eq(drop.id))
                .exec(&txn)
                .await?;
            moved.insert($name.to_owned(), json!(result.rows_affected));
        };
    }
    move_rows!(deal, deal::Column::ContactId, "deals");
    move_rows!(activity, activity::Column::ContactId, "activities");
    move_rows!(interaction, interaction::Column::ContactId, "interactions");
    move_rows!(note, note::Column::ContactId, "notes");
    move_rows!(ticket, ticket::Column::ContactId, "tickets");
    move_rows!(
        tracked_event,
        tracked_event::Column::ContactId,
        "trackedEvents"
    );
    move_rows!(lead, lead::Column::ContactId, "leads");
    // Tags: move those the survivor lacks, drop the rest (unique per record).
    let kept_tags: Vec<Uuid> = tagging::Entity::find_in(ws)
        .filter(tagging::Column::EntityType.eq(EntityType::Contact))
        .filter(tagging::Column::EntityId.eq(keep.id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|t| t.tag_id)
        .collect();
    tagging::Entity::delete_many_in(ws)
        .filter(tagging::Column::EntityType.eq(EntityType::Contact))
        .filter(tagging::Column::EntityId.eq(drop.id))
        .filter(tagging::Column::TagId.is_in(kept_tags))
        .exec(&txn)
        .await?;
    move_rows!(tagging, tagging::Column::EntityId, "tags");
    let now = Utc::now();
    let mut archived: contact::ActiveModel = drop.clone().into();
    archived.archived_at = sea_orm::ActiveValue::Set(Some(now));
    archived.version = sea_orm::ActiveValue::Set(duplicate.1 + 1);
    archived.updated_at = sea_orm::ActiveValue::Set(now);
    save_versioned(
        &txn,
        viewer,
        drop.id,
        duplicate.1,
        archived,
        contact::Column::Version,
        "contact",
    )
    .await?;
    let mut touched: contact::ActiveModel = keep.clone().into();
    touched.version = sea_orm::ActiveValue::Set(survivor.1 + 1);
    touched.updated_at = sea_orm::ActiveValue::Set(now);
    if keep.last_contacted_at < drop.last_contacted_at {
        touched.last_contacted_at = sea_orm::ActiveValue::Set(drop.last_contacted_at);
    }
    let kept = save_versioned(
        &txn,
        viewer,
        keep.id,
        survivor.1,
        touched,
        contact::Column::Version,
        "contact",
    )
    .await?;
    events::record(
        &txn,
        ws,
        viewer.actor(),
        Event {
            event_type: "contact.merged",
            entity_type: "contact",
            entity_id: keep.id,
            payload: json!({ "mergedContactId": drop.id, "moved": moved }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(kept)
}
