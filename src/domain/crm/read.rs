//! Reading the CRM: filtered, keyset-paginated lists, and the batch loads
//! behind the customer-360 fields (one statement per field for any number of
//! parents, so a page of 50 contacts costs what one does).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{
    TenantScoped, WorkspaceId, activity, contact, deal,
    enums::{DealStatus, EntityType, LifecycleStage},
    organization, pipeline, stage, tag, tagging, ticket,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Statement, Value as SqlValue,
    sea_query::{Expr, ExprTrait, Func},
};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    domain::{
        access::{Action, Area, Viewer},
        page::{self, Page, PageRequest, Sort, SortValue},
    },
    error::Result,
};

/// A case-insensitive substring match of `text` on any of `columns`.
fn text_match<C: ColumnTrait>(columns: &[C], text: &str) -> sea_orm::Condition {
    let pattern = format!(
        "%{}%",
        text.trim()
            .to_lowercase()
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    columns
        .iter()
        .fold(sea_orm::Condition::any(), |any, column| {
            any.add(Expr::expr(Func::lower(Expr::col(*column))).like(pattern.as_str()))
        })
}

/// Orders of the contact, organization and deal lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderField {
    /// Creation time.
    CreatedAt,
    /// Last change.
    UpdatedAt,
    /// Name (contacts: last name; organizations: name; deals: title).
    Name,
    /// Deal value (deals only; minor units, across currencies).
    Value,
    /// When the deal entered its stage (deals only).
    StageEnteredAt,
}

/// A sort column and how to read a row's value in it.
type Ordering<E> = (
    Option<Sort<<E as sea_orm::EntityTrait>::Column>>,
    fn(&<E as sea_orm::EntityTrait>::Model) -> SortValue,
);

/// A requested list order; `None` lists by creation (the id order).
pub type ListOrder = Option<(OrderField, bool)>;

fn time(t: chrono::DateTime<Utc>) -> SortValue {
    SortValue::Time(t)
}

/// Filters of the contact list.
#[derive(Default)]
pub struct ContactFilter {
    /// Owned by.
    pub owner_id: Option<Uuid>,
    /// Of the organization.
    pub organization_id: Option<Uuid>,
    /// In the lifecycle stage.
    pub lifecycle_stage: Option<LifecycleStage>,
    /// Substring of name or e-mail.
    pub text: Option<String>,
    /// Created at or after.
    pub created_after: Option<DateTime<Utc>>,
    /// Created before.
    pub created_before: Option<DateTime<Utc>>,
    /// Carrying the tag.
    pub tag_id: Option<Uuid>,
    /// Custom field `key` equal to the value (compared as text).
    pub custom_field: Option<(String, String)>,
    /// Updated at or after.
    pub updated_after: Option<DateTime<Utc>>,
    /// Updated before.
    pub updated_before: Option<DateTime<Utc>>,
    /// Include archived contacts.
    pub include_archived: bool,
}

/// `custom_fields.<key> = value` (as text) on both databases. The key is
/// bound, never spliced into the SQL.
fn custom_field_equals(
    backend: DbBackend,
    key: &str,
    value: &str,
) -> sea_orm::sea_query::SimpleExpr {
    let path = if backend == DbBackend::Postgres {
        key.to_owned()
    } else {
        format!("$.{key}")
    };
    let sql = if backend == DbBackend::Postgres {
        "(custom_fields ->> $1) = $2"
    } else {
        "CAST(json_extract(custom_fields, ?) AS TEXT) = ?"
    };
    Expr::cust_with_values(
        sql,
        [SqlValue::from(path), SqlValue::from(value.to_owned())],
    )
}

