//! Who is calling and what they may do (DESIGN.md section 4): the
//! [`Viewer`] built once per request or socket, scopes for API tokens, and
//! the role matrix for users. Pure rules: no GraphQL, no HTTP, no database.

use std::{collections::BTreeSet, fmt, str::FromStr};

use entity::{
    WorkspaceId,
    enums::{ActorKind, Role},
};
use uuid::Uuid;

use crate::error::Error;

/// A part of the API a permission applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Area {
    /// Contacts.
    Contacts,
    /// Organizations.
    Organizations,
    /// Leads.
    Leads,
    /// Deals.
    Deals,
    /// Pipelines and stages.
    Pipelines,
    /// Activities.
    Activities,
    /// Interactions and tracked events.
    Interactions,
    /// Notes.
    Notes,
    /// Tickets.
    Tickets,
    /// Campaigns.
    Campaigns,
    /// Tags and custom-field definitions.
    Tags,
    /// Goals.
    Goals,
    /// Analytics queries.
    Analytics,
    /// Domain-event streams.
    Events,
    /// Users, teams and API tokens.
    Users,
    /// Workspace settings.
    Workspace,
}

/// Every area with its scope name, in documentation order.
pub const AREAS: &[(Area, &str)] = &[
    (Area::Contacts, "contacts"),
    (Area::Organizations, "organizations"),
    (Area::Leads, "leads"),
    (Area::Deals, "deals"),
    (Area::Pipelines, "pipelines"),
    (Area::Activities, "activities"),
    (Area::Interactions, "interactions"),
    (Area::Notes, "notes"),
    (Area::Tickets, "tickets"),
    (Area::Campaigns, "campaigns"),
    (Area::Tags, "tags"),
    (Area::Goals, "goals"),
    (Area::Analytics, "analytics"),
    (Area::Events, "events"),
    (Area::Users, "users"),
    (Area::Workspace, "workspace"),
];

impl Area {
    /// The area's name in scope strings.
    pub fn name(self) -> &'static str {
        AREAS
            .iter()
            .find(|(area, _)| *area == self)
            .map(|(_, name)| *name)
            .expect("BUG: every area is listed in AREAS")
    }
}

/// What is done in an area.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Queries.
    Read,
    /// Mutations.
    Write,
    /// Subscriptions.
    Subscribe,
}

impl Action {
    /// The action's name in scope strings.
    pub fn name(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Write => "write",
            Action::Subscribe => "subscribe",
        }
    }
}

/// One granted scope: `area:action`, `area:*`, or `admin` (everything).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Everything, like an admin user.
    Admin,
    /// One action in one area.
    Grant(Area, Action),
    /// Every action in one area.
    All(Area),
}

impl Scope {
    /// Whether this scope covers `action` in `area`.
    pub fn covers(self, area: Area, action: Action) -> bool {
        match self {
            Scope::Admin => true,
            Scope::All(a) => a == area,
            Scope::Grant(a, act) => a == area && act == action,
        }
    }
}

impl FromStr for Scope {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s == "admin" {
            return Ok(Scope::Admin);
        }
        let unknown = || {
            format!("unknown scope `{s}`; scopes look like `contacts:read`, `deals:*` or `admin`")
        };
        let (area, action) = s.split_once(':').ok_or_else(unknown)?;
        let area = AREAS
            .iter()
            .find(|(_, name)| *name == area)
            .map(|(a, _)| *a)
            .ok_or_else(unknown)?;
        let action = match action {
            "*" => return Ok(Scope::All(area)),
            "read" => Action::Read,
            "write" => Action::Write,
            "subscribe" => Action::Subscribe,
            _ => return Err(unknown()),
        };
        Ok(Scope::Grant(area, action))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Admin => f.write_str("admin"),
            Scope::All(area) => write!(f, "{}:*", area.name()),
            Scope::Grant(area, action) => write!(f, "{}:{}", area.name(), action.name()),
        }
    }
}

/// The scopes of an API token.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ScopeSet(BTreeSet<Scope>);

