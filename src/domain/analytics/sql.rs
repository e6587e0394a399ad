//! A small builder for the analytics statements: placeholders in the
//! backend's syntax, numbered as values are bound, and the few expressions
//! whose spelling differs between SQLite and PostgreSQL.

use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};

use crate::error::Result;

/// One statement being written.
pub struct Sql {
    backend: DbBackend,
    values: Vec<Value>,
}

impl Sql {
    /// A statement for `backend`.
    pub fn new(backend: DbBackend) -> Sql {
        Sql {
            backend,
            values: Vec::new(),
        }
    }

    /// Binds `value`; returns its placeholder, numbered, so it may appear
    /// several times in the statement (`$n` on PostgreSQL, `?n` on SQLite).
    pub fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => format!("?{}", self.values.len()),
        }
    }

    /// Binds each of `values`; returns the placeholders joined by commas.
    pub fn bind_all<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> String {
        values
            .into_iter()
            .map(|v| self.bind(v))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Seconds since the Unix epoch of a timestamp expression, as an integer.
    pub fn epoch(&self, expression: &str) -> String {
        match self.backend {
            DbBackend::Postgres => format!("CAST(EXTRACT(EPOCH FROM {expression}) AS BIGINT)"),
            _ => format!("CAST(strftime('%s', {expression}) AS INTEGER)"),
        }
    }

    /// A floating-point division that neither database turns into an
    /// integer division.
    pub fn ratio(&self, numerator: &str, denominator: &str) -> String {
        format!("CAST({numerator} AS DOUBLE PRECISION) / NULLIF({denominator}, 0)")
    }

    /// Month number (year × 12 + month − 1, UTC) of a timestamp expression.
    pub fn month_index(&self, expression: &str) -> String {
        match self.backend {
            DbBackend::Postgres => format!(
                "CAST(EXTRACT(YEAR FROM {expression} AT TIME ZONE 'UTC') * 12 \
                 + EXTRACT(MONTH FROM {expression} AT TIME ZONE 'UTC') - 1 AS BIGINT)"
            ),
            _ => format!(
                "(CAST(strftime('%Y', {expression}) AS INTEGER) * 12 \
                 + CAST(strftime('%m', {expression}) AS INTEGER) - 1)"
            ),
        }
    }

    /// `YYYY-MM` of a DATE expression.
    pub fn date_month(&self, expression: &str) -> String {
        match self.backend {
            DbBackend::Postgres => format!("to_char({expression}, 'YYYY-MM')"),
            _ => format!("substr({expression}, 1, 7)"),
        }
    }

    /// The day after a DATE expression, comparable with timestamps.
    pub fn day_after(&self, expression: &str) -> String {
        match self.backend {
            DbBackend::Postgres => format!("({expression} + 1)"),
            _ => format!("date({expression}, '+1 day')"),
        }
    }

    /// The median of `value` per `group` over the rows of `from` (a
    /// subquery or table expression), as `(group, median)` rows: the middle
    /// value, or the mean of the two middle values.
    pub fn median(group: &str, value: &str, from: &str) -> String {
        format!(
            "SELECT g, CAST(AVG(v) AS DOUBLE PRECISION) AS median FROM ( \
             SELECT {group} AS g, {value} AS v, \
             ROW_NUMBER() OVER (PARTITION BY {group} ORDER BY {value}) AS rn, \
             COUNT(*) OVER (PARTITION BY {group}) AS cnt FROM {from}) ranked \
             WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2) GROUP BY g"
        )
    }

    /// Runs `sql` with the bound values.
    pub async fn all(self, db: &impl ConnectionTrait, sql: String) -> Result<Vec<QueryResult>> {
        Ok(db
            .query_all_raw(Statement::from_sql_and_values(
                self.backend,
                sql,
                self.values,
            ))
            .await?)
    }
}