/// A page of contacts.
pub async fn contacts(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: ContactFilter,
    order: ListOrder,
    page: PageRequest,
) -> Result<Page<contact::Model>> {
    viewer.require(Area::Contacts, Action::Read)?;
    let mut query = contact::Entity::find_in(viewer.workspace);
    if !filter.include_archived {
        query = query.filter(contact::Column::ArchivedAt.is_null());
    }
    if let Some(owner) = filter.owner_id {
        query = query.filter(contact::Column::OwnerId.eq(owner));
    }
    if let Some(org) = filter.organization_id {
        query = query.filter(contact::Column::OrganizationId.eq(org));
    }
    if let Some(stage) = filter.lifecycle_stage {
        query = query.filter(contact::Column::LifecycleStage.eq(stage));
    }
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        query = query.filter(text_match(
            &[
                contact::Column::FirstName,
                contact::Column::LastName,
                contact::Column::Email,
            ],
            text,
        ));
    }
    if let Some(after) = filter.created_after {
        query = query.filter(contact::Column::CreatedAt.gte(after));
    }
    if let Some(before) = filter.created_before {
        query = query.filter(contact::Column::CreatedAt.lt(before));
    }
    if let Some(after) = filter.updated_after {
        query = query.filter(contact::Column::UpdatedAt.gte(after));
    }
    if let Some(before) = filter.updated_before {
        query = query.filter(contact::Column::UpdatedAt.lt(before));
    }
    if let Some((key, value)) = &filter.custom_field {
        query = query.filter(custom_field_equals(db.get_database_backend(), key, value));
    }
    if let Some(tag_id) = filter.tag_id {
        let tagged = tagging::Entity::find_in(viewer.workspace)
            .select_only()
            .column(tagging::Column::EntityId)
            .filter(tagging::Column::TagId.eq(tag_id))
            .filter(tagging::Column::EntityType.eq(EntityType::Contact))
            .into_query();
        query = query.filter(contact::Column::Id.in_subquery(tagged));
    }
    let (sort, value_of): Ordering<contact::Entity> = match order {
        None => (None, |c| time(c.created_at)),
        Some((field, descending)) => match field {
            OrderField::UpdatedAt => (
                Some(Sort {
                    column: contact::Column::UpdatedAt,
                    descending,
                }),
                |c| time(c.updated_at),
            ),
            OrderField::Name => (
                Some(Sort {
                    column: contact::Column::LastName,
                    descending,
                }),
                |c| SortValue::Text(c.last_name.clone()),
            ),
            _ => (
                Some(Sort {
                    column: contact::Column::CreatedAt,
                    descending,
                }),
                |c| time(c.created_at),
            ),
        },
    };
    page::load_sorted(
        db,
        query,
        contact::Column::Id,
        |c| c.id,
        sort,
        value_of,
        page,
    )
    .await
}

/// Filters of the organization list.
#[derive(Default)]
pub struct OrganizationFilter {
    /// Owned by.
    pub owner_id: Option<Uuid>,
    /// Substring of name or domain.
    pub text: Option<String>,
    /// Include archived organizations.
    pub include_archived: bool,
}

/// A page of organizations.
pub async fn organizations(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: OrganizationFilter,
    order: ListOrder,
    page: PageRequest,
) -> Result<Page<organization::Model>> {
    viewer.require(Area::Organizations, Action::Read)?;
    let mut query = organization::Entity::find_in(viewer.workspace);
    if !filter.include_archived {
        query = query.filter(organization::Column::ArchivedAt.is_null());
    }
    if let Some(owner) = filter.owner_id {
        query = query.filter(organization::Column::OwnerId.eq(owner));
    }
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        query = query.filter(text_match(
            &[organization::Column::Name, organization::Column::Domain],
            text,
        ));
    }
    let (sort, value_of): Ordering<organization::Entity> = match order {
        None => (None, |o| time(o.created_at)),
        Some((field, descending)) => match field {
            OrderField::UpdatedAt => (
                Some(Sort {
                    column: organization::Column::UpdatedAt,
                    descending,
                }),
                |o| time(o.updated_at),
            ),
            OrderField::Name => (
                Some(Sort {
                    column: organization::Column::Name,
                    descending,
                }),
                |o| SortValue::Text(o.name.clone()),
            ),
            _ => (
                Some(Sort {
                    column: organization::Column::CreatedAt,
                    descending,
                }),
                |o| time(o.created_at),
            ),
        },
    };
    page::load_sorted(
        db,
        query,
        organization::Column::Id,
        |o| o.id,
        sort,
        value_of,
        page,
    )
    .await
}

