//! Custom-field values: a JSON object validated against the workspace's
//! definitions for the record type (DESIGN.md section 2).

use entity::{
    TenantScoped, WorkspaceId, custom_field,
    enums::{EntityType, FieldType},
};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter};
use serde_json::{Map, Value};

use crate::error::{FieldError, Result};

/// Checks `values` (a JSON object) against the definitions of `entity_type`:
/// every key must be defined and every value of its type (`null` clears a
/// field). Returns the values with nulls removed, merged over `current`.
pub async fn validate(
    db: &impl ConnectionTrait,
    workspace: WorkspaceId,
    entity_type: EntityType,
    current: &Value,
    values: &Value,
    errors: &mut Vec<FieldError>,
) -> Result<Value> {
    let Some(values) = values.as_object() else {
        errors.push(FieldError::invalid("customFields", "must be a JSON object"));
        return Ok(current.clone());
    };
    let definitions = custom_field::Entity::find_in(workspace)
        .filter(custom_field::Column::EntityType.eq(entity_type))
        .filter(custom_field::Column::ArchivedAt.is_null())
        .all(db)
        .await?;
    let mut merged: Map<String, Value> = current.as_object().cloned().unwrap_or_default();
    for (key, value) in values {
        let path = |message: String| FieldError {
            field: vec!["input".to_owned(), "customFields".to_owned(), key.clone()],
            code: crate::error::code::BAD_USER_INPUT,
            message,
        };
        let Some(definition) = definitions.iter().find(|d| &d.key == key) else {
            errors.push(path(format!(
                "`{key}` is not a custom field of this record type"
            )));
            continue;
        };
        if value.is_null() {
            merged.remove(key);
            continue;
        }
        match check(definition, value) {
            Ok(()) => {
                merged.insert(key.clone(), value.clone());
            }
            Err(message) => errors.push(path(message)),
        }
    }
    Ok(Value::Object(merged))
}

fn check(definition: &custom_field::Model, value: &Value) -> Result<(), String> {
    let ok = match definition.field_type {
        FieldType::Text => value.is_string(),
        FieldType::Number => value.is_number(),
        FieldType::Money => value.is_i64(),
        FieldType::Bool => value.is_boolean(),
        FieldType::Date => value
            .as_str()
            .is_some_and(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()),
        FieldType::Enum => {
            let options = definition.options.as_array().cloned().unwrap_or_default();
            options.contains(value)
        }
    };
    if ok {
        return Ok(());
    }
    Err(match definition.field_type {
        FieldType::Text => "must be a string".to_owned(),
        FieldType::Number => "must be a number".to_owned(),
        FieldType::Money => "must be an integer amount in minor units".to_owned(),
        FieldType::Bool => "must be true or false".to_owned(),
        FieldType::Date => "must be a date (YYYY-MM-DD)".to_owned(),
        FieldType::Enum => format!("must be one of {}", definition.options),
    })
}
