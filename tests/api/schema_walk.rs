//! Builds calls for every root field from the schema itself (introspection),
//! so the access tests cover fields added later without being edited.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::helpers::TestApp;

const INTROSPECTION: &str = r#"{
  __schema {
    queryType { name } mutationType { name }
    types {
      name kind
      fields { name args { name type { ...T } } type { ...T } }
      inputFields { name type { ...T } }
      enumValues { name }
    }
  }
}
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"#;

/// The schema as introspection describes it.
pub struct SchemaWalk {
    types: HashMap<String, Value>,
    query: String,
    mutation: String,
}

/// One root-field call: the operation text and its variables.
pub struct Call {
    /// `query` or `mutation`.
    pub operation: &'static str,
    /// The root field's name.
    pub field: String,
    /// The document.
    pub document: String,
    /// The variables.
    pub variables: Value,
}

fn named(type_ref: &Value) -> (&str, &str) {
    let mut t = type_ref;
    while t["ofType"].is_object() {
        t = &t["ofType"];
    }
    (
        t["kind"].as_str().unwrap_or(""),
        t["name"].as_str().unwrap_or(""),
    )
}

fn type_text(type_ref: &Value) -> String {
    match type_ref["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", type_text(&type_ref["ofType"])),
        Some("LIST") => format!("[{}]", type_text(&type_ref["ofType"])),
        _ => type_ref["name"].as_str().unwrap_or("").to_owned(),
    }
}

impl SchemaWalk {
    /// Introspects the running server with `token`.
    pub async fn load(app: &TestApp, token: &str) -> SchemaWalk {
        let (_, body) = app.graphql_as(token, INTROSPECTION, json!({})).await;
        let schema = &body["data"]["__schema"];
        let types = schema["types"]
            .as_array()
            .expect("introspection works in development")
            .iter()
            .map(|t| (t["name"].as_str().unwrap_or("").to_owned(), t.clone()))
            .collect();
        SchemaWalk {
            types,
            query: schema["queryType"]["name"]
                .as_str()
                .unwrap_or("Query")
                .to_owned(),
            mutation: schema["mutationType"]["name"]
                .as_str()
                .unwrap_or("Mutation")
                .to_owned(),
        }
    }

    fn fields(&self, type_name: &str) -> Vec<Value> {
        self.types
            .get(type_name)
            .and_then(|t| t["fields"].as_array())
            .cloned()
            .unwrap_or_default()
    }

    /// Calls of every root field; every `ID` argument or input field gets
    /// `id`, every other required value a harmless placeholder.
    pub fn calls(&self, id: &str) -> Vec<Call> {
        let mut calls = Vec::new();
        for (operation, root) in [("query", &self.query), ("mutation", &self.mutation)] {
            for field in self.fields(root) {
                let name = field["name"].as_str().unwrap_or("").to_owned();
                let mut declarations = Vec::new();
                let mut arguments = Vec::new();
                let mut variables = serde_json::Map::new();
                for arg in field["args"].as_array().cloned().unwrap_or_default() {
                    let arg_name = arg["name"].as_str().unwrap_or("").to_owned();
                    if let Some(value) = self.value(&arg["type"], id, 0) {
                        declarations.push(format!("${arg_name}: {}", type_text(&arg["type"])));
                        arguments.push(format!("{arg_name}: ${arg_name}"));
                        variables.insert(arg_name, value);
                    }
                }
                let (_, return_type) = named(&field["type"]);
                let selection = self.selection(return_type, 0);
                let declarations = if declarations.is_empty() {
                    String::new()
                } else {
                    format!("({})", declarations.join(", "))
                };
                let arguments = if arguments.is_empty() {
                    String::new()
                } else {
                    format!("({})", arguments.join(", "))
                };
                calls.push(Call {
                    operation,
                    field: name.clone(),
                    document: format!(
                        "{operation} Walk{declarations} {{ {name}{arguments} {selection} }}"
                    ),
                    variables: Value::Object(variables),
                });
            }
        }
        calls
    }

    /// A value for a type; `None` leaves a nullable argument out.
    fn value(&self, type_ref: &Value, id: &str, depth: usize) -> Option<Value> {
        let required = type_ref["kind"] == "NON_NULL";
        let inner = if required {
            &type_ref["ofType"]
        } else {
            type_ref
        };
        let (kind, name) = (
            inner["kind"].as_str().unwrap_or(""),
            inner["name"].as_str().unwrap_or(""),
        );
        if kind == "LIST" {
            return self
                .value(&inner["ofType"], id, depth)
                .map(|v| json!([v]))
                .or(required.then(|| json!([])));
        }
        match (kind, name) {
            ("SCALAR", "ID") => Some(json!(id)),
            _ if !required => None,
            ("SCALAR", "String") => Some(json!("walk-value")),
            ("SCALAR", "Int") => Some(json!(1)),
            ("SCALAR", "Float") => Some(json!(1.0)),
            ("SCALAR", "Boolean") => Some(json!(true)),
            ("SCALAR", "DateTime") => Some(json!("2999-01-01T00:00:00Z")),
            ("SCALAR", "Date") => Some(json!("2999-01-01")),
            ("SCALAR", _) => Some(json!("walk-value")),
            ("ENUM", _) => self
                .types
                .get(name)
                .map(|t| t["enumValues"][0]["name"].clone()),
            ("INPUT_OBJECT", _) if depth < 4 => {
                let mut object = serde_json::Map::new();
                for field in self
                    .types
                    .get(name)
                    .and_then(|t| t["inputFields"].as_array())
                    .cloned()
                    .unwrap_or_default()
                {
                    if let Some(value) = self.value(&field["type"], id, depth + 1) {
                        object.insert(field["name"].as_str().unwrap_or("").to_owned(), value);
                    }
                }
                Some(Value::Object(object))
            }
            _ => None,
        }
    }

    /// Every field without required arguments, objects two levels deep.
    fn selection(&self, type_name: &str, depth: usize) -> String {
        let Some(t) = self.types.get(type_name) else {
            return String::new();
        };
        match t["kind"].as_str() {
            Some("OBJECT" | "INTERFACE") => {}
            Some("UNION") => return "{ __typename }".to_owned(),
            _ => return String::new(),
        }
        let mut parts = vec!["__typename".to_owned()];
        for field in t["fields"].as_array().cloned().unwrap_or_default() {
            let has_required_args = field["args"]
                .as_array()
                .is_some_and(|args| args.iter().any(|a| a["type"]["kind"] == "NON_NULL"));
            if has_required_args {
                continue;
            }
            let name = field["name"].as_str().unwrap_or("");
            let (kind, inner) = named(&field["type"]);
            match kind {
                "OBJECT" | "INTERFACE" | "UNION" if depth < 3 => {
                    parts.push(format!("{name} {}", self.selection(inner, depth + 1)))
                }
                "OBJECT" | "INTERFACE" | "UNION" => {}
                _ => parts.push(name.to_owned()),
            }
        }
        format!("{{ {} }}", parts.join(" "))
    }
}
