//! The one error type of the request path, and its mapping to the fixed set of
//! GraphQL error codes (DESIGN.md section 3). Internal causes are logged once,
//! here, and answered with a generic message: no Rust debug text reaches a
//! client.

use async_graphql::ErrorExtensions;

/// What can go wrong while serving a request.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No or invalid credentials.
    #[error("authentication required")]
    Unauthenticated,
    /// Authenticated, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// The record does not exist in the caller's workspace.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Input the caller can fix.
    #[error("{0}")]
    Validation(String),
    /// Input the caller can fix, per field; mutations answer these as
    /// `userErrors` and write nothing.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// A stale version or a uniqueness clash.
    #[error("{0}")]
    Conflict(String),
    /// Too many requests.
    #[error("rate limit exceeded")]
    RateLimited,
    /// A database failure.
    #[error("database error")]
    Database(#[from] sea_orm::DbErr),
    /// Anything else unexpected.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

/// A problem with one input field, as mutations report it in `userErrors`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Path to the field within the mutation's arguments, e.g.
    /// `["input", "email"]`; empty when no single field is at fault.
    pub field: Vec<String>,
    /// One of the fixed codes of [`code`].
    pub code: &'static str,
    /// A sentence for the user.
    pub message: String,
}

impl FieldError {
    /// A `BAD_USER_INPUT` error on `input.<field>`.
    pub fn invalid(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: vec!["input".to_owned(), field.to_owned()],
            code: code::BAD_USER_INPUT,
            message: message.into(),
        }
    }

    /// A `CONFLICT` error on `input.<field>` (a value that must be unique).
    pub fn taken(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: vec!["input".to_owned(), field.to_owned()],
            code: code::CONFLICT,
            message: message.into(),
        }
    }

    /// A `NOT_FOUND` error on `input.<field>`.
    pub fn not_found(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: vec!["input".to_owned(), field.to_owned()],
            code: code::NOT_FOUND,
            message: message.into(),
        }
    }
}

impl Error {
    /// One field error as an [`Error::Invalid`].
    pub fn field(error: FieldError) -> Error {
        Error::Invalid(vec![error])
    }
}

/// The result type of the request path.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The fixed `extensions.code` values.
pub mod code {
    /// No or invalid credentials.
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    /// Not allowed.
    pub const FORBIDDEN: &str = "FORBIDDEN";
    /// Not found in the caller's workspace.
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// Input the caller can fix, including exceeded request limits.
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    /// Stale version or uniqueness clash.
    pub const CONFLICT: &str = "CONFLICT";
    /// Too many requests.
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    /// A server-side failure.
    pub const INTERNAL: &str = "INTERNAL";
}

impl Error {
    /// Logs the cause of an internal error (the one place it is logged; the
    /// client gets the generic message).
    pub fn log_if_internal(&self) {
        match self {
            Error::Database(cause) => tracing::error!(error = %cause, "database error"),
            Error::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "internal error")
            }
            _ => {}
        }
    }

    /// The `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Unauthenticated => code::UNAUTHENTICATED,
            Error::Forbidden(_) => code::FORBIDDEN,
            Error::NotFound(_) => code::NOT_FOUND,
            Error::Validation(_) | Error::Invalid(_) => code::BAD_USER_INPUT,
            Error::Conflict(_) => code::CONFLICT,
            Error::RateLimited => code::RATE_LIMITED,
            Error::Database(_) | Error::Internal(_) => code::INTERNAL,
        }
    }
}

/// Resolvers answer an [`Error`] with `.extend()`: the GraphQL error with its
/// code. (A plain `?` would use async-graphql's blanket `Display` conversion
/// and drop the code.)
impl ErrorExtensions for Error {
    fn extend(&self) -> async_graphql::Error {
        match self {
            Error::Database(cause) => tracing::error!(error = %cause, "database error"),
            Error::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "internal error")
            }
            _ => {}
        }
        let code = self.code();
        async_graphql::Error::new(self.to_string()).extend_with(|_, e| e.set("code", code))
    }
}

/// Whether a database error is a unique-constraint violation (on SQLite and
/// PostgreSQL alike).
pub fn is_unique_violation(error: &sea_orm::DbErr) -> bool {
    matches!(
        error.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
