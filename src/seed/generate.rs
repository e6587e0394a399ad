//! The generator: a seeded random walk over a year of CRM history, written
//! table by table through [`Buffer`]s inside one transaction.

use anyhow::Context;
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use entity::{enums::*, *};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

use super::{Counts, Plan, buffer::Buffer, words::*};
use crate::domain::{ids, password};

/// The workspace to create.
pub struct WorkspaceSpec<'a> {
    /// Display name.
    pub name: &'a str,
    /// Slug; also the domain of the users' e-mail addresses.
    pub slug: &'a str,
}

/// A stage: name, win probability (percent), rotting threshold (days).
type StageSpec = (&'static str, i16, i32);

/// The pipelines every generated workspace gets.
const PIPELINES: &[(&str, &[StageSpec])] = &[
    (
        "New Business",
        &[
            ("Lead In", 10, 14),
            ("Qualified", 25, 14),
            ("Demo Scheduled", 40, 10),
            ("Proposal Made", 60, 10),
            ("Negotiation", 80, 7),
        ],
    ),
    (
        "Partnerships",
        &[
            ("Sourced", 10, 21),
            ("Intro Call", 30, 21),
            ("Evaluation", 50, 30),
            ("Contract", 75, 14),
        ],
    ),
];

/// Users: e-mail local part, name, role, in the sales team.
const USERS: &[(&str, &str, Role, bool)] = &[
    ("owner", "Olivia Owner", Role::Owner, false),
    ("admin", "Adam Admin", Role::Admin, false),
    ("manager", "Maria Manager", Role::Manager, true),
    ("rep", "Ravi Rep", Role::Member, true),
    ("viewer", "Vera Viewer", Role::Viewer, false),
];

const CAMPAIGNS: &[(&str, Channel, i64)] = &[
    ("Spring Webinar Series", Channel::Event, 800_000),
    ("Data Summit Booth", Channel::Event, 2_500_000),
    ("Search Ads Q1", Channel::Website, 1_200_000),
    ("Newsletter Relaunch", Channel::Email, 150_000),
    ("LinkedIn Outreach", Channel::Social, 600_000),
    ("Partner Referral Program", Channel::Phone, 300_000),
];

/// Generates and writes a workspace according to `plan`.
pub async fn run(
    db: &DatabaseConnection,
    spec: WorkspaceSpec<'_>,
    plan: Plan,
    seed: u64,
) -> anyhow::Result<Counts> {
    // Hash outside the transaction: it is the slow part and touches no table.
    let password_hash = password::hash(super::DEMO_PASSWORD)?;
    let txn = db.begin().await.context("starting the seed transaction")?;
    let mut generator = Generator::new(seed, &spec);
    let counts = generator
        .write(&txn, &spec, plan, &password_hash)
        .await
        .context("writing seed data")?;
    txn.commit().await.context("committing the seed")?;
    // Fresh planner statistics after a bulk load: without them PostgreSQL
    // guessed 658 contacts where there were 100,000 and scanned instead of
    // using the key order (80 ms instead of 0.4 ms for a page).
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        db.execute_unprepared("ANALYZE")
            .await
            .context("analyzing the seeded tables")?;
    }
    Ok(counts)
}

struct Pipeline {
    id: Uuid,
    stages: Vec<Uuid>,
}

/// Ids of what was written so far, for the rows that refer to them.
#[derive(Default)]
struct Written {
    users: Vec<Uuid>,
    /// Users who own records (manager, rep, admin).
    sellers: Vec<Uuid>,
    campaigns: Vec<Uuid>,
    pipelines: Vec<Pipeline>,
    organizations: Vec<Uuid>,
    /// Contact ids with their organization.
    contacts: Vec<(Uuid, Option<Uuid>)>,
    /// Deal ids with their contact.
    deals: Vec<(Uuid, Option<Uuid>)>,
    tags: Vec<Uuid>,
}

struct Generator {
    rng: ChaCha8Rng,
    /// The instant "now" of the generated history: today, 12:00 UTC, so a
    /// seed gives the same rows all day.
    now: DateTime<Utc>,
    workspace: Uuid,
    written: Written,
}

impl Generator {
    fn new(seed: u64, spec: &WorkspaceSpec<'_>) -> Self {
        let today = Utc::now().date_naive();
        let now = Utc.from_utc_datetime(
            &today
                .and_hms_opt(12, 0, 0)
                .expect("BUG: 12:00 is a valid time"),
        );
        let mut rng = ChaCha8Rng::seed_from_u64(
            seed ^ spec
                .slug
                .bytes()
                .fold(0u64, |h, b| h.rotate_left(5) ^ u64::from(b)),
        );
        let workspace = ids::id_at(now - Duration::days(400), rng.random());
        Generator {
            rng,
            now,
            workspace,
            written: Written::default(),
        }
    }

    fn id_at(&mut self, at: DateTime<Utc>) -> Uuid {
        let mut random = [0u8; 10];
        self.rng.fill_bytes(&mut random);
        ids::id_at(at, random)
    }

