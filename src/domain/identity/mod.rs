//! Workspaces, users, teams, login sessions and API tokens.

pub mod accounts;
pub mod sessions;
pub mod tokens;
pub mod users;

use crate::error::FieldError;

/// Checks a display name: trimmed, 1 to 100 characters.
pub(crate) fn parse_name(field: &str, input: &str, errors: &mut Vec<FieldError>) -> String {
    let name = input.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(FieldError::invalid(
            field,
            "must be between 1 and 100 characters",
        ));
    }
    name
}

/// Checks a new password: 10 to 128 characters.
pub(crate) fn check_password(field: &str, password: &str, errors: &mut Vec<FieldError>) {
    let length = password.chars().count();
    if !(10..=128).contains(&length) {
        errors.push(FieldError::invalid(
            field,
            "must be between 10 and 128 characters",
        ));
    }
}

/// Fails with every collected field error, or passes when there are none.
pub(crate) fn fail_on(errors: Vec<FieldError>) -> crate::Result<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(crate::Error::Invalid(errors))
    }
}