impl ScopeSet {
    /// Parses scope strings; an empty list or an unknown scope is refused.
    pub fn parse<S: AsRef<str>>(scopes: &[S]) -> Result<ScopeSet, String> {
        let parsed = scopes
            .iter()
            .map(|s| s.as_ref().parse::<Scope>())
            .collect::<Result<BTreeSet<_>, _>>()?;
        if parsed.is_empty() {
            return Err("an API token needs at least one scope".to_owned());
        }
        Ok(ScopeSet(parsed))
    }

    /// Whether any scope covers `action` in `area`.
    pub fn allows(&self, area: Area, action: Action) -> bool {
        self.0.iter().any(|scope| scope.covers(area, action))
    }

    /// The scopes as strings, sorted.
    pub fn to_strings(&self) -> Vec<String> {
        self.0.iter().map(ToString::to_string).collect()
    }
}

/// Who caused a change, as recorded on its domain event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    /// User, API token or system.
    pub kind: ActorKind,
    /// The user's or token's id; none for the system.
    pub id: Option<Uuid>,
}

impl Actor {
    /// Pulse itself (CLI, seeding).
    pub const SYSTEM: Actor = Actor {
        kind: ActorKind::System,
        id: None,
    };
}

/// The authenticated principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// A signed-in user.
    User {
        /// The user's id.
        id: Uuid,
        /// Their role, as stored now.
        role: Role,
        /// Their team.
        team_id: Option<Uuid>,
        /// The login session family the access token belongs to.
        session: Option<Uuid>,
    },
    /// A third-party app's API token.
    ApiToken {
        /// The token's id.
        id: Uuid,
        /// Its scopes.
        scopes: ScopeSet,
    },
}

/// The caller of one request or WebSocket connection: built once, centrally,
/// and the only source of the workspace every query is scoped to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Viewer {
    /// The workspace all access is bound to.
    pub workspace: WorkspaceId,
    /// Who is calling.
    pub principal: Principal,
}

impl Viewer {
    /// The actor recorded on the changes this viewer makes.
    pub fn actor(&self) -> Actor {
        match &self.principal {
            Principal::User { id, .. } => Actor {
                kind: ActorKind::User,
                id: Some(*id),
            },
            Principal::ApiToken { id, .. } => Actor {
                kind: ActorKind::ApiToken,
                id: Some(*id),
            },
        }
    }

    /// The calling user's id, if a user is calling.
    pub fn user_id(&self) -> Option<Uuid> {
        match &self.principal {
            Principal::User { id, .. } => Some(*id),
            Principal::ApiToken { .. } => None,
        }
    }

    /// Whether the viewer may do `action` in `area` at all (records may add
    /// ownership rules on top, see [`Viewer::may_edit`]).
    pub fn allows(&self, area: Area, action: Action) -> bool {
        match &self.principal {
            Principal::ApiToken { scopes, .. } => scopes.allows(area, action),
            Principal::User { role, .. } => role_allows(*role, area, action),
        }
    }

    /// Like [`Viewer::allows`], as a FORBIDDEN error naming what is missing.
    pub fn require(&self, area: Area, action: Action) -> Result<(), Error> {
        if self.allows(area, action) {
            return Ok(());
        }
        Err(Error::Forbidden(match &self.principal {
            Principal::ApiToken { .. } => format!(
                "This API token lacks the `{}:{}` scope.",
                area.name(),
                action.name()
            ),
            Principal::User { role, .. } => format!(
                "The role `{}` may not {} {}.",
                role_name(*role),
                action.name(),
                area.name()
            ),
        }))
    }

    /// Whether the viewer may edit a record owned by `owner` (whose team is
    /// `owner_team`): members their own, managers their team's, admins and
    /// owners everything; API tokens with the write scope any record.
    pub fn may_edit(&self, owner: Option<Uuid>, owner_team: Option<Uuid>) -> bool {
        match &self.principal {
            Principal::ApiToken { .. } => true,
            Principal::User {
                id, role, team_id, ..
            } => match role {
                Role::Owner | Role::Admin => true,
                Role::Manager => {
                    owner == Some(*id) || (team_id.is_some() && owner_team == *team_id)
                }
                Role::Member => owner == Some(*id),
                Role::Viewer => false,
            },
        }
    }

