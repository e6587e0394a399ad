//! One deterministic data generator behind `seed --demo` (the `acme` demo
//! workspace) and `seed --scale N` (benchmark volumes). Both run in one
//! transaction: a failed seed leaves nothing behind.

use std::fmt;

use anyhow::{Context, bail};
use entity::workspace;
use sea_orm::DatabaseConnection;

mod buffer;
mod generate;
mod words;

/// Slug of the demo workspace.
pub const DEMO_SLUG: &str = "acme";
/// Password of every demo user.
pub const DEMO_PASSWORD: &str = "pulse-demo-password";
/// The demo users, one per role: owner, admin, manager, member, viewer.
pub const DEMO_EMAILS: [&str; 5] = [
    "owner@acme.test",
    "admin@acme.test",
    "manager@acme.test",
    "rep@acme.test",
    "viewer@acme.test",
];

/// Random seed of the demo data: the same seed gives the same workspace.
const DEMO_SEED: u64 = 0x5055_4c53_4520_0001;
/// Random seed of scale data.
const SCALE_SEED: u64 = 0x5055_4c53_4520_0002;

/// How many rows of each kind to generate.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Contacts.
    pub contacts: usize,
    /// Organizations.
    pub organizations: usize,
    /// Deals.
    pub deals: usize,
    /// Leads.
    pub leads: usize,
    /// Activities.
    pub activities: usize,
    /// Interactions.
    pub interactions: usize,
    /// Tickets.
    pub tickets: usize,
    /// Notes.
    pub notes: usize,
    /// Contacts who start a product trial (tracked events).
    pub trial_users: usize,
}

impl Plan {
    /// Volumes proportional to `contacts`, in the demo workspace's ratios.
    pub fn for_contacts(contacts: usize) -> Plan {
        Plan {
            contacts,
            organizations: (contacts / 4).max(1),
            deals: contacts * 3 / 4,
            leads: contacts / 4,
            activities: contacts * 3 / 2,
            interactions: contacts * 3,
            tickets: contacts * 3 / 20,
            notes: contacts / 2,
            trial_users: contacts / 5,
        }
    }
}

/// Rows written per table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Users.
    pub users: usize,
    /// Organizations.
    pub organizations: usize,
    /// Contacts.
    pub contacts: usize,
    /// Campaigns.
    pub campaigns: usize,
    /// Pipelines.
    pub pipelines: usize,
    /// Stages.
    pub stages: usize,
    /// Deals.
    pub deals: usize,
    /// Deal stage changes.
    pub stage_changes: usize,
    /// Leads.
    pub leads: usize,
    /// Activities.
    pub activities: usize,
    /// Interactions.
    pub interactions: usize,
    /// Tracked events.
    pub tracked_events: usize,
    /// Tickets.
    pub tickets: usize,
    /// Notes.
    pub notes: usize,
    /// Taggings.
    pub taggings: usize,
    /// Goals.
    pub goals: usize,
}

impl Counts {
    /// All rows written.
    pub fn total(&self) -> usize {
        let Counts {
            users,
            organizations,
            contacts,
            campaigns,
            pipelines,
            stages,
            deals,
            stage_changes,
            leads,
            activities,
            interactions,
            tracked_events,
            tickets,
            notes,
            taggings,
            goals,
        } = *self;
        users
            + organizations
            + contacts
            + campaigns
            + pipelines
            + stages
            + deals
            + stage_changes
            + leads
            + activities
            + interactions
            + tracked_events
            + tickets
            + notes
            + taggings
            + goals
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} rows ({} users, {} organizations, {} contacts, {} deals with {} stage changes, {} leads, \
             {} activities, {} interactions, {} tracked events, {} tickets, {} notes, {} taggings, {} goals)",
            self.total(),
            self.users,
            self.organizations,
            self.contacts,
            self.deals,
            self.stage_changes,
            self.leads,
            self.activities,
            self.interactions,
            self.tracked_events,
            self.tickets,
            self.notes,
            self.taggings,
            self.goals,
        )
    }
}

/// What `seed --demo` did.
#[derive(Debug)]
pub enum DemoOutcome {
    /// The demo workspace was created with these rows.
    Created(Counts),
    /// It existed already and was left alone (seeding runs on first start only).
    AlreadyPresent,
}

/// Seeds the demo workspace `acme` unless it exists.
pub async fn demo(db: &DatabaseConnection) -> anyhow::Result<DemoOutcome> {
    if workspace_exists(db, DEMO_SLUG).await? {
        return Ok(DemoOutcome::AlreadyPresent);
    }
    let workspace = generate::WorkspaceSpec {
        name: "Acme Analytics",
        slug: DEMO_SLUG,
    };
    let counts = generate::run(db, workspace, Plan::for_contacts(2000), DEMO_SEED).await?;
    Ok(DemoOutcome::Created(counts))
}

/// Seeds a new workspace `slug` with `contacts` contacts and proportional
/// related rows, for benchmarks.
pub async fn scale(db: &DatabaseConnection, slug: &str, contacts: usize) -> anyhow::Result<Counts> {
    if workspace_exists(db, slug).await? {
        bail!("a workspace with slug `{slug}` exists already; pass another --workspace");
    }
    let workspace = generate::WorkspaceSpec {
        name: "Scale Test",
        slug,
    };
    generate::run(db, workspace, Plan::for_contacts(contacts), SCALE_SEED).await
}

async fn workspace_exists(db: &DatabaseConnection, slug: &str) -> anyhow::Result<bool> {
    let found = workspace::Entity::find_by_slug(slug)
        .one(db)
        .await
        .context("looking up the workspace")?;
    Ok(found.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_plan_has_the_documented_volumes() {
        let plan = Plan::for_contacts(2000);
        assert_eq!(
            (plan.organizations, plan.contacts, plan.deals),
            (500, 2000, 1500)
        );
    }
}