    /// A random instant between `max` and `min` days before now.
    fn days_ago(&mut self, min: i64, max: i64) -> DateTime<Utc> {
        let seconds = self.rng.random_range(min * 86_400..=max * 86_400);
        self.now - Duration::seconds(seconds)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.random_range(0..items.len())]
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    fn seller(&mut self) -> Uuid {
        let sellers = &self.written.sellers;
        sellers[self.rng.random_range(0..sellers.len())]
    }

    /// The showcase contact (the oldest one with an organization, first in
    /// lists) for row 0 of each kind, so the README's customer-360 example
    /// shows every section; a random contact otherwise.
    fn contact_for(&mut self, i: usize) -> (Uuid, Option<Uuid>) {
        if i == 0
            && let Some(showcase) = self
                .written
                .contacts
                .iter()
                .filter(|(_, org)| org.is_some())
                .min_by_key(|(id, _)| *id)
        {
            return *showcase;
        }
        self.contact()
    }

    fn contact(&mut self) -> (Uuid, Option<Uuid>) {
        let contacts = &self.written.contacts;
        contacts[self.rng.random_range(0..contacts.len())]
    }

    /// A campaign, with probability `p`.
    fn campaign(&mut self, p: f64) -> Option<Uuid> {
        if !self.chance(p) {
            return None;
        }
        let campaigns = &self.written.campaigns;
        Some(campaigns[self.rng.random_range(0..campaigns.len())])
    }

    async fn write(
        &mut self,
        db: &impl ConnectionTrait,
        spec: &WorkspaceSpec<'_>,
        plan: Plan,
        password_hash: &str,
    ) -> Result<Counts, sea_orm::DbErr> {
        let mut counts = Counts::default();
        self.workspace_and_users(db, spec, password_hash, &mut counts)
            .await?;
        self.campaigns_and_pipelines(db, &mut counts).await?;
        self.custom_fields_and_tags(db).await?;
        counts.organizations = self.organizations(db, plan.organizations).await?;
        counts.contacts = self.contacts(db, plan.contacts, spec.slug).await?;
        (counts.deals, counts.stage_changes) = self.deals(db, plan.deals).await?;
        counts.leads = self.leads(db, plan.leads).await?;
        counts.activities = self.activities(db, plan.activities).await?;
        counts.interactions = self.interactions(db, plan.interactions).await?;
        counts.tracked_events = self.tracked_events(db, plan.trial_users).await?;
        counts.tickets = self.tickets(db, plan.tickets).await?;
        counts.notes = self.notes(db, plan.notes).await?;
        counts.taggings = self.taggings(db).await?;
        counts.goals = self.goals(db).await?;
        self.denormalize_last_contacted(db).await?;
        Ok(counts)
    }

    async fn workspace_and_users(
        &mut self,
        db: &impl ConnectionTrait,
        spec: &WorkspaceSpec<'_>,
        password_hash: &str,
        counts: &mut Counts,
    ) -> Result<(), sea_orm::DbErr> {
        let created = self.now - Duration::days(400);
        let mut workspaces = Buffer::new();
        workspaces
            .push(
                db,
                workspace::ActiveModel {
                    id: Set(self.workspace),
                    name: Set(spec.name.to_owned()),
                    slug: Set(spec.slug.to_owned()),
                    default_currency: Set("EUR".to_owned()),
                    time_zone: Set("Europe/Berlin".to_owned()),
                    created_at: Set(created),
                    updated_at: Set(created),
                    version: Set(1),
                    archived_at: Set(None),
                },
            )
            .await?;
        workspaces.finish(db).await?;

        let team_id = self.id_at(created);
        let mut teams = Buffer::new();
        teams
            .push(
                db,
                team::ActiveModel {
                    id: Set(team_id),
                    workspace_id: Set(self.workspace),
                    name: Set("Sales".to_owned()),
                    created_at: Set(created),
                    updated_at: Set(created),
                    version: Set(1),
                    archived_at: Set(None),
                },
            )
            .await?;
        teams.finish(db).await?;

        let mut users = Buffer::new();
        for &(local, name, role, in_team) in USERS {
            let id = self.id_at(created);
            self.written.users.push(id);
            if matches!(role, Role::Admin | Role::Manager | Role::Member) {
                self.written.sellers.push(id);
            }
            users
                .push(
                    db,
                    user::ActiveModel {
                        id: Set(id),
                        workspace_id: Set(self.workspace),
                        team_id: Set(in_team.then_some(team_id)),
                        email: Set(format!("{local}@{}.test", spec.slug)),
                        name: Set(name.to_owned()),
                        password_hash: Set(password_hash.to_owned()),
                        role: Set(role),
                        active: Set(true),
                        last_login_at: Set(None),
                        created_at: Set(created),
                        updated_at: Set(created),
                        version: Set(1),
                        archived_at: Set(None),
                    },
                )
                .await?;
        }
        counts.users = users.finish(db).await?;
        Ok(())
    }

