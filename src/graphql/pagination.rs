//! Page sizes of list fields: every list is capped, and its complexity is its
//! page size times the cost of one item (DESIGN.md sections 3 and 5).

use async_graphql::{
    OutputType, SimpleObject,
    connection::{Connection, Edge, EmptyFields},
};
use uuid::Uuid;

use crate::{
    config::Limits,
    domain::page::{Cursor, Page, PageRequest},
    error::Error,
};

/// `totalCount` on every connection.
#[derive(SimpleObject)]
pub struct TotalCount {
    /// Rows matching the filter, across all pages.
    pub total_count: u64,
}

/// A Relay connection with `totalCount`.
pub type PulseConnection<T> = Connection<String, T, TotalCount, EmptyFields>;

/// The opaque form of a cursor: `c<id>` in id order, `s<hex of JSON>` in a
/// column order.
fn cursor(cursor: &Cursor) -> String {
    match &cursor.sort {
        None => format!("c{}", cursor.id.simple()),
        Some(_) => {
            let json = serde_json::to_vec(cursor).unwrap_or_default();
            format!(
                "s{}",
                json.iter().map(|b| format!("{b:02x}")).collect::<String>()
            )
        }
    }
}

fn parse_cursor(name: &str, cursor: &str) -> Result<Cursor, Error> {
    let invalid = || Error::Validation(format!("`{name}` is not a cursor this API returned"));
    if let Some(raw) = cursor.strip_prefix('c') {
        return Uuid::try_parse(raw)
            .map(|id| Cursor { id, sort: None })
            .map_err(|_| invalid());
    }
    let hex = cursor.strip_prefix('s').ok_or_else(invalid)?;
    if hex.len() % 2 != 0 || hex.len() > 2_000 {
        return Err(invalid());
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| invalid())?;
    serde_json::from_slice(&bytes).map_err(|_| invalid())
}

/// Checks Relay arguments against the page-size cap and decodes cursors;
/// counts the total only when the selection asks for `totalCount`.
pub fn page_request(
    ctx: &async_graphql::Context<'_>,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
    limits: &Limits,
) -> Result<PageRequest, Error> {
    if first.is_some() && last.is_some() {
        return Err(Error::Validation(
            "pass `first` or `last`, not both".to_owned(),
        ));
    }
    let size = PageSize::parse(
        first.or(last),
        limits.default_page_size,
        limits.max_page_size,
    )
    .map_err(Error::Validation)?;
    Ok(PageRequest {
        size: size.get() as u64,
        backward: last.is_some(),
        after: after
            .as_deref()
            .map(|c| parse_cursor("after", c))
            .transpose()?,
        before: before
            .as_deref()
            .map(|c| parse_cursor("before", c))
            .transpose()?,
        with_total: ctx.look_ahead().field("totalCount").exists(),
    })
}

/// A domain page as a connection, each row mapped to its GraphQL type.
pub fn connection<M, T: OutputType>(page: Page<M>, node: impl Fn(M) -> T) -> PulseConnection<T> {
    let mut connection = Connection::with_additional_fields(
        page.has_previous,
        page.has_next,
        TotalCount {
            total_count: page.total,
        },
    );
    connection.edges.extend(
        page.rows
            .into_iter()
            .map(|(c, row)| Edge::new(cursor(&c), node(row))),
    );
    connection
}

/// Page size assumed for complexity when a list argument gives none.
pub const DEFAULT_PAGE_COST: usize = 20;

/// The complexity of a list field: the requested page size (or
/// [`DEFAULT_PAGE_COST`]) times the complexity of one item, plus the field itself.
pub fn list_complexity(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let page = first
        .or(last)
        .map_or(DEFAULT_PAGE_COST, |n| usize::try_from(n).unwrap_or(0));
    page.saturating_mul(child_complexity).saturating_add(1)
}

/// A requested page size, checked against the configured cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageSize(usize);

impl PageSize {
    /// Validates a client's `first`/`last`: absent means `default`, negative or
    /// above `max` is refused with a message the client can act on.
    pub fn parse(requested: Option<i32>, default: usize, max: usize) -> Result<PageSize, String> {
        match requested {
            None => Ok(PageSize(default)),
            Some(n) if n < 0 => Err(format!("page size must not be negative, got {n}")),
            Some(n) if n as usize > max => Err(format!("page size must be at most {max}, got {n}")),
            Some(n) => Ok(PageSize(n as usize)),
        }
    }

    /// The number of rows to return.
    pub fn get(self) -> usize {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_defaults_and_caps() {
        assert_eq!(PageSize::parse(None, 20, 100), Ok(PageSize(20)));
        assert_eq!(
            PageSize::parse(Some(100), 20, 100).map(PageSize::get),
            Ok(100)
        );
        assert!(PageSize::parse(Some(101), 20, 100).is_err());
        assert!(PageSize::parse(Some(-1), 20, 100).is_err());
    }

    #[test]
    fn cursors_round_trip_in_both_orders() {
        let plain = Cursor {
            id: Uuid::now_v7(),
            sort: None,
        };
        let sorted = Cursor {
            id: Uuid::now_v7(),
            sort: Some(crate::domain::page::SortValue::Text("Lovelace".to_owned())),
        };
        assert_eq!(parse_cursor("after", &cursor(&plain)).ok(), Some(plain));
        assert_eq!(parse_cursor("after", &cursor(&sorted)).ok(), Some(sorted));
        assert!(parse_cursor("after", "s7g").is_err());
        assert!(parse_cursor("after", "nonsense").is_err());
    }

    #[test]
    fn lists_cost_their_page_size() {
        assert_eq!(list_complexity(Some(50), None, 3), 151);
        assert_eq!(list_complexity(None, Some(10), 2), 21);
        assert_eq!(list_complexity(None, None, 1), 21);
        assert_eq!(list_complexity(Some(-5), None, 1), 1);
    }
}
