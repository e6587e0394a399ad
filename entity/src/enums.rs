//! The closed value sets stored as short strings (snake_case), so both databases
//! hold readable values and adding a variant needs no schema change.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A user's role in their workspace (DESIGN.md section 4).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(24))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Created the workspace; everything an admin can, and cannot be demoted by one.
    Owner,
    /// Everything, plus users, tokens and settings.
    Admin,
    /// Edits their team's records.
    Manager,
    /// Edits the records they own.
    Member,
    /// Reads only.
    Viewer,
}

/// Where a contact is in the customer lifecycle.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(24))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum LifecycleStage {
    /// Receives marketing.
    Subscriber,
    /// Showed interest.
    Lead,
    /// Fits and wants to talk.
    Qualified,
    /// Has an open deal.
    Opportunity,
    /// Has bought.
    Customer,
    /// Stopped buying.
    Churned,
}

/// A communication channel.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(24))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// E-mail.
    Email,
    /// Phone call.
    Phone,
    /// Text message.
    Sms,
    /// Live chat.
    Chat,
    /// Social network.
    Social,
    /// Website visit or form.
    Website,
    /// Met in person.
    InPerson,
    /// Conference, webinar or trade show.
    Event,
}

/// Whether a deal is still being worked.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(24))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum DealStatus {
    /// In progress.
    Open,
    /// Closed won.
    Won,
    /// Closed lost.
    Lost,
}

/// Qualification status of a lead.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(24))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    /// Not yet worked.
    New,
    /// First contact made.
    Contacted,
    /// Worth a deal.
    Qualified,
    /// Not a fit.
    Disqualified,
    /// Turned into a deal.
    Converted,
}

/// Kinds of scheduled work.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(24))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// Phone call.
    Call,
    /// Meeting.
    Meeting,
    /// E-mail to send.
    Email,
    /// To-do.
    Task,
    /// Hard deadline.
    Deadline,
    /// Product demo.
    Demo,
}

/// Who started an interaction.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(24))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The customer.
    Inbound,
    /// The workspace.
    Outbound,
}

/// Progress of a service case.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(24))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Waiting for the team.
    Open,
    /// Waiting for the customer.
    Pending,
    /// Solved.
    Resolved,
    /// Closed without further action.
    Closed,
}

/// Urgency of a service case.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(24))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum TicketPriority {
    /// Low.
    Low,
    /// Normal.
    Normal,
    /// High.
    High,
    /// Urgent.
    Urgent,
}

/// Kinds of record that tags and custom fields apply to.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(24))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    /// A contact.
    Contact,
    /// An organization.
    Organization,
    /// A deal.
    Deal,
    /// A lead.
    Lead,
}

/// Value type of a custom field.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(24))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// A string.
    Text,
    /// A number.
    Number,
    /// An amount in minor units.
    Money,
    /// A calendar date.
    Date,
    /// True or false.
    Bool,
    /// One of the field's options.
    Enum,
}

/// What a goal counts.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(24))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum GoalMetric {
    /// Value of deals won.
    WonValue,
    /// Number of deals won.
    WonCount,
    /// Activities completed.
    ActivitiesDone,
}

/// Who caused a change.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::N(24))",
    rename_all = "snake_case"
)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// A signed-in user.
    User,
    /// A third-party app's API token.
    ApiToken,
    /// Pulse itself (seeding, background jobs).
    System,
}