    async fn campaigns_and_pipelines(
        &mut self,
        db: &impl ConnectionTrait,
        counts: &mut Counts,
    ) -> Result<(), sea_orm::DbErr> {
        let mut campaigns = Buffer::new();
        for (i, &(name, channel, budget)) in CAMPAIGNS.iter().enumerate() {
            let starts = (self.now - Duration::days(360 - 60 * i as i64)).date_naive();
            let id = self.id_at(self.now - Duration::days(370 - 60 * i as i64));
            self.written.campaigns.push(id);
            let created = self.now - Duration::days(370 - 60 * i as i64);
            campaigns
                .push(
                    db,
                    campaign::ActiveModel {
                        id: Set(id),
                        workspace_id: Set(self.workspace),
                        name: Set(name.to_owned()),
                        channel: Set(channel),
                        budget_amount: Set(Some(budget)),
                        currency: Set("EUR".to_owned()),
                        starts_on: Set(Some(starts)),
                        ends_on: Set(Some(starts + Duration::days(45))),
                        created_at: Set(created),
                        updated_at: Set(created),
                        version: Set(1),
                        archived_at: Set(None),
                    },
                )
                .await?;
        }
        counts.campaigns = campaigns.finish(db).await?;

        let created = self.now - Duration::days(399);
        let mut pipelines = Buffer::new();
        let mut stages = Buffer::new();
        for (position, &(name, stage_specs)) in PIPELINES.iter().enumerate() {
            let pipeline_id = self.id_at(created);
            pipelines
                .push(
                    db,
                    pipeline::ActiveModel {
                        id: Set(pipeline_id),
                        workspace_id: Set(self.workspace),
                        name: Set(name.to_owned()),
                        position: Set(position as i32),
                        created_at: Set(created),
                        updated_at: Set(created),
                        version: Set(1),
                        archived_at: Set(None),
                    },
                )
                .await?;
            let mut pipeline_stages = Vec::new();
            for (stage_position, &(stage_name, probability, rotting_days)) in
                stage_specs.iter().enumerate()
            {
                let id = self.id_at(created);
                pipeline_stages.push(id);
                stages
                    .push(
                        db,
                        stage::ActiveModel {
                            id: Set(id),
                            workspace_id: Set(self.workspace),
                            pipeline_id: Set(pipeline_id),
                            name: Set(stage_name.to_owned()),
                            position: Set(stage_position as i32),
                            probability: Set(probability),
                            rotting_days: Set(Some(rotting_days)),
                            created_at: Set(created),
                            updated_at: Set(created),
                            version: Set(1),
                            archived_at: Set(None),
                        },
                    )
                    .await?;
            }
            self.written.pipelines.push(Pipeline {
                id: pipeline_id,
                stages: pipeline_stages,
            });
        }
        counts.pipelines = pipelines.finish(db).await?;
        counts.stages = stages.finish(db).await?;
        Ok(())
    }

    async fn custom_fields_and_tags(
        &mut self,
        db: &impl ConnectionTrait,
    ) -> Result<(), sea_orm::DbErr> {
        let created = self.now - Duration::days(398);
        let definitions = [
            (
                EntityType::Organization,
                "tier",
                "Customer tier",
                FieldType::Enum,
                json!(["gold", "silver", "bronze"]),
            ),
            (
                EntityType::Contact,
                "linkedin",
                "LinkedIn profile",
                FieldType::Text,
                json!([]),
            ),
            (
                EntityType::Deal,
                "competitor",
                "Main competitor",
                FieldType::Text,
                json!([]),
            ),
        ];
        let mut fields = Buffer::new();
        for (position, (entity_type, key, label, field_type, options)) in
            definitions.into_iter().enumerate()
        {
            let id = self.id_at(created);
            fields
                .push(
                    db,
                    custom_field::ActiveModel {
                        id: Set(id),
                        workspace_id: Set(self.workspace),
                        entity_type: Set(entity_type),
                        key: Set(key.to_owned()),
                        label: Set(label.to_owned()),
                        field_type: Set(field_type),
                        options: Set(options),
                        position: Set(position as i32),
                        created_at: Set(created),
                        updated_at: Set(created),
                        version: Set(1),
                        archived_at: Set(None),
                    },
                )
                .await?;
        }
        fields.finish(db).await?;
        let mut tags = Buffer::new();
        for &(name, color) in TAGS {
            let id = self.id_at(created);
            self.written.tags.push(id);
            tags.push(
                db,
                tag::ActiveModel {
                    id: Set(id),
                    workspace_id: Set(self.workspace),
                    name: Set(name.to_owned()),
                    color: Set(Some(color.to_owned())),
                    created_at: Set(created),
                    updated_at: Set(created),
                },
            )
            .await?;
        }
        tags.finish(db).await?;
        Ok(())
    }

