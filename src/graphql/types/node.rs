//! The Relay `Node` interface and `node(id:)` resolution.

use async_graphql::{ID, Interface};

use super::identity::{ApiToken, Team, User, Workspace};
use crate::{
    domain::{
        access::Viewer,
        identity::{accounts, tokens, users},
    },
    error::Result,
    graphql::{
        ApiContext,
        ids::{Kind, decode},
    },
};

/// Any record with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Global id."))]
pub enum Node {
    /// A workspace.
    Workspace(Workspace),
    /// A user.
    User(User),
    /// A team.
    Team(Team),
    /// An API token.
    ApiToken(ApiToken),
}

/// Loads the record behind a global id in the viewer's workspace: another
/// workspace's id, a malformed id and a missing row are all simply `None`.
pub async fn load(api: &ApiContext, viewer: &Viewer, id: &str) -> Result<Option<Node>> {
    let Some((kind, uuid)) = decode(id) else {
        return Ok(None);
    };
    let db = &api.db;
    Ok(match kind {
        Kind::Workspace if uuid == viewer.workspace.0 => Some(Node::Workspace(Workspace(
            accounts::current_workspace(db, viewer).await?,
        ))),
        Kind::Workspace => None,
        Kind::User => users::get_user(db, viewer, uuid)
            .await?
            .map(|u| Node::User(User(u))),
        Kind::Team => users::get_team(db, viewer, uuid)
            .await?
            .map(|t| Node::Team(Team(t))),
        Kind::ApiToken => tokens::get_api_token(db, viewer, uuid)
            .await?
            .map(|t| Node::ApiToken(ApiToken(t))),
    })
}
