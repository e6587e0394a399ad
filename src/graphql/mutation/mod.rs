//! Root mutation fields, one object per area, merged into [`Mutation`].

use async_graphql::{ID, MaybeUndefined, MergedObject};
use uuid::Uuid;

use super::ids::{Kind, decode_as};

mod crm;
mod identity;
mod leads;
mod pipeline;
mod service;
mod sessions;

/// The root mutation type.
#[derive(MergedObject, Default)]
pub struct Mutation(
    sessions::SessionMutation,
    identity::IdentityMutation,
    crm::CrmMutation,
    pipeline::PipelineMutation,
    leads::LeadMutation,
    service::ServiceMutation,
);

/// The row id behind a global id of `kind`. A malformed or foreign id becomes
/// an id that matches nothing, so the domain answers it as not found.
fn id(kind: Kind, id: &ID) -> Uuid {
    decode_as(kind, id).unwrap_or_else(Uuid::nil)
}

/// [`id`] of an optional global id.
fn opt_id(kind: Kind, value: Option<&ID>) -> Option<Uuid> {
    value.map(|v| id(kind, v))
}

/// An optional input that may be cleared: absent → unchanged, `null` →
/// cleared, a value → set.
fn maybe<T, U>(value: MaybeUndefined<T>, f: impl FnOnce(T) -> U) -> Option<Option<U>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(f(v))),
    }
}
