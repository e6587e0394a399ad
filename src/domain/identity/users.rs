//! User and team management, for admins and owners.

use chrono::Utc;
use entity::{TenantScoped, enums::Role, team, user};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::{accounts::unique_to_field, check_password, fail_on, parse_name, sessions};
use crate::{
    domain::{
        access::{Action, Area, Viewer, role_name},
        email::Email,
        events::{self, Event},
        ids, password, secrets,
    },
    error::{Error, FieldError, Result},
};

/// The event of a new user (no secrets in it).
pub(crate) fn created_event(user: &user::Model) -> Event<'static> {
    Event {
        event_type: "user.created",
        entity_type: "user",
        entity_id: user.id,
        payload: json!({ "after": { "name": user.name, "role": role_name(user.role), "teamId": user.team_id } }),
    }
}

/// What `createUser` needs.
pub struct CreateUser {
    /// Login e-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Team.
    pub team_id: Option<Uuid>,
    /// Initial password; a one-time password is generated when absent.
    pub password: Option<String>,
}

/// Creates (invites) a user. Returns the user and, when no password was
/// given, the generated one-time password to hand over.
pub async fn create_user(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: CreateUser,
) -> Result<(user::Model, Option<String>)> {
    viewer.require(Area::Users, Action::Write)?;
    let mut errors = Vec::new();
    let name = parse_name("name", &input.name, &mut errors);
    let email = Email::parse(&input.email)
        .map_err(|m| errors.push(FieldError::invalid("email", m)))
        .ok();
    if let Some(password) = &input.password {
        check_password("password", password, &mut errors);
    }
    if input.role == Role::Owner && !is_owner(viewer) {
        errors.push(FieldError::invalid(
            "role",
            "only an owner can make another owner",
        ));
    }
    if let Some(team_id) = input.team_id
        && team::Entity::find_by_id_in(viewer.workspace, team_id)
            .one(db)
            .await?
            .is_none()
    {
        errors.push(FieldError::not_found(
            "teamId",
            "no such team in this workspace",
        ));
    }
    fail_on(errors)?;
    let email = email.expect("BUG: a parse error was reported above");
    let generated = input.password.is_none().then(|| secrets::random_hex(12));
    let password = input
        .password
        .or_else(|| generated.clone())
        .expect("BUG: one of the two is set");
    let hash = tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(anyhow::Error::from)??;
    let now = Utc::now();
    let txn = crate::db::begin(db).await?;
    let user = user::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(viewer.workspace.0),
        team_id: Set(input.team_id),
        email: Set(email.to_string()),
        name: Set(name),
        password_hash: Set(hash),
        role: Set(input.role),
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
    events::record(&txn, viewer.workspace, viewer.actor(), created_event(&user)).await?;
    txn.commit().await?;
    Ok((user, generated))
}

/// What `updateUser` changes; absent fields stay as they are.
pub struct UpdateUser {
    /// The user.
    pub id: Uuid,
    /// New name.
    pub name: Option<String>,
    /// New role.
    pub role: Option<Role>,
    /// New team: `Some(None)` removes the user from their team.
    pub team_id: Option<Option<Uuid>>,
}

