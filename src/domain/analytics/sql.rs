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
