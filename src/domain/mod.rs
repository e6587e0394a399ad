//! Business rules and the values they are expressed in. Nothing here knows
//! GraphQL or HTTP (DESIGN.md section 1); functions take `&impl
//! ConnectionTrait` and return `crate::Result`.

pub mod access;
pub mod analytics;
pub mod crm;
pub mod email;
pub mod events;
pub mod identity;
pub mod ids;
pub mod money;
pub mod page;
pub mod password;
pub mod secrets;
