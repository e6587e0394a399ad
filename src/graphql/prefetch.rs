//! Priming the request's loaders from a list resolver.
//!
//! DataLoader batches by time window: the nested fields of a page resolve a
//! few at a time on a multi-threaded runtime, so one field's keys can spread
//! over several windows and several statements. A list resolver knows its
//! whole page and (through look-ahead) the fields asked of it, so it loads
//! each selected nested field for all rows at once, level by level, and the
//! field resolvers then find their rows in the request cache. The number of
//! statements is then fixed by the query's shape, not by the page size.

use std::collections::BTreeSet;

use async_graphql::{Context, SelectionField, Value};
use entity::{activity, deal, enums::EntityType, note, ticket};
use uuid::Uuid;

use super::{
    loaders::{
        ActivitiesOf, ContactsOf, DealsOf, Loaders, NotesOf, OrganizationById, Owner, PipelineById,
        StageById, StatsOf, TagsOf, TicketsOf, TimelineOf, UserById,
    },
    types::{loader, touchpoints::timeline_query},
};
use crate::domain::crm::timeline::Item;

/// The selections of the page's nodes (`edges { node { … } }` and `nodes`).
fn node_fields<'a>(ctx: &'a Context<'a>) -> Vec<SelectionField<'a>> {
    let mut fields = Vec::new();
    for list in ctx.field().selection_set() {
        match list.name() {
            "edges" => {
                for edge_field in list.selection_set().filter(|f| f.name() == "node") {
                    fields.extend(edge_field.selection_set());
                }
            }
            "nodes" => fields.extend(list.selection_set()),
            _ => {}
        }
    }
    fields
}

/// Whether `name` is selected anywhere below `field`.
fn selects(field: &SelectionField<'_>, name: &str) -> bool {
    field
        .selection_set()
        .any(|child| child.name() == name || selects(&child, name))
}

fn argument(field: &SelectionField<'_>, name: &str) -> Option<Value> {
    field
        .arguments()
        .ok()?
        .into_iter()
        .find(|(n, _)| n.as_str() == name)
        .map(|(_, v)| v)
}

fn enum_arg(field: &SelectionField<'_>, name: &str) -> Option<String> {
    match argument(field, name)? {
        Value::Enum(value) => Some(value.to_string()),
        _ => None,
    }
}

/// Loads `keys` into the cache (one batch), ignoring the values here.
async fn prime<K>(loader: &Loaders, keys: Vec<K>) -> async_graphql::Result<()>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    super::loaders::CrmLoader: async_graphql::dataloader::Loader<K, Error = async_graphql::Error>,
{
    if !keys.is_empty() {
        loader.load_many(keys).await?;
    }
    Ok(())
}