/// Filters of the deal list.
#[derive(Default)]
pub struct DealFilter {
    /// In the pipeline.
    pub pipeline_id: Option<Uuid>,
    /// In the stage.
    pub stage_id: Option<Uuid>,
    /// With the status.
    pub status: Option<DealStatus>,
    /// Owned by.
    pub owner_id: Option<Uuid>,
    /// Of the contact.
    pub contact_id: Option<Uuid>,
    /// Of the organization.
    pub organization_id: Option<Uuid>,
    /// Substring of the title.
    pub text: Option<String>,
    /// Include archived deals.
    pub include_archived: bool,
}

/// A page of deals.
pub async fn deals(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: DealFilter,
    order: ListOrder,
    page: PageRequest,
) -> Result<Page<deal::Model>> {
    viewer.require(Area::Deals, Action::Read)?;
    let mut query = deal::Entity::find_in(viewer.workspace);
    if !filter.include_archived {
        query = query.filter(deal::Column::ArchivedAt.is_null());
    }
    for (column, value) in [
        (deal::Column::PipelineId, filter.pipeline_id),
        (deal::Column::StageId, filter.stage_id),
        (deal::Column::OwnerId, filter.owner_id),
        (deal::Column::ContactId, filter.contact_id),
        (deal::Column::OrganizationId, filter.organization_id),
    ] {
        if let Some(value) = value {
            query = query.filter(column.eq(value));
        }
    }
    if let Some(status) = filter.status {
        query = query.filter(deal::Column::Status.eq(status));
    }
    if let Some(text) = filter.text.as_deref().filter(|t| !t.trim().is_empty()) {
        query = query.filter(text_match(&[deal::Column::Title], text));
    }
    let (sort, value_of): Ordering<deal::Entity> = match order {
        None => (None, |d| time(d.created_at)),
        Some((field, descending)) => match field {
            OrderField::UpdatedAt => (
                Some(Sort {
                    column: deal::Column::UpdatedAt,
                    descending,
                }),
                |d| time(d.updated_at),
            ),
            OrderField::Name => (
                Some(Sort {
                    column: deal::Column::Title,
                    descending,
                }),
                |d| SortValue::Text(d.title.clone()),
            ),
            OrderField::Value => (
                Some(Sort {
                    column: deal::Column::ValueAmount,
                    descending,
                }),
                |d| SortValue::Int(d.value_amount),
            ),
            OrderField::StageEnteredAt => (
                Some(Sort {
                    column: deal::Column::StageEnteredAt,
                    descending,
                }),
                |d| time(d.stage_entered_at),
            ),
            OrderField::CreatedAt => (
                Some(Sort {
                    column: deal::Column::CreatedAt,
                    descending,
                }),
                |d| time(d.created_at),
            ),
        },
    };
    page::load_sorted(db, query, deal::Column::Id, |d| d.id, sort, value_of, page).await
}

/// Filters of the activity list.
#[derive(Default)]
pub struct ActivityFilter {
    /// Assigned to.
    pub owner_id: Option<Uuid>,
    /// Done (`true`) or not yet done (`false`).
    pub done: Option<bool>,
    /// Due at or after.
    pub due_after: Option<DateTime<Utc>>,
    /// Due before.
    pub due_before: Option<DateTime<Utc>>,
}

/// A page of activities.
pub async fn activities(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: ActivityFilter,
    page: PageRequest,
) -> Result<Page<activity::Model>> {
    viewer.require(Area::Activities, Action::Read)?;
    let mut query =
        activity::Entity::find_in(viewer.workspace).filter(activity::Column::ArchivedAt.is_null());
    if let Some(owner) = filter.owner_id {
        query = query.filter(activity::Column::OwnerId.eq(owner));
    }
    match filter.done {
        Some(true) => query = query.filter(activity::Column::DoneAt.is_not_null()),
        Some(false) => query = query.filter(activity::Column::DoneAt.is_null()),
        None => {}
    }
    if let Some(after) = filter.due_after {
        query = query.filter(activity::Column::DueAt.gte(after));
    }
    if let Some(before) = filter.due_before {
        query = query.filter(activity::Column::DueAt.lt(before));
    }
    page::load(db, query, activity::Column::Id, |a| a.id, page).await
}

