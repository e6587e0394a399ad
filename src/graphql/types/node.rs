//! The Relay `Node` interface and `node(id:)` resolution.

use async_graphql::{ID, Interface};

use entity::{
    activity, contact, deal, interaction, note, organization, pipeline, stage, tag, ticket,
};

use super::{
    customers::{Contact, Organization, Tag},
    identity::{ApiToken, Team, User, Workspace},
    leads::Lead,
    pipeline::{Deal, Pipeline, Stage},
    settings::{Campaign, Goal},
    touchpoints::{Activity, Interaction, Note, Ticket},
};
use crate::{
    domain::{
        access::{Area, Viewer},
        crm::read::get,
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
    /// A contact.
    Contact(Contact),
    /// An organization.
    Organization(Organization),
    /// A deal.
    Deal(Deal),
    /// A pipeline.
    Pipeline(Pipeline),
    /// A pipeline stage.
    Stage(Stage),
    /// An activity.
    Activity(Activity),
    /// An interaction.
    Interaction(Interaction),
    /// A note.
    Note(Note),
    /// A ticket.
    Ticket(Ticket),
    /// A tag.
    Tag(Tag),
    /// A lead.
    Lead(Lead),
    /// A campaign.
    Campaign(Campaign),
    /// A goal.
    Goal(Goal),
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
        Kind::Contact => get::<contact::Entity>(db, viewer, Area::Contacts, uuid)
            .await?
            .map(|r| Node::Contact(Contact(r))),
        Kind::Organization => get::<organization::Entity>(db, viewer, Area::Organizations, uuid)
            .await?
            .map(|r| Node::Organization(Organization(r))),
        Kind::Deal => get::<deal::Entity>(db, viewer, Area::Deals, uuid)
            .await?
            .map(|r| Node::Deal(Deal(r))),
        Kind::Pipeline => get::<pipeline::Entity>(db, viewer, Area::Pipelines, uuid)
            .await?
            .map(|r| Node::Pipeline(Pipeline(r))),
        Kind::Stage => get::<stage::Entity>(db, viewer, Area::Pipelines, uuid)
            .await?
            .map(|r| Node::Stage(Stage(r))),
        Kind::Activity => get::<activity::Entity>(db, viewer, Area::Activities, uuid)
            .await?
            .map(|r| Node::Activity(Activity(r))),
        Kind::Interaction => get::<interaction::Entity>(db, viewer, Area::Interactions, uuid)
            .await?
            .map(|r| Node::Interaction(Interaction(r))),
        Kind::Note => get::<note::Entity>(db, viewer, Area::Notes, uuid)
            .await?
            .map(|r| Node::Note(Note(r))),
        Kind::Ticket => get::<ticket::Entity>(db, viewer, Area::Tickets, uuid)
            .await?
            .map(|r| Node::Ticket(Ticket(r))),
        Kind::Tag => get::<tag::Entity>(db, viewer, Area::Tags, uuid)
            .await?
            .map(|r| Node::Tag(Tag(r))),
        Kind::Lead => get::<entity::lead::Entity>(db, viewer, Area::Leads, uuid)
            .await?
            .map(|r| Node::Lead(Lead(r))),
        Kind::Campaign => get::<entity::campaign::Entity>(db, viewer, Area::Campaigns, uuid)
            .await?
            .map(|r| Node::Campaign(Campaign(r))),
        Kind::Goal => get::<entity::goal::Entity>(db, viewer, Area::Goals, uuid)
            .await?
            .map(|r| Node::Goal(Goal(r))),
        // Definitions are listed with `customFieldDefinitions`, not nodes.
        Kind::CustomField => None,
    })
}
