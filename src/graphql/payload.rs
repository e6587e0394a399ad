//! Mutation payloads: `userErrors { field code message }` for input the
//! caller can fix (nothing was written), GraphQL errors for the rest.

use async_graphql::{ErrorExtensions, SimpleObject};

use crate::error::{Error, FieldError};

/// A problem with the input that the caller can fix; nothing was written.
#[derive(Clone, Debug, SimpleObject)]
pub struct UserError {
    /// Path to the input field at fault, e.g. `["input", "email"]`; empty
    /// when no single field is.
    pub field: Vec<String>,
    /// `BAD_USER_INPUT`, `CONFLICT`, `NOT_FOUND` or `UNAUTHENTICATED`.
    pub code: String,
    /// What is wrong, for people.
    pub message: String,
}

impl From<FieldError> for UserError {
    fn from(error: FieldError) -> Self {
        UserError {
            field: error.field,
            code: error.code.to_owned(),
            message: error.message,
        }
    }
}

/// Splits a domain result into the payload's value or its `userErrors`;
/// every other error becomes a GraphQL error with its code.
pub fn user_errors<T>(
    result: Result<T, Error>,
) -> async_graphql::Result<Result<T, Vec<UserError>>> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(Error::Invalid(errors)) => Ok(Err(errors.into_iter().map(UserError::from).collect())),
        Err(error) => Err(error.extend()),
    }
}
