//! `signUp`: a new workspace with its owner.

use chrono::Utc;
use entity::{
    WorkspaceId,
    enums::{ActorKind, Role},
    user, workspace,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection};
use serde_json::json;

use super::{check_password, fail_on, parse_name, users};
use crate::{
    domain::{
        access::Actor,
        email::Email,
        events::{self, Event},
        ids, password,
    },
    error::{FieldError, Result, is_unique_violation},
};

/// What `signUp` needs.
pub struct SignUp {
    /// The workspace's display name.
    pub workspace_name: String,
    /// Its slug; derived from the name when absent.
    pub workspace_slug: Option<String>,
    /// The owner's name.
    pub name: String,
    /// The owner's e-mail (the login).
    pub email: String,
    /// The owner's password.
    pub password: String,
}

/// Creates a workspace and its owner in one transaction.
pub async fn sign_up(
    db: &DatabaseConnection,
    input: SignUp,
) -> Result<(workspace::Model, user::Model)> {
    let mut errors = Vec::new();
    let workspace_name = parse_name("workspaceName", &input.workspace_name, &mut errors);
    let slug = slugify(input.workspace_slug.as_deref().unwrap_or(&workspace_name));
    if !(2..=40).contains(&slug.len()) {
        errors.push(FieldError::invalid(
            "workspaceSlug",
            "must be 2 to 40 lower-case letters, digits or dashes",
        ));
    }
    let name = parse_name("name", &input.name, &mut errors);
    let email = Email::parse(&input.email)
        .map_err(|m| errors.push(FieldError::invalid("email", m)))
        .ok();
    check_password("password", &input.password, &mut errors);
    fail_on(errors)?;
    let email = email.expect("BUG: a parse error was reported above");

    let password = input.password;
    let hash = tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(anyhow::Error::from)??;
    let now = Utc::now();
    let txn = crate::db::begin(db).await?;
    let workspace = workspace::ActiveModel {
        id: Set(ids::new_id()),
        name: Set(workspace_name),
        slug: Set(slug),
        default_currency: Set("EUR".to_owned()),
        time_zone: Set("UTC".to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        archived_at: Set(None),
    }
    .insert(&txn)
    .await
    .map_err(|e| unique_to_field(e, "workspaceSlug", "This workspace slug is taken."))?;
    let owner = user::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(workspace.id),
        team_id: Set(None),
        email: Set(email.to_string()),
        name: Set(name),
        password_hash: Set(hash),
        role: Set(Role::Owner),
        active: Set(true),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        archived_at: Set(None),
    }
    .insert(&txn)
    .await
    .map_err(|e| unique_to_field(e, "email", "An account with this e-mail exists already."))?;
    let actor = Actor {
        kind: ActorKind::User,
        id: Some(owner.id),
    };
    let ws = WorkspaceId(workspace.id);
    events::record(
        &txn,
        ws,
        actor,
        Event {
            event_type: "workspace.created",
            entity_type: "workspace",
            entity_id: workspace.id,
            payload: json!({ "after": { "name": workspace.name, "slug": workspace.slug } }),
        },
    )
    .await?;
    events::record(&txn, ws, actor, users::created_event(&owner)).await?;
    txn.commit().await?;
    Ok((workspace, owner))
}

/// A unique-constraint violation as a `CONFLICT` field error; anything else
/// as it is.
pub(crate) fn unique_to_field(error: sea_orm::DbErr, field: &str, message: &str) -> crate::Error {
    if is_unique_violation(&error) {
        crate::Error::field(FieldError::taken(field, message))
    } else {
        error.into()
    }
}

/// Lower-case letters, digits and single dashes.
fn slugify(input: &str) -> String {
    let mut slug = String::new();
    for c in input.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

/// The viewer's own workspace.
pub async fn current_workspace(
    db: &DatabaseConnection,
    viewer: &crate::domain::access::Viewer,
) -> Result<workspace::Model> {
    workspace::Entity::find_by_workspace_id(viewer.workspace)
        .one(db)
        .await?
        .ok_or(crate::Error::NotFound("workspace"))
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs_keep_letters_digits_and_single_dashes() {
        assert_eq!(slugify("Acme Analytics GmbH"), "acme-analytics-gmbh");
        assert_eq!(slugify("  --Big & Co. 2  "), "big-co-2");
    }
}
