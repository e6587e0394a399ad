//! Keyset pagination over UUIDv7 keys (time-ordered, so id order is creation
//! order): stable under inserts, no OFFSET scans.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use uuid::Uuid;

use crate::error::{Error, Result};

/// Which page to load; sizes are already validated against the caps.
#[derive(Clone, Copy, Debug, Default)]
pub struct PageRequest {
    /// Rows to return.
    pub size: u64,
    /// Return rows before the cursor, from the end (`last`/`before`).
    pub backward: bool,
    /// Rows after this id.
    pub after: Option<Uuid>,
    /// Rows before this id.
    pub before: Option<Uuid>,
    /// Whether to count all matching rows (a second statement; skipped when
    /// the client did not ask for `totalCount`).
    pub with_total: bool,
}

/// One page of rows in id order.
#[derive(Debug)]
pub struct Page<M> {
    /// The rows with their ids.
    pub rows: Vec<(Uuid, M)>,
    /// Whether rows exist before the first one.
    pub has_previous: bool,
    /// Whether rows exist after the last one.
    pub has_next: bool,
    /// Rows matching the filter, ignoring the cursors (0 unless asked for).
    pub total: u64,
}

/// Loads a page of `query` ordered by `id`. `id_of` reads a row's id.
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
    let total = if page.with_total {
        query.clone().count(db).await?
    } else {
        0
    };
    let mut query = query;
    if let Some(after) = page.after {
        query = query.filter(id.gt(after));
    }
    if let Some(before) = page.before {
        query = query.filter(id.lt(before));
    }
    let query = if page.backward {
        query.order_by_desc(id)
    } else {
        query.order_by_asc(id)
    };
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
        rows: rows.into_iter().map(|row| (id_of(&row), row)).collect(),
        has_previous,
        has_next,
        total,
    })
}