/// Primes the nested fields of a page of contacts or organizations.
pub async fn customers(
    ctx: &Context<'_>,
    owners: &[Owner],
    organizations: &[Uuid],
) -> async_graphql::Result<()> {
    let loader = loader(ctx)?;
    if ctx.data_opt::<super::loaders::Uncached>().is_some() {
        return Ok(());
    }
    let fields = node_fields(ctx);
    if owners.is_empty() || fields.is_empty() {
        return Ok(());
    }
    let mut stages = BTreeSet::new();
    let mut users = BTreeSet::new();
    let mut pipelines = BTreeSet::new();
    let mut wants_org_contacts = false;
    for field in &fields {
        match field.name() {
            "organization" => {
                prime(
                    loader,
                    organizations
                        .iter()
                        .map(|id| OrganizationById(*id))
                        .collect(),
                )
                .await?;
                wants_org_contacts |= field.selection_set().any(|f| f.name() == "contacts");
            }
            "contacts" => {
                prime(
                    loader,
                    owners.iter().map(|o| ContactsOf(owner_id(*o))).collect(),
                )
                .await?
            }
            "owner" => {}
            "deals" => {
                let status = match enum_arg(field, "status").as_deref() {
                    Some("OPEN") => Some(entity::enums::DealStatus::Open),
                    Some("WON") => Some(entity::enums::DealStatus::Won),
                    Some("LOST") => Some(entity::enums::DealStatus::Lost),
                    _ => None,
                };
                let keys: Vec<DealsOf> = owners.iter().map(|o| DealsOf(*o, status)).collect();
                let loaded = loader.load_many(keys).await?;
                let deals: Vec<&deal::Model> = loaded.values().flatten().collect();
                if selects(field, "stage") {
                    stages.extend(deals.iter().map(|d| d.stage_id));
                }
                if selects(field, "pipeline") {
                    pipelines.extend(deals.iter().map(|d| d.pipeline_id));
                }
                if selects(field, "owner") {
                    users.extend(deals.iter().filter_map(|d| d.owner_id));
                }
            }
            "activities" => {
                let window = match enum_arg(field, "window").as_deref() {
                    Some("UPCOMING") => Some(true),
                    Some("PAST") => Some(false),
                    _ => None,
                };
                let loaded = loader
                    .load_many(owners.iter().map(|o| ActivitiesOf(*o, window)))
                    .await?;
                if selects(field, "owner") {
                    users.extend(
                        loaded
                            .values()
                            .flatten()
                            .filter_map(|a: &activity::Model| a.owner_id),
                    );
                }
            }
            "timeline" => {
                let Ok(query) = timeline_query(ctx, field, owners[0]) else {
                    continue;
                };
                let keys: Vec<TimelineOf> = owners
                    .iter()
                    .map(|o| TimelineOf(query.clone(), owner_id(*o)))
                    .collect();
                let loaded = loader.load_many(keys).await?;
                let wants_stages = selects(field, "toStage") || selects(field, "fromStage");
                for item in loaded.values().flat_map(|t| t.items.iter()) {
                    if let Item::StageChange(change) = item
                        && wants_stages
                    {
                        stages.insert(change.to_stage_id);
                        stages.extend(change.from_stage_id);
                    }
                }
            }
            "tickets" => {
                let loaded = loader
                    .load_many(owners.iter().map(|o| TicketsOf(*o)))
                    .await?;
                if selects(field, "assignee") {
                    users.extend(
                        loaded
                            .values()
                            .flatten()
                            .filter_map(|t: &ticket::Model| t.assignee_id),
                    );
                }
            }
            "notes" => {
                let loaded = loader.load_many(owners.iter().map(|o| NotesOf(*o))).await?;
                if selects(field, "author") {
                    users.extend(
                        loaded
                            .values()
                            .flatten()
                            .filter_map(|n: &note::Model| n.author_id),
                    );
                }
            }
            "tags" => {
                let entity_type = match owners[0] {
                    Owner::Contact(_) => EntityType::Contact,
                    Owner::Organization(_) => EntityType::Organization,
                };
                prime(
                    loader,
                    owners
                        .iter()
                        .map(|o| TagsOf(entity_type, owner_id(*o)))
                        .collect(),
                )
                .await?;
            }
            "stats" => {
                prime(loader, owners.iter().map(|o| StatsOf(*o)).collect()).await?;
                if field.selection_set().any(|f| f.name() == "nextActivity") {
                    prime(
                        loader,
                        owners
                            .iter()
                            .map(|o| ActivitiesOf(*o, Some(true)))
                            .collect(),
                    )
                    .await?;
                }
            }
            _ => {}
        }
    }
    if wants_org_contacts {
        prime(
            loader,
            organizations.iter().map(|id| ContactsOf(*id)).collect(),
        )
        .await?;
    }
    prime(loader, stages.into_iter().map(StageById).collect()).await?;
    prime(loader, users.into_iter().map(UserById).collect()).await?;
    prime(loader, pipelines.into_iter().map(PipelineById).collect()).await?;
    Ok(())
}

fn owner_id(owner: Owner) -> Uuid {
    match owner {
        Owner::Contact(id) | Owner::Organization(id) => id,
    }
}
