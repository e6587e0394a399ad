//! Keyset pagination: stable under inserts, no OFFSET scans. Rows are
//! ordered by their UUIDv7 id (creation order), or by a column with the id
//! as tie-breaker; a cursor carries the id and, for a column order, the
//! row's value in that column.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select, Value,
};
use uuid::Uuid;

use crate::error::{Error, Result};

/// A row's value in the sort column.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum SortValue {
    /// A text column.
    Text(String),
    /// An integer column.
    Int(i64),
    /// A timestamp column.
    Time(DateTime<Utc>),
}

impl From<SortValue> for Value {
    fn from(value: SortValue) -> Value {
        match value {
            SortValue::Text(s) => s.into(),
            SortValue::Int(n) => n.into(),
            SortValue::Time(t) => t.into(),
        }
    }
}

/// Where a page starts or ends.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cursor {
    /// The row's id.
    pub id: Uuid,
    /// The row's sort value; none for the default (id) order.
    pub sort: Option<SortValue>,
}

/// Which page to load; sizes are already validated against the caps.
#[derive(Clone, Debug, Default)]
pub struct PageRequest {
    /// Rows to return.
    pub size: u64,
    /// Return rows before the cursor, from the end (`last`/`before`).
    pub backward: bool,
    /// Rows after this cursor.
    pub after: Option<Cursor>,
    /// Rows before this cursor.
    pub before: Option<Cursor>,
    /// Whether to count all matching rows (a second statement; skipped when
    /// the client did not ask for `totalCount`).
    pub with_total: bool,
}

/// A column order.
#[derive(Clone, Copy, Debug)]
pub struct Sort<C> {
    /// The column.
    pub column: C,
    /// Largest first.
    pub descending: bool,
}

/// One page of rows.
#[derive(Debug)]
pub struct Page<M> {
    /// The rows with their cursors.
    pub rows: Vec<(Cursor, M)>,
    /// Whether rows exist before the first one.
    pub has_previous: bool,
    /// Whether rows exist after the last one.
    pub has_next: bool,
    /// Rows matching the filter, ignoring the cursors (0 unless asked for).
    pub total: u64,
}

/// Loads a page of `query` in id order.
pub async fn load<E>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    id: E::Column,
    id_of: impl Fn(&E::Model) -> Uuid,
    page: PageRequest,
) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
{
    load_sorted(db, query, id, id_of, None, |_| SortValue::Int(0), page).await
}

/// Loads a page of `query` ordered by `sort` (then id), or by id alone.
/// `value_of` reads a row's sort value for its cursor.
pub async fn load_sorted<E>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    id: E::Column,
    id_of: impl Fn(&E::Model) -> Uuid,
    sort: Option<Sort<E::Column>>,
    value_of: impl Fn(&E::Model) -> SortValue,
    page: PageRequest,
) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let total = if page.with_total {
        query.clone().count(db).await?
    } else {
        0
    };
    let descending = sort.is_some_and(|s| s.descending);
    let mut query = query;
    // "After" in the listed order: greater when ascending, smaller when
    // descending; "before" the opposite.
    if let Some(after) = &page.after {
        query = query.filter(beyond(id, sort, after, !descending)?);
    }
    if let Some(before) = &page.before {
        query = query.filter(beyond(id, sort, before, descending)?);
    }
    // A backward page reads from the end, then is put back in order.
    let reverse = page.backward != descending;
    let direction = if reverse { Order::Desc } else { Order::Asc };
    if let Some(sort) = sort {
        query = query.order_by(sort.column, direction.clone());
    }
    let query = query.order_by(id, direction);
    let mut rows: Vec<E::Model> = query.limit(page.size + 1).all(db).await?;
    let more = rows.len() as u64 > page.size;
    rows.truncate(
        usize::try_from(page.size)
            .map_err(anyhow::Error::from)
            .map_err(Error::from)?,
    );
    if page.backward {
        rows.reverse();
    }
    let (has_previous, has_next) = if page.backward {
        (more, page.before.is_some())
    } else {
        (page.after.is_some(), more)
    };
    Ok(Page {
        rows: rows
            .into_iter()
            .map(|row| {
                let cursor = Cursor {
                    id: id_of(&row),
                    sort: sort.map(|_| value_of(&row)),
                };
                (cursor, row)
            })
            .collect(),
        has_previous,
        has_next,
        total,
    })
}

/// Rows past `cursor`: greater (`greater`) or smaller in (sort, id) order.
fn beyond<C: ColumnTrait>(
    id: C,
    sort: Option<Sort<C>>,
    cursor: &Cursor,
    greater: bool,
) -> Result<Condition> {
    let past_id = if greater {
        id.gt(cursor.id)
    } else {
        id.lt(cursor.id)
    };
    match (sort, &cursor.sort) {
        (None, _) => Ok(Condition::all().add(past_id)),
        (Some(sort), Some(value)) => {
            let value: Value = value.clone().into();
            let past_value = if greater {
                sort.column.gt(value.clone())
            } else {
                sort.column.lt(value.clone())
            };
            Ok(Condition::any()
                .add(past_value)
                .add(Condition::all().add(sort.column.eq(value)).add(past_id)))
        }
        (Some(_), None) => Err(Error::Validation(
            "the cursor belongs to another order".to_owned(),
        )),
    }
}