/// A page of tickets.
pub async fn tickets(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    page: PageRequest,
) -> Result<Page<ticket::Model>> {
    viewer.require(Area::Tickets, Action::Read)?;
    let query =
        ticket::Entity::find_in(viewer.workspace).filter(ticket::Column::ArchivedAt.is_null());
    page::load(db, query, ticket::Column::Id, |t| t.id, page).await
}

/// The workspace's pipelines in order.
pub async fn pipelines(db: &impl ConnectionTrait, viewer: &Viewer) -> Result<Vec<pipeline::Model>> {
    viewer.require(Area::Pipelines, Action::Read)?;
    Ok(pipeline::Entity::find_in(viewer.workspace)
        .filter(pipeline::Column::ArchivedAt.is_null())
        .order_by_asc(pipeline::Column::Position)
        .all(db)
        .await?)
}

/// The stages of `pipelines`, grouped by pipeline, in order.
pub async fn stages_of(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    pipelines: &[Uuid],
) -> Result<HashMap<Uuid, Vec<stage::Model>>> {
    viewer.require(Area::Pipelines, Action::Read)?;
    let rows = stage::Entity::find_in(viewer.workspace)
        .filter(stage::Column::PipelineId.is_in(pipelines.iter().copied()))
        .filter(stage::Column::ArchivedAt.is_null())
        .order_by_asc(stage::Column::Position)
        .all(db)
        .await?;
    let mut grouped: HashMap<Uuid, Vec<stage::Model>> = HashMap::new();
    for row in rows {
        grouped.entry(row.pipeline_id).or_default().push(row);
    }
    Ok(grouped)
}

/// Rows of `E` with these ids, by id (for loaders).
pub async fn by_ids<E: TenantScoped>(
    db: &impl ConnectionTrait,
    workspace: WorkspaceId,
    ids: &[Uuid],
    id_of: impl Fn(&E::Model) -> Uuid,
) -> Result<HashMap<Uuid, E::Model>> {
    let rows = E::find_in(workspace)
        .filter(E::ID.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| (id_of(&row), row)).collect())
}

/// `?` or `$n` placeholders for the backend, numbered from `first`.
pub(crate) fn placeholders(backend: DbBackend, first: usize, count: usize) -> Vec<String> {
    (first..first + count)
        .map(|n| {
            if backend == DbBackend::Postgres {
                format!("${n}")
            } else {
                "?".to_owned()
            }
        })
        .collect()
}

/// The first `limit` rows of `table` per parent (`parent_column IN
/// parents`), ordered by `order` (an SQL expression over alias `t`), with
/// `extra` conditions: one statement for all parents (a window function,
/// which SQLite and PostgreSQL both have).
#[expect(
    clippy::too_many_arguments,
    reason = "one statement's parts, each a plain value"
)]
pub(crate) async fn top_per_parent<M: FromQueryResult>(
    db: &impl ConnectionTrait,
    workspace: WorkspaceId,
    table: &str,
    parent_column: &str,
    parents: &[Uuid],
    order: &str,
    extra: &str,
    limit: u64,
) -> Result<HashMap<Uuid, Vec<M>>> {
    if parents.is_empty() {
        return Ok(HashMap::new());
    }
    let backend = db.get_database_backend();
    let marks = placeholders(backend, 1, parents.len() + 2);
    let sql = format!(
        "SELECT * FROM (SELECT t.*, t.{parent_column} AS pulse_parent, \
         ROW_NUMBER() OVER (PARTITION BY t.{parent_column} ORDER BY {order}) AS pulse_rank \
         FROM {table} t WHERE t.workspace_id = {} AND t.{parent_column} IN ({}) {extra}) ranked \
         WHERE pulse_rank <= {} ORDER BY pulse_rank",
        marks[0],
        marks[1..=parents.len()].join(", "),
        marks[parents.len() + 1],
    );
    let mut values: Vec<SqlValue> = vec![workspace.0.into()];
    values.extend(parents.iter().map(|p| SqlValue::from(*p)));
    values.push(SqlValue::from(i64::try_from(limit).unwrap_or(i64::MAX)));
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let mut grouped: HashMap<Uuid, Vec<M>> = HashMap::new();
    for row in rows {
        let parent: Uuid = row.try_get("", "pulse_parent")?;
        grouped
            .entry(parent)
            .or_default()
            .push(M::from_query_result(&row, "")?);
    }
    Ok(grouped)
}

