//! Opaque global ids with a type prefix (`usr_…`, `team_…`): clients never
//! see raw table ids, and `node(id:)` knows what to load (DESIGN.md section 3).

use async_graphql::ID;
use uuid::Uuid;

/// The kinds of record with a global id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A workspace.
    Workspace,
    /// A user.
    User,
    /// A team.
    Team,
    /// An API token.
    ApiToken,
    /// A contact.
    Contact,
    /// An organization.
    Organization,
    /// A deal.
    Deal,
    /// A pipeline.
    Pipeline,
    /// A pipeline stage.
    Stage,
    /// An activity.
    Activity,
    /// An interaction.
    Interaction,
    /// A note.
    Note,
    /// A ticket.
    Ticket,
    /// A tag.
    Tag,
    /// A lead.
    Lead,
    /// A campaign.
    Campaign,
    /// A custom-field definition.
    CustomField,
    /// A goal.
    Goal,
}

const PREFIXES: &[(Kind, &str)] = &[
    (Kind::Workspace, "ws"),
    (Kind::User, "usr"),
    (Kind::Team, "team"),
    (Kind::ApiToken, "tok"),
    (Kind::Contact, "con"),
    (Kind::Organization, "org"),
    (Kind::Deal, "deal"),
    (Kind::Pipeline, "pipe"),
    (Kind::Stage, "stage"),
    (Kind::Activity, "act"),
    (Kind::Interaction, "int"),
    (Kind::Note, "note"),
    (Kind::Ticket, "tkt"),
    (Kind::Tag, "tag"),
    (Kind::Lead, "lead"),
    (Kind::Campaign, "cmp"),
    (Kind::CustomField, "cf"),
    (Kind::Goal, "goal"),
];

impl Kind {
    fn prefix(self) -> &'static str {
        PREFIXES
            .iter()
            .find(|(kind, _)| *kind == self)
            .map(|(_, prefix)| *prefix)
            .expect("BUG: every kind has a prefix")
    }
}

/// The global id of a `kind` row.
pub fn encode(kind: Kind, id: Uuid) -> ID {
    ID(format!("{}_{}", kind.prefix(), id.simple()))
}

/// The kind and row id of a global id; `None` for anything malformed.
pub fn decode(id: &str) -> Option<(Kind, Uuid)> {
    let (prefix, raw) = id.split_once('_')?;
    let kind = PREFIXES
        .iter()
        .find(|(_, p)| *p == prefix)
        .map(|(k, _)| *k)?;
    Uuid::try_parse(raw).ok().map(|uuid| (kind, uuid))
}

/// The row id of a global id that must be of `kind`.
pub fn decode_as(kind: Kind, id: &str) -> Option<Uuid> {
    decode(id).filter(|(k, _)| *k == kind).map(|(_, uuid)| uuid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_check_their_kind() {
        let uuid = Uuid::now_v7();
        let id = encode(Kind::User, uuid);
        assert!(id.starts_with("usr_"));
        assert_eq!(decode(&id), Some((Kind::User, uuid)));
        assert_eq!(decode_as(Kind::Team, &id), None);
        assert_eq!(decode("usr_nonsense"), None);
        assert_eq!(decode("nope"), None);
    }
}