    async fn organizations(
        &mut self,
        db: &impl ConnectionTrait,
        n: usize,
    ) -> Result<usize, sea_orm::DbErr> {
        let mut rows = Buffer::new();
        for i in 0..n {
            let created = self.days_ago(30, 395);
            let id = self.id_at(created);
            let prefix = self.pick(COMPANY_PREFIXES);
            let suffix = self.pick(COMPANY_SUFFIXES);
            // Names repeat after |prefixes| x |suffixes| companies; a number
            // keeps them distinct.
            let round = i / (COMPANY_PREFIXES.len() * COMPANY_SUFFIXES.len());
            let name = if round == 0 {
                format!("{prefix} {suffix}")
            } else {
                format!("{prefix} {suffix} {}", round + 1)
            };
            let domain = format!("{}{}.example", prefix.to_lowercase(), suffix.to_lowercase());
            let tier = self.pick(&["gold", "silver", "bronze", "bronze"]);
            let owner = self.seller();
            let industry = self.pick(INDUSTRIES);
            let employees = self.rng.random_range(5..20_000);
            self.written.organizations.push(id);
            rows.push(
                db,
                organization::ActiveModel {
                    id: Set(id),
                    workspace_id: Set(self.workspace),
                    name: Set(name),
                    domain: Set(Some(domain)),
                    industry: Set(Some(industry.to_owned())),
                    employee_count: Set(Some(employees)),
                    address: Set(None),
                    custom_fields: Set(json!({ "tier": tier })),
                    last_contacted_at: Set(None),
                    owner_id: Set(Some(owner)),
                    created_at: Set(created),
                    updated_at: Set(created),
                    version: Set(1),
                    archived_at: Set(None),
                },
            )
            .await?;
        }
        rows.finish(db).await
    }

    async fn contacts(
        &mut self,
        db: &impl ConnectionTrait,
        n: usize,
        slug: &str,
    ) -> Result<usize, sea_orm::DbErr> {
        const STAGES: &[LifecycleStage] = &[
            LifecycleStage::Subscriber,
            LifecycleStage::Lead,
            LifecycleStage::Lead,
            LifecycleStage::Qualified,
            LifecycleStage::Opportunity,
            LifecycleStage::Customer,
            LifecycleStage::Customer,
            LifecycleStage::Churned,
        ];
        let mut rows = Buffer::new();
        for i in 0..n {
            let created = self.days_ago(1, 390);
            let id = self.id_at(created);
            let first = self.pick(FIRST_NAMES);
            let last = self.pick(LAST_NAMES);
            let organization = if self.chance(0.85) && !self.written.organizations.is_empty() {
                let organizations = &self.written.organizations;
                Some(organizations[i % organizations.len()])
            } else {
                None
            };
            let email = format!(
                "{}.{}{}@{slug}-customers.example",
                first.to_lowercase(),
                last.to_lowercase(),
                i + 1
            );
            let phone = format!("+49 30 {:07}", self.rng.random_range(0..10_000_000));
            let lifecycle = self.pick(STAGES);
            let source = self.pick(SOURCES);
            let title = self.pick(TITLES);
            let owner = self.seller();
            let score = self.rng.random_range(0..100);
            self.written.contacts.push((id, organization));
            rows.push(
                db,
                contact::ActiveModel {
                    id: Set(id),
                    workspace_id: Set(self.workspace),
                    first_name: Set(first.to_owned()),
                    last_name: Set(last.to_owned()),
                    email: Set(Some(email.clone())),
                    emails: Set(json!([email])),
                    phones: Set(json!([phone])),
                    title: Set(Some(title.to_owned())),
                    lifecycle_stage: Set(lifecycle),
                    source: Set(Some(source.to_owned())),
                    score: Set(score),
                    custom_fields: Set(json!({})),
                    last_contacted_at: Set(None),
                    organization_id: Set(organization),
                    owner_id: Set(Some(owner)),
                    created_at: Set(created),
                    updated_at: Set(created),
                    version: Set(1),
                    archived_at: Set(None),
                },
            )
            .await?;
        }
        rows.finish(db).await
    }