/// Money totals per currency, minor units.
pub type Totals = Vec<(String, i64)>;

/// The figures of a contact's or organization's `stats`.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Value of won deals, per currency.
    pub lifetime_value: Totals,
    /// Value of open deals, per currency.
    pub open_pipeline_value: Totals,
    /// Number of won deals.
    pub won_deals: u64,
}

/// Deal figures of many contacts or organizations (`parent_column` is
/// `contact_id` or `organization_id`) in one aggregate statement.
pub async fn deal_stats(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    parent_column: &str,
    parents: &[Uuid],
) -> Result<HashMap<Uuid, Stats>> {
    viewer.require(Area::Deals, Action::Read)?;
    if parents.is_empty() {
        return Ok(HashMap::new());
    }
    let backend = db.get_database_backend();
    let marks = placeholders(backend, 1, parents.len() + 1);
    let sql = format!(
        "SELECT {parent_column} AS parent, currency, status, CAST(SUM(value_amount) AS BIGINT) AS total, COUNT(*) AS deals \
         FROM deal WHERE workspace_id = {} AND archived_at IS NULL AND {parent_column} IN ({}) \
         GROUP BY {parent_column}, currency, status",
        marks[0],
        marks[1..].join(", ")
    );
    let mut values: Vec<SqlValue> = vec![viewer.workspace.0.into()];
    values.extend(parents.iter().map(|p| SqlValue::from(*p)));
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let mut stats: HashMap<Uuid, Stats> = HashMap::new();
    for row in rows {
        let parent: Uuid = row.try_get("", "parent")?;
        let currency: String = row.try_get("", "currency")?;
        let status: String = row.try_get("", "status")?;
        let total: i64 = row.try_get("", "total")?;
        let count: i64 = row.try_get("", "deals")?;
        let entry = stats.entry(parent).or_default();
        match status.as_str() {
            "won" => {
                entry.lifetime_value.push((currency, total));
                entry.won_deals += u64::try_from(count).unwrap_or(0);
            }
            "open" => entry.open_pipeline_value.push((currency, total)),
            _ => {}
        }
    }
    for entry in stats.values_mut() {
        entry.lifetime_value.sort();
        entry.open_pipeline_value.sort();
    }
    Ok(stats)
}

/// Tags on many records of one type, in one statement.
pub async fn tags_of(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    entity_type: EntityType,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<tag::Model>>> {
    let taggings = tagging::Entity::find_in(viewer.workspace)
        .filter(tagging::Column::EntityType.eq(entity_type))
        .filter(tagging::Column::EntityId.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let mut tag_ids: Vec<Uuid> = taggings.iter().map(|t| t.tag_id).collect();
    tag_ids.sort();
    tag_ids.dedup();
    let tags = by_ids::<tag::Entity>(db, viewer.workspace, &tag_ids, |t| t.id).await?;
    let mut grouped: HashMap<Uuid, Vec<tag::Model>> = HashMap::new();
    for tagging in taggings {
        if let Some(tag) = tags.get(&tagging.tag_id) {
            grouped
                .entry(tagging.entity_id)
                .or_default()
                .push(tag.clone());
        }
    }
    for tags in grouped.values_mut() {
        tags.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(grouped)
}

/// Custom-field values as sorted `(key, value)` pairs.
pub fn custom_field_entries(values: &Value) -> Vec<(String, Value)> {
    let mut entries: Vec<(String, Value)> = values
        .as_object()
        .map(|o| o.clone().into_iter().collect())
        .unwrap_or_default();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries
}

/// One row of `E` in the viewer's workspace, if the viewer may read `area`.
pub async fn get<E: TenantScoped>(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    area: Area,
    id: Uuid,
) -> Result<Option<E::Model>> {
    viewer.require(area, Action::Read)?;
    Ok(E::find_by_id_in(viewer.workspace, id).one(db).await?)
}