/// Changes a user's name, role or team.
pub async fn update_user(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: UpdateUser,
) -> Result<user::Model> {
    viewer.require(Area::Users, Action::Write)?;
    let target = find_user(db, viewer, input.id).await?;
    let mut errors = Vec::new();
    let name = input
        .name
        .as_deref()
        .map(|n| parse_name("name", n, &mut errors));
    if let Some(role) = input.role {
        if viewer.user_id() == Some(target.id) && role != target.role {
            errors.push(FieldError::invalid(
                "role",
                "you cannot change your own role",
            ));
        }
        if (role == Role::Owner || target.role == Role::Owner) && !is_owner(viewer) {
            errors.push(FieldError::invalid(
                "role",
                "only an owner can grant or take the owner role",
            ));
        }
    }
    if let Some(Some(team_id)) = input.team_id
        && team::Entity::find_by_id_in(viewer.workspace, team_id)
            .one(db)
            .await?
            .is_none()
    {
        errors.push(FieldError::not_found(
            "teamId",
            "no such team in this workspace",
        ));
    }
    fail_on(errors)?;
    let before =
        json!({ "name": target.name, "role": role_name(target.role), "teamId": target.team_id });
    let txn = crate::db::begin(db).await?;
    let mut model: user::ActiveModel = target.into();
    if let Some(name) = name {
        model.name = Set(name);
    }
    if let Some(role) = input.role {
        model.role = Set(role);
    }
    if let Some(team_id) = input.team_id {
        model.team_id = Set(team_id);
    }
    let version = model.version.clone().take().unwrap_or(1);
    model.version = Set(version + 1);
    model.updated_at = Set(Utc::now());
    let user = model.update(&txn).await?;
    let after = json!({ "name": user.name, "role": role_name(user.role), "teamId": user.team_id });
    events::record(
        &txn,
        viewer.workspace,
        viewer.actor(),
        Event {
            event_type: "user.updated",
            entity_type: "user",
            entity_id: user.id,
            payload: json!({ "before": before, "after": after }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}

/// Deactivates a user: they can no longer sign in, and their sessions end.
pub async fn deactivate_user(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
) -> Result<user::Model> {
    viewer.require(Area::Users, Action::Write)?;
    let target = find_user(db, viewer, id).await?;
    if viewer.user_id() == Some(target.id) {
        return Err(Error::field(FieldError::invalid(
            "id",
            "you cannot deactivate yourself",
        )));
    }
    if target.role == Role::Owner && !is_owner(viewer) {
        return Err(Error::field(FieldError::invalid(
            "id",
            "only an owner can deactivate an owner",
        )));
    }
    let txn = crate::db::begin(db).await?;
    let mut model: user::ActiveModel = target.into();
    model.active = Set(false);
    let version = model.version.clone().take().unwrap_or(1);
    model.version = Set(version + 1);
    model.updated_at = Set(Utc::now());
    let user = model.update(&txn).await?;
    sessions::revoke_user_sessions(&txn, viewer.workspace, user.id).await?;
    events::record(
        &txn,
        viewer.workspace,
        viewer.actor(),
        Event {
            event_type: "user.deactivated",
            entity_type: "user",
            entity_id: user.id,
            payload: json!({ "before": { "active": true }, "after": { "active": false } }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}

/// Creates a team.
pub async fn create_team(
    db: &DatabaseConnection,
    viewer: &Viewer,
    name: &str,
) -> Result<team::Model> {
    viewer.require(Area::Users, Action::Write)?;
    let mut errors = Vec::new();
    let name = parse_name("name", name, &mut errors);
    fail_on(errors)?;
    let now = Utc::now();
    let txn = crate::db::begin(db).await?;
    let team = team::ActiveModel {
        id: Set(ids::new_id()),
        workspace_id: Set(viewer.workspace.0),
        name: Set(name),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        archived_at: Set(None),
    }
    .insert(&txn)
    .await
    .map_err(|e| unique_to_field(e, "name", "A team with this name exists already."))?;
    events::record(
        &txn,
        viewer.workspace,
        viewer.actor(),
        Event {
            event_type: "team.created",
            entity_type: "team",
            entity_id: team.id,
            payload: json!({ "after": { "name": team.name } }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(team)
}

/// The active users of the viewer's workspace with these ids (for loaders).
pub async fn users_by_ids(
    db: &DatabaseConnection,
    viewer: &Viewer,
    ids: &[Uuid],
) -> Result<Vec<user::Model>> {
    viewer.require(Area::Users, Action::Read)?;
    Ok(user::Entity::find_in(viewer.workspace)
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

async fn find_user(db: &DatabaseConnection, viewer: &Viewer, id: Uuid) -> Result<user::Model> {
    user::Entity::find_by_id_in(viewer.workspace, id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("user"))
}

fn is_owner(viewer: &Viewer) -> bool {
    matches!(
        viewer.principal,
        crate::domain::access::Principal::User {
            role: Role::Owner,
            ..
        }
    )
}

/// A page of the workspace's users, oldest first.
pub async fn list_users(
    db: &DatabaseConnection,
    viewer: &Viewer,
    page: crate::domain::page::PageRequest,
) -> Result<crate::domain::page::Page<user::Model>> {
    viewer.require(Area::Users, Action::Read)?;
    crate::domain::page::load(
        db,
        user::Entity::find_in(viewer.workspace),
        user::Column::Id,
        |u| u.id,
        page,
    )
    .await
}

/// The workspace's teams, by name.
pub async fn list_teams(db: &DatabaseConnection, viewer: &Viewer) -> Result<Vec<team::Model>> {
    viewer.require(Area::Users, Action::Read)?;
    Ok(sea_orm::QueryOrder::order_by_asc(
        team::Entity::find_in(viewer.workspace),
        team::Column::Name,
    )
    .all(db)
    .await?)
}

/// One user of the viewer's workspace.
pub async fn get_user(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
) -> Result<Option<user::Model>> {
    viewer.require(Area::Users, Action::Read)?;
    Ok(user::Entity::find_by_id_in(viewer.workspace, id)
        .one(db)
        .await?)
}

/// One team of the viewer's workspace.
pub async fn get_team(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
) -> Result<Option<team::Model>> {
    viewer.require(Area::Users, Action::Read)?;
    Ok(team::Entity::find_by_id_in(viewer.workspace, id)
        .one(db)
        .await?)
}