    /// Deals walk their pipeline from the first stage; older deals are more
    /// often closed. Every move is a `deal_stage_change` row.
    async fn deals(
        &mut self,
        db: &impl ConnectionTrait,
        n: usize,
    ) -> Result<(usize, usize), sea_orm::DbErr> {
        let mut deals = Buffer::new();
        // Stage changes refer to deals, so they are written after all deals.
        let mut changes = Vec::new();
        let mut next_position = std::collections::HashMap::<Uuid, i64>::new();
        for i in 0..n {
            let created = self.days_ago(0, 365);
            let id = self.id_at(created);
            let pipeline_index = usize::from(self.chance(0.3));
            let (pipeline_id, stage_count) = {
                let pipeline = &self.written.pipelines[pipeline_index];
                (pipeline.id, pipeline.stages.len())
            };
            let age_days = (self.now - created).num_days();
            let roll: f64 = self.rng.random();
            let status = match age_days {
                45.. if roll < 0.35 => DealStatus::Won,
                45.. if roll < 0.75 => DealStatus::Lost,
                14..45 if roll < 0.15 => DealStatus::Won,
                14..45 if roll < 0.30 => DealStatus::Lost,
                _ => DealStatus::Open,
            };
            let target = match status {
                DealStatus::Won => stage_count - 1,
                _ => self.rng.random_range(0..stage_count),
            };
            let owner = self.seller();
            let mut at = created;
            let mut stage_index = 0;
            let mut from = None;
            loop {
                let to = self.written.pipelines[pipeline_index].stages[stage_index];
                let change_id = self.id_at(at);
                changes.push(deal_stage_change::ActiveModel {
                    id: Set(change_id),
                    workspace_id: Set(self.workspace),
                    deal_id: Set(id),
                    pipeline_id: Set(pipeline_id),
                    from_stage_id: Set(from),
                    to_stage_id: Set(to),
                    changed_by: Set(Some(owner)),
                    changed_at: Set(at),
                });
                from = Some(to);
                if stage_index == target {
                    break;
                }
                let next = at + Duration::hours(self.rng.random_range(24..24 * 21));
                if next >= self.now {
                    break;
                }
                at = next;
                stage_index += 1;
            }
            let stage_id = self.written.pipelines[pipeline_index].stages[stage_index];
            let closed_at = match status {
                DealStatus::Open => None,
                _ => Some((at + Duration::hours(self.rng.random_range(1..24 * 10))).min(self.now)),
            };
            let position = next_position.entry(stage_id).or_insert(0);
            *position += 1024;
            let position = *position;
            let (contact, organization) = self.contact_for(i);
            let product = self.pick(PRODUCTS);
            let currency = if self.chance(0.1) { "USD" } else { "EUR" };
            let value = self.rng.random_range(5..800) * 10_000;
            let expected_close =
                (created + Duration::days(self.rng.random_range(30..120))).date_naive();
            let lost_reason =
                (status == DealStatus::Lost).then(|| self.pick(LOST_REASONS).to_owned());
            let campaign = self.campaign(0.3);
            let source = self.pick(SOURCES);
            let updated = closed_at.unwrap_or(at);
            let competitor = self
                .chance(0.2)
                .then(|| self.pick(&["Salesforce", "HubSpot", "Pipedrive", "Zoho"]));
            self.written.deals.push((id, Some(contact)));
            deals
                .push(
                    db,
                    deal::ActiveModel {
                        id: Set(id),
                        workspace_id: Set(self.workspace),
                        title: Set(format!("{product} deal")),
                        value_amount: Set(value),
                        currency: Set(currency.to_owned()),
                        position: Set(position),
                        status: Set(status),
                        lost_reason: Set(lost_reason),
                        expected_close_date: Set(Some(expected_close)),
                        source: Set(Some(source.to_owned())),
                        stage_entered_at: Set(at),
                        closed_at: Set(closed_at),
                        pipeline_id: Set(pipeline_id),
                        stage_id: Set(stage_id),
                        owner_id: Set(Some(owner)),
                        contact_id: Set(Some(contact)),
                        organization_id: Set(organization),
                        campaign_id: Set(campaign),
                        custom_fields: Set(
                            competitor.map_or_else(|| json!({}), |c| json!({ "competitor": c }))
                        ),
                        created_at: Set(created),
                        updated_at: Set(updated),
                        version: Set(1),
                        archived_at: Set(None),
                    },
                )
                .await?;
        }
        let deals = deals.finish(db).await?;
        let mut change_rows = Buffer::new();
        for change in changes {
            change_rows.push(db, change).await?;
        }
        Ok((deals, change_rows.finish(db).await?))
    }

    async fn leads(
        &mut self,
        db: &impl ConnectionTrait,
        n: usize,
    ) -> Result<usize, sea_orm::DbErr> {
        const STATUSES: &[LeadStatus] = &[
            LeadStatus::New,
            LeadStatus::New,
            LeadStatus::Contacted,
            LeadStatus::Qualified,
            LeadStatus::Disqualified,
            LeadStatus::Converted,
        ];
        const CHANNELS: &[Channel] = &[
            Channel::Website,
            Channel::Email,
            Channel::Event,
            Channel::Phone,
            Channel::Social,
        ];
        let mut rows = Buffer::new();
        for i in 0..n {
            let created = self.days_ago(0, 365);
            let id = self.id_at(created);
            let status = self.pick(STATUSES);
            let (contact, organization) = self.contact();
            let converted_deal = match status {
                LeadStatus::Converted if !self.written.deals.is_empty() => {
                    Some(self.written.deals[i % self.written.deals.len()].0)
                }
                _ => None,
            };
            let known_contact = status != LeadStatus::New || self.chance(0.5);
            let channel = self.pick(CHANNELS);
            let source = self.pick(SOURCES);
            let product = self.pick(PRODUCTS);
            let campaign = self.campaign(0.4);
            let owner = self.seller();
            rows.push(
                db,
                lead::ActiveModel {
                    id: Set(id),
                    workspace_id: Set(self.workspace),
                    title: Set(format!("Interested in {product}")),
                    source: Set(Some(source.to_owned())),
                    channel: Set(Some(channel)),
                    status: Set(status),
                    contact_id: Set(known_contact.then_some(contact)),
                    organization_id: Set(if known_contact { organization } else { None }),
                    campaign_id: Set(campaign),
                    owner_id: Set(Some(owner)),
                    converted_deal_id: Set(converted_deal),
                    custom_fields: Set(json!({})),
                    created_at: Set(created),
                    updated_at: Set(created),
                    version: Set(1),
                    archived_at: Set(None),
                },
            )
            .await?;
        }
        rows.finish(db).await
    }

