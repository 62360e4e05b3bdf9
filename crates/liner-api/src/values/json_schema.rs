//! The schemas the value types give schemars, written as JSON.

/// A schemars schema from its JSON.
pub(crate) fn schema(value: serde_json::Value) -> schemars::schema::Schema {
    serde_json::from_value(value).expect("the hand-written schemas are valid schemars schemas")
}
