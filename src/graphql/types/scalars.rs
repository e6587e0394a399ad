//! Scalars and small value types: `Date`, `Money`, enums shared by the CRM
//! types.

use async_graphql::{
    Enum, InputValueError, InputValueResult, Scalar, ScalarType, SimpleObject, Value,
};
use chrono::NaiveDate;

use crate::domain::money::{CurrencyCode, Money as DomainMoney};

/// A calendar date, `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar date, `YYYY-MM-DD`.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom("expected a date as YYYY-MM-DD")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// An exact amount of money.
#[derive(Clone, Debug, SimpleObject)]
pub struct Money {
    /// The amount as a decimal string, e.g. `"1234.50"`: exact, no floating point.
    pub amount: String,
    /// ISO-4217 currency code.
    pub currency: String,
}

impl Money {
    /// From minor units and a stored currency code.
    pub fn from_minor(minor: i64, currency: &str) -> Money {
        let amount = CurrencyCode::parse(currency)
            .map(|code| {
                DomainMoney {
                    minor,
                    currency: code,
                }
                .decimal_string()
            })
            .unwrap_or_else(|_| minor.to_string());
        Money {
            amount,
            currency: currency.to_owned(),
        }
    }
}

/// An amount of money as input.
#[derive(Clone, Debug, async_graphql::InputObject)]
pub struct MoneyInput {
    /// Decimal string, e.g. `"1234.50"`; at most the currency's decimals.
    pub amount: String,
    /// ISO-4217 code; the workspace's default currency when absent.
    pub currency: Option<String>,
}

macro_rules! remote_enum {
    ($name:ident, $remote:literal, $doc:literal, $($variant:ident => $vdoc:literal),+ $(,)?) => {
        #[doc = $doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
        #[graphql(remote = $remote)]
        pub enum $name {
            $(#[doc = $vdoc] $variant,)+
        }
    };
}

remote_enum!(LifecycleStage, "entity::enums::LifecycleStage", "Where a contact is in the customer lifecycle.",
    Subscriber => "Receives marketing.", Lead => "Showed interest.", Qualified => "Fits and wants to talk.",
    Opportunity => "Has an open deal.", Customer => "Has bought.", Churned => "Stopped buying.");
remote_enum!(DealStatus, "entity::enums::DealStatus", "Whether a deal is still being worked.",
    Open => "In progress.", Won => "Closed won.", Lost => "Closed lost.");
remote_enum!(ActivityKind, "entity::enums::ActivityKind", "Kinds of scheduled work.",
    Call => "Phone call.", Meeting => "Meeting.", Email => "E-mail to send.", Task => "To-do.", Deadline => "Hard deadline.", Demo => "Product demo.");
remote_enum!(Channel, "entity::enums::Channel", "A communication channel.",
    Email => "E-mail.", Phone => "Phone call.", Sms => "Text message.", Chat => "Live chat.", Social => "Social network.",
    Website => "Website visit or form.", InPerson => "Met in person.", Event => "Conference, webinar or trade show.");
remote_enum!(Direction, "entity::enums::Direction", "Who started an interaction.",
    Inbound => "The customer.", Outbound => "The workspace.");
remote_enum!(TicketStatus, "entity::enums::TicketStatus", "Progress of a service case.",
    Open => "Waiting for the team.", Pending => "Waiting for the customer.", Resolved => "Solved.", Closed => "Closed without further action.");
remote_enum!(TicketPriority, "entity::enums::TicketPriority", "Urgency of a service case.",
    Low => "Low.", Normal => "Normal.", High => "High.", Urgent => "Urgent.");
