//! The one field-level extension. async-graphql runs every extension's
//! `resolve` hook for every field of every result, subscription pushes
//! included, so the per-field concerns share a single hook: the resolver
//! counter, the anonymous-access check on root fields, and, around each
//! root mutation field, a fresh loader cache before and a sequencer wake-up
//! after.

use std::sync::{Arc, atomic::Ordering};

use async_graphql::{
    ServerResult, Value,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo},
};

use super::{ApiContext, GraphqlCounters, access, loaders};

/// Installs [`FieldHooks`].
pub struct FieldHooks(pub Arc<GraphqlCounters>);

impl ExtensionFactory for FieldHooks {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(FieldHooksExtension(self.0.clone()))
    }
}

struct FieldHooksExtension(Arc<GraphqlCounters>);

#[async_trait::async_trait]
impl Extension for FieldHooksExtension {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        self.0.resolver_calls.fetch_add(1, Ordering::Relaxed);
        if info.path_node.parent.is_some() {
            return next.run(ctx, info).await;
        }
        if let Some(refused) = access::refuse_anonymous(ctx, &info) {
            return Err(refused);
        }
        if info.parent_type != "Mutation" {
            return next.run(ctx, info).await;
        }
        // A mutation never answers with rows cached before an earlier write
        // of the same operation...
        if let Some(loader) = ctx.data_opt::<loaders::Loaders>() {
            loaders::clear(loader);
        }
        let result = next.run(ctx, info).await;
        // ...and the events it committed go out at once, not at the next
        // poll of the sequencer.
        if let Some(api) = ctx.data_opt::<ApiContext>() {
            api.live.written();
        }
        result
    }
}
