//! GraphQL object types, one file per area.

pub mod identity;
pub mod node;