    /// Activities: most in the past (mostly done, some overdue), the rest due
    /// within the next month.
    async fn activities(
        &mut self,
        db: &impl ConnectionTrait,
        n: usize,
    ) -> Result<usize, sea_orm::DbErr> {
        const KINDS: &[ActivityKind] = &[
            ActivityKind::Call,
            ActivityKind::Call,
            ActivityKind::Meeting,
            ActivityKind::Email,
            ActivityKind::Task,
            ActivityKind::Deadline,
            ActivityKind::Demo,
        ];
        let mut rows = Buffer::new();
        for i in 0..n {
            // The showcase contact's first activity is upcoming.
            let past = self.chance(0.7) && i != 0;
            let due = if past {
                self.days_ago(0, 360)
            } else {
                self.now + Duration::minutes(self.rng.random_range(10..60 * 24 * 30))
            };
            let created = if past {
                due - Duration::days(self.rng.random_range(1..14))
            } else {
                self.days_ago(0, 14)
            };
            let id = self.id_at(created);
            let done_at = (past && self.chance(0.85))
                .then(|| due + Duration::minutes(self.rng.random_range(0..240)));
            let done_at = done_at.map(|at| at.min(self.now));
            let kind = self.pick(KINDS);
            let subject = self.pick(ACTIVITY_SUBJECTS);
            let (contact, organization) = self.contact_for(i);
            let deal = if self.chance(0.5) && !self.written.deals.is_empty() {
                let deals = &self.written.deals;
                Some(deals[self.rng.random_range(0..deals.len())].0)
            } else {
                None
            };
            let owner = self.seller();
            let duration = self.pick(&[15, 30, 30, 45, 60, 90]);
            rows.push(
                db,
                activity::ActiveModel {
                    id: Set(id),
                    workspace_id: Set(self.workspace),
                    kind: Set(kind),
                    subject: Set(subject.to_owned()),
                    note: Set(None),
                    due_at: Set(Some(due)),
                    duration_minutes: Set(Some(duration)),
                    done_at: Set(done_at),
                    owner_id: Set(Some(owner)),
                    deal_id: Set(deal),
                    contact_id: Set(Some(contact)),
                    organization_id: Set(organization),
                    created_at: Set(created),
                    updated_at: Set(done_at.unwrap_or(created)),
                    version: Set(1),
                    archived_at: Set(None),
                },
            )
            .await?;
        }
        rows.finish(db).await
    }

    async fn interactions(
        &mut self,
        db: &impl ConnectionTrait,
        n: usize,
    ) -> Result<usize, sea_orm::DbErr> {
        const CHANNELS: &[Channel] = &[
            Channel::Email,
            Channel::Email,
            Channel::Email,
            Channel::Phone,
            Channel::Phone,
            Channel::Sms,
            Channel::Chat,
            Channel::Chat,
            Channel::Social,
            Channel::Website,
            Channel::Website,
            Channel::InPerson,
            Channel::Event,
        ];
        let mut rows = Buffer::new();
        for i in 0..n {
            let occurred = self.days_ago(0, 365);
            let id = self.id_at(occurred);
            let channel = self.pick(CHANNELS);
            let direction = if self.chance(0.45) {
                Direction::Inbound
            } else {
                Direction::Outbound
            };
            let summary = self.pick(INTERACTION_SUMMARIES);
            let (contact, organization) = self.contact_for(i);
            let campaign = self.campaign(0.2);
            let user = (direction == Direction::Outbound).then(|| self.seller());
            let properties = match channel {
                Channel::Phone => json!({ "duration_seconds": self.rng.random_range(30..3600) }),
                Channel::Email => json!({ "opened": self.chance(0.6) }),
                Channel::Website => {
                    json!({ "page": self.pick(&["/pricing", "/docs", "/blog", "/signup"]) })
                }
                _ => json!({}),
            };
            rows.push(
                db,
                interaction::ActiveModel {
                    id: Set(id),
                    workspace_id: Set(self.workspace),
                    channel: Set(channel),
                    direction: Set(direction),
                    occurred_at: Set(occurred),
                    summary: Set(summary.to_owned()),
                    properties: Set(properties),
                    created_at: Set(occurred),
                    contact_id: Set(Some(contact)),
                    organization_id: Set(organization),
                    deal_id: Set(None),
                    campaign_id: Set(campaign),
                    user_id: Set(user),
                },
            )
            .await?;
        }
        rows.finish(db).await
    }

