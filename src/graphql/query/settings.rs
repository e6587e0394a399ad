//! Campaigns, custom-field definitions and goals.

use async_graphql::{Context, Object};

use crate::{
    domain::crm::settings,
    graphql::{
        access::viewer,
        types::{
            api, gql,
            settings::{Campaign, CustomFieldDefinition, Goal, RecordType},
        },
    },
};

/// Settings queries.
#[derive(Default)]
pub struct SettingsQuery;

#[Object]
impl SettingsQuery {
    /// The workspace's campaigns, newest first.
    async fn campaigns(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Campaign>> {
        let rows = gql(settings::campaigns(&api(ctx)?.db, viewer(ctx)?).await)?;
        Ok(rows.into_iter().map(Campaign).collect())
    }

    /// The active custom-field definitions, optionally of one record type.
    async fn custom_field_definitions(
        &self,
        ctx: &Context<'_>,
        record_type: Option<RecordType>,
    ) -> async_graphql::Result<Vec<CustomFieldDefinition>> {
        let rows =
            gql(
                settings::custom_fields(&api(ctx)?.db, viewer(ctx)?, record_type.map(Into::into))
                    .await,
            )?;
        Ok(rows.into_iter().map(CustomFieldDefinition).collect())
    }

    /// The workspace's goals, latest period first.
    async fn goals(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Goal>> {
        let rows = gql(settings::goals(&api(ctx)?.db, viewer(ctx)?).await)?;
        Ok(rows.into_iter().map(Goal).collect())
    }
}