    /// Whether the viewer administers the workspace (users, tokens, settings).
    pub fn is_admin(&self) -> bool {
        self.allows(Area::Users, Action::Write)
    }
}

/// The role matrix: everyone reads and subscribes; members, managers, admins
/// and owners write CRM records; only admins and owners write users, tokens
/// and workspace settings.
fn role_allows(role: Role, area: Area, action: Action) -> bool {
    match (role, action) {
        (_, Action::Read | Action::Subscribe) => true,
        (Role::Owner | Role::Admin, Action::Write) => true,
        (Role::Manager | Role::Member, Action::Write) => !matches!(
            area,
            Area::Users | Area::Workspace | Area::Analytics | Area::Events
        ),
        (Role::Viewer, Action::Write) => false,
    }
}

/// A role's name as the API shows it.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Owner => "owner",
        Role::Admin => "admin",
        Role::Manager => "manager",
        Role::Member => "member",
        Role::Viewer => "viewer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, team: Option<Uuid>) -> Viewer {
        Viewer {
            workspace: WorkspaceId(Uuid::nil()),
            principal: Principal::User {
                id: Uuid::from_u128(1),
                role,
                team_id: team,
                session: None,
            },
        }
    }

    fn token(scopes: &[&str]) -> Viewer {
        Viewer {
            workspace: WorkspaceId(Uuid::nil()),
            principal: Principal::ApiToken {
                id: Uuid::from_u128(2),
                scopes: ScopeSet::parse(scopes).expect("valid scopes"),
            },
        }
    }

    #[test]
    fn scopes_parse_and_print_round_trip() {
        for s in [
            "contacts:read",
            "deals:write",
            "organizations:*",
            "events:subscribe",
            "admin",
        ] {
            assert_eq!(
                s.parse::<Scope>().map(|scope| scope.to_string()),
                Ok(s.to_owned())
            );
        }
        for bad in ["contacts", "contacts:delete", "crm:read", ""] {
            assert!(bad.parse::<Scope>().is_err(), "{bad}");
        }
        assert!(ScopeSet::parse::<&str>(&[]).is_err());
    }

    #[test]
    fn a_read_scope_does_not_grant_writes_or_other_areas() {
        let viewer = token(&["contacts:read"]);
        assert!(viewer.allows(Area::Contacts, Action::Read));
        assert!(!viewer.allows(Area::Contacts, Action::Write));
        assert!(!viewer.allows(Area::Deals, Action::Read));
        assert!(token(&["deals:*"]).allows(Area::Deals, Action::Write));
        assert!(token(&["admin"]).allows(Area::Users, Action::Write));
    }

    #[test]
    fn the_role_matrix_holds() {
        assert!(!user(Role::Viewer, None).allows(Area::Contacts, Action::Write));
        assert!(user(Role::Viewer, None).allows(Area::Deals, Action::Read));
        assert!(user(Role::Member, None).allows(Area::Deals, Action::Write));
        assert!(!user(Role::Member, None).allows(Area::Users, Action::Write));
        assert!(!user(Role::Manager, None).allows(Area::Users, Action::Write));
        assert!(user(Role::Admin, None).allows(Area::Users, Action::Write));
    }

    #[test]
    fn members_edit_their_own_and_managers_their_teams_records() {
        let me = Uuid::from_u128(1);
        let colleague = Uuid::from_u128(9);
        let team = Some(Uuid::from_u128(7));
        assert!(user(Role::Member, team).may_edit(Some(me), team));
        assert!(!user(Role::Member, team).may_edit(Some(colleague), team));
        assert!(user(Role::Manager, team).may_edit(Some(colleague), team));
        assert!(!user(Role::Manager, team).may_edit(Some(colleague), Some(Uuid::from_u128(8))));
        assert!(!user(Role::Manager, None).may_edit(Some(colleague), None));
        assert!(user(Role::Admin, None).may_edit(Some(colleague), None));
        assert!(!user(Role::Viewer, team).may_edit(Some(me), team));
    }
}
