//! Access control in the schema: the [`Viewer`] comes from request data,
//! anonymous callers are refused centrally (default deny), and role and scope
//! checks are guards on fields.

use async_graphql::{
    Context, ErrorExtensionValues, Guard, ServerError,
    extensions::{ExtensionContext, ResolveInfo},
};

use crate::{
    domain::access::{Action, Area, Viewer},
    error::{Error, code},
};

/// The root fields an anonymous caller may use; everything else needs a
/// viewer (issue 3: login, signUp, refreshSession and `__typename` only).
pub const ANONYMOUS_FIELDS: &[&str] = &["login", "signUp", "refreshSession", "__typename"];

/// The viewer of this request, or UNAUTHENTICATED.
pub fn viewer<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Viewer> {
    ctx.data_opt::<Viewer>()
        .ok_or_else(|| async_graphql::ErrorExtensions::extend(&Error::Unauthenticated))
}

/// A guard requiring `action` in `area`: a role check for users, a scope
/// check for API tokens.
pub struct Require(pub Area, pub Action);

impl Guard for Require {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let viewer = viewer(ctx)?;
        viewer
            .require(self.0, self.1)
            .map_err(|error| async_graphql::ErrorExtensions::extend(&error))
    }
}

/// Refuses a root field other than [`ANONYMOUS_FIELDS`] when no viewer is
/// present, before its resolver runs (called for every root field by
/// [`super::hooks::FieldHooks`]): new fields are protected without anyone
/// remembering to.
pub fn refuse_anonymous(ctx: &ExtensionContext<'_>, info: &ResolveInfo<'_>) -> Option<ServerError> {
    if ctx.data_opt::<Viewer>().is_some() || ANONYMOUS_FIELDS.contains(&info.name) {
        return None;
    }
    let mut error = ServerError::new("Authentication required.", Some(info.field.name.pos));
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code::UNAUTHENTICATED);
    error.extensions = Some(extensions);
    Some(error)
}