    /// The trial-onboarding funnel of [`TRIAL_FUNNEL`] for the first
    /// `trial_users` contacts, plus some unrelated product events.
    async fn tracked_events(
        &mut self,
        db: &impl ConnectionTrait,
        trial_users: usize,
    ) -> Result<usize, sea_orm::DbErr> {
        let mut rows = Buffer::new();
        let users = trial_users.min(self.written.contacts.len());
        for i in 0..users {
            let contact = self.written.contacts[i].0;
            let mut at = self.days_ago(3, 180);
            for &(name, share) in TRIAL_FUNNEL {
                if !self.chance(share) {
                    break;
                }
                rows.push(db, self.tracked_event(contact, name, at)).await?;
                at += Duration::minutes(self.rng.random_range(2..60 * 48));
            }
            for _ in 0..self.rng.random_range(0..3) {
                let name = self.pick(OTHER_EVENTS);
                let when = self.days_ago(0, 180);
                rows.push(db, self.tracked_event(contact, name, when))
                    .await?;
            }
        }
        rows.finish(db).await
    }

    fn tracked_event(
        &mut self,
        contact: Uuid,
        name: &str,
        at: DateTime<Utc>,
    ) -> tracked_event::ActiveModel {
        let id = self.id_at(at);
        let plan = self.pick(&["starter", "team", "enterprise"]);
        tracked_event::ActiveModel {
            id: Set(id),
            workspace_id: Set(self.workspace),
            name: Set(name.to_owned()),
            occurred_at: Set(at),
            properties: Set(json!({ "plan": plan })),
            created_at: Set(at),
            contact_id: Set(Some(contact)),
        }
    }

    async fn tickets(
        &mut self,
        db: &impl ConnectionTrait,
        n: usize,
    ) -> Result<usize, sea_orm::DbErr> {
        const STATUSES: &[TicketStatus] = &[
            TicketStatus::Open,
            TicketStatus::Pending,
            TicketStatus::Resolved,
            TicketStatus::Resolved,
            TicketStatus::Closed,
        ];
        const PRIORITIES: &[TicketPriority] = &[
            TicketPriority::Low,
            TicketPriority::Normal,
            TicketPriority::Normal,
            TicketPriority::High,
            TicketPriority::Urgent,
        ];
        const CHANNELS: &[Channel] = &[
            Channel::Email,
            Channel::Chat,
            Channel::Phone,
            Channel::Website,
        ];
        let mut rows = Buffer::new();
        for _ in 0..n {
            let created = self.days_ago(0, 300);
            let id = self.id_at(created);
            let status = self.pick(STATUSES);
            let priority = self.pick(PRIORITIES);
            let channel = self.pick(CHANNELS);
            let subject = self.pick(TICKET_SUBJECTS);
            let (contact, organization) = self.contact();
            let resolved = matches!(status, TicketStatus::Resolved | TicketStatus::Closed)
                .then(|| (created + Duration::hours(self.rng.random_range(1..96))).min(self.now));
            let assignee = self.seller();
            rows.push(
                db,
                ticket::ActiveModel {
                    id: Set(id),
                    workspace_id: Set(self.workspace),
                    subject: Set(subject.to_owned()),
                    description: Set(None),
                    status: Set(status),
                    priority: Set(priority),
                    channel: Set(channel),
                    sla_due_at: Set(Some(created + Duration::hours(48))),
                    resolved_at: Set(resolved),
                    contact_id: Set(Some(contact)),
                    organization_id: Set(organization),
                    assignee_id: Set(Some(assignee)),
                    created_at: Set(created),
                    updated_at: Set(resolved.unwrap_or(created)),
                    version: Set(1),
                    archived_at: Set(None),
                },
            )
            .await?;
        }
        rows.finish(db).await
    }

    async fn notes(
        &mut self,
        db: &impl ConnectionTrait,
        n: usize,
    ) -> Result<usize, sea_orm::DbErr> {
        let mut rows = Buffer::new();
        for i in 0..n {
            let created = self.days_ago(0, 360);
            let id = self.id_at(created);
            let body = self.pick(NOTE_BODIES);
            let (contact, organization) = self.contact_for(i);
            let author = self.seller();
            rows.push(
                db,
                note::ActiveModel {
                    id: Set(id),
                    workspace_id: Set(self.workspace),
                    body: Set(body.to_owned()),
                    author_id: Set(Some(author)),
                    contact_id: Set(Some(contact)),
                    organization_id: Set(organization),
                    deal_id: Set(None),
                    lead_id: Set(None),
                    created_at: Set(created),
                    updated_at: Set(created),
                    version: Set(1),
                    archived_at: Set(None),
                },
            )
            .await?;
        }
        rows.finish(db).await
    }

