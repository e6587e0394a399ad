//! Campaigns, custom-field definitions and goals.

use async_graphql::{Enum, ID, Json, Object};
use chrono::{DateTime, Utc};
use entity::{campaign, custom_field, goal};
use serde_json::Value;

use super::scalars::{Channel, Date, Money};
use crate::graphql::ids::{Kind, encode};

/// Kinds of record that tags and custom fields apply to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::enums::EntityType")]
pub enum RecordType {
    /// Contacts.
    Contact,
    /// Organizations.
    Organization,
    /// Deals.
    Deal,
    /// Leads.
    Lead,
}

/// Value type of a custom field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::enums::FieldType")]
pub enum FieldType {
    /// A string.
    Text,
    /// A number.
    Number,
    /// An integer amount in minor units.
    Money,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// True or false.
    Bool,
    /// One of the field's options.
    Enum,
}

/// What a goal counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[graphql(remote = "entity::enums::GoalMetric")]
pub enum GoalMetric {
    /// Value of deals won.
    WonValue,
    /// Number of deals won.
    WonCount,
    /// Activities completed.
    ActivitiesDone,
}

/// A marketing campaign.
pub struct Campaign(pub campaign::Model);

/// A marketing campaign: the attribution source of leads and deals.
#[Object]
impl Campaign {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Campaign, self.0.id)
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Main channel.
    async fn channel(&self) -> Channel {
        self.0.channel.into()
    }
    /// Budget.
    async fn budget(&self) -> Option<Money> {
        self.0
            .budget_amount
            .map(|minor| Money::from_minor(minor, &self.0.currency))
    }
    /// First day.
    async fn starts_on(&self) -> Option<Date> {
        self.0.starts_on.map(Date)
    }
    /// Last day.
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Date)
    }
    /// Optimistic-concurrency version.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// When it was archived.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
}

/// A workspace-defined field.
pub struct CustomFieldDefinition(pub custom_field::Model);

/// A workspace-defined field; values live in the records' `customFields` and
/// are validated against it.
#[Object]
impl CustomFieldDefinition {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::CustomField, self.0.id)
    }
    /// Record type it applies to.
    async fn record_type(&self) -> RecordType {
        self.0.entity_type.into()
    }
    /// Key in `customFields`.
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// Display label.
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// Value type.
    async fn field_type(&self) -> FieldType {
        self.0.field_type.into()
    }
    /// Allowed values of an enum field.
    async fn options(&self) -> Json<Value> {
        Json(self.0.options.clone())
    }
    /// When it was retired.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
}

/// A target for a period.
pub struct Goal(pub goal::Model);

/// A target per user, team or workspace for a period.
#[Object]
impl Goal {
    /// Global id.
    pub async fn id(&self) -> ID {
        encode(Kind::Goal, self.0.id)
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What is counted.
    async fn metric(&self) -> GoalMetric {
        self.0.metric.into()
    }
    /// First day.
    async fn period_start(&self) -> Date {
        Date(self.0.period_start)
    }
    /// Last day.
    async fn period_end(&self) -> Date {
        Date(self.0.period_end)
    }
    /// The target amount of a `WON_VALUE` goal.
    async fn target_value(&self) -> Option<Money> {
        self.0
            .currency
            .as_deref()
            .map(|currency| Money::from_minor(self.0.target, currency))
    }
    /// The target count of a `WON_COUNT` or `ACTIVITIES_DONE` goal.
    async fn target_count(&self) -> Option<String> {
        self.0.currency.is_none().then(|| self.0.target.to_string())
    }
    /// Optimistic-concurrency version; updates must send it.
    async fn version(&self) -> i32 {
        self.0.version
    }
}