    /// Tags on a share of contacts, organizations and deals; one tag at most
    /// once per record.
    async fn taggings(&mut self, db: &impl ConnectionTrait) -> Result<usize, sea_orm::DbErr> {
        let mut targets: Vec<(EntityType, Uuid, f64)> = Vec::new();
        targets.extend(
            self.written
                .contacts
                .iter()
                .map(|&(id, _)| (EntityType::Contact, id, 0.25)),
        );
        targets.extend(
            self.written
                .organizations
                .iter()
                .map(|&id| (EntityType::Organization, id, 0.3)),
        );
        targets.extend(
            self.written
                .deals
                .iter()
                .map(|&(id, _)| (EntityType::Deal, id, 0.2)),
        );
        let mut rows = Buffer::new();
        let tag_count = self.written.tags.len();
        for (entity_type, entity_id, share) in targets {
            if !self.chance(share) {
                continue;
            }
            let first = self.rng.random_range(0..tag_count);
            let second = (first + self.rng.random_range(1..tag_count)) % tag_count;
            let picked: &[usize] = if self.chance(0.3) {
                &[first, second]
            } else {
                &[first]
            };
            for &tag in picked {
                let created = self.days_ago(0, 300);
                let id = self.id_at(created);
                rows.push(
                    db,
                    tagging::ActiveModel {
                        id: Set(id),
                        workspace_id: Set(self.workspace),
                        tag_id: Set(self.written.tags[tag]),
                        entity_type: Set(entity_type),
                        entity_id: Set(entity_id),
                        created_at: Set(created),
                    },
                )
                .await?;
            }
        }
        rows.finish(db).await
    }

    /// Monthly won-value goals for each seller this quarter, and a workspace
    /// won-count goal for the quarter.
    async fn goals(&mut self, db: &impl ConnectionTrait) -> Result<usize, sea_orm::DbErr> {
        let today = self.now.date_naive();
        let quarter_start_month = (today.month0() / 3) * 3 + 1;
        let quarter_start = NaiveDate::from_ymd_opt(today.year(), quarter_start_month, 1)
            .expect("BUG: valid month");
        let months: Vec<NaiveDate> = (0..3)
            .filter_map(|i| quarter_start.checked_add_months(chrono::Months::new(i)))
            .collect();
        let quarter_end = quarter_start
            .checked_add_months(chrono::Months::new(3))
            .and_then(|d| d.pred_opt())
            .expect("BUG: valid quarter end");
        let created = self.now - Duration::days(10);
        let mut rows = Buffer::new();
        let sellers = self.written.sellers.clone();
        for seller in sellers {
            for &month in &months {
                let end = month
                    .checked_add_months(chrono::Months::new(1))
                    .and_then(|d| d.pred_opt())
                    .expect("BUG: valid month end");
                let id = self.id_at(created);
                rows.push(
                    db,
                    self.goal(
                        id,
                        "Monthly won value",
                        GoalMetric::WonValue,
                        month,
                        end,
                        5_000_000,
                        Some(seller),
                    ),
                )
                .await?;
            }
        }
        let id = self.id_at(created);
        rows.push(
            db,
            self.goal(
                id,
                "Quarterly deals won",
                GoalMetric::WonCount,
                quarter_start,
                quarter_end,
                120,
                None,
            ),
        )
        .await?;
        rows.finish(db).await
    }

    #[expect(clippy::too_many_arguments, reason = "one row's columns")]
    fn goal(
        &self,
        id: Uuid,
        name: &str,
        metric: GoalMetric,
        start: NaiveDate,
        end: NaiveDate,
        target: i64,
        user: Option<Uuid>,
    ) -> goal::ActiveModel {
        let created = self.now - Duration::days(10);
        goal::ActiveModel {
            id: Set(id),
            workspace_id: Set(self.workspace),
            name: Set(name.to_owned()),
            metric: Set(metric),
            period_start: Set(start),
            period_end: Set(end),
            target: Set(target),
            currency: Set((metric == GoalMetric::WonValue).then(|| "EUR".to_owned())),
            user_id: Set(user),
            team_id: Set(None),
            pipeline_id: Set(None),
            created_at: Set(created),
            updated_at: Set(created),
            version: Set(1),
            archived_at: Set(None),
        }
    }

    /// `last_contacted_at` is the latest interaction; one statement per table
    /// instead of a row loop.
    async fn denormalize_last_contacted(
        &self,
        db: &impl ConnectionTrait,
    ) -> Result<(), sea_orm::DbErr> {
        for (table, column) in [
            ("contact", "contact_id"),
            ("organization", "organization_id"),
        ] {
            let sql = format!(
                "UPDATE {table} SET last_contacted_at = (SELECT MAX(i.occurred_at) FROM interaction i \
                 WHERE i.workspace_id = {table}.workspace_id AND i.{column} = {table}.id) \
                 WHERE workspace_id = $1"
            );
            db.execute_raw(Statement::from_sql_and_values(
                db.get_database_backend(),
                sql,
                [self.workspace.into()],
            ))
            .await?;
        }
        Ok(())
    }
}
