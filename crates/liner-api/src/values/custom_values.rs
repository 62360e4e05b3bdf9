//! [`CustomValues`]: custom field values, a map even when PHP sends `[]`.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use serde_json::json;

use super::json_schema::schema;

/// Custom field values by custom field id. A map, even when the API sends
/// PHP's `[]` for an empty one (or a list, whose index is then the key).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomValues(BTreeMap<String, Value>);

impl CustomValues {
    /// The values, by custom field id.
    pub fn into_inner(self) -> BTreeMap<String, Value> {
        self.0
    }
}

impl std::ops::Deref for CustomValues {
    type Target = BTreeMap<String, Value>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for CustomValues {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl From<BTreeMap<String, Value>> for CustomValues {
    fn from(values: BTreeMap<String, Value>) -> Self {
        Self(values)
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for CustomValues {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(values: I) -> Self {
        Self(
            values
                .into_iter()
                .map(|(key, value)| (key.into(), value.into()))
                .collect(),
        )
    }
}

impl IntoIterator for CustomValues {
    type Item = (String, Value);
    type IntoIter = std::collections::btree_map::IntoIter<String, Value>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl Serialize for CustomValues {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for CustomValues {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapOrList;

        impl<'de> Visitor<'de> for MapOrList {
            type Value = CustomValues;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of custom field values, or a list (PHP's array)")
            }

            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<CustomValues, A::Error> {
                let mut values = BTreeMap::new();
                while let Some((key, value)) = map.next_entry::<String, Value>()? {
                    values.insert(key, value);
                }
                Ok(CustomValues(values))
            }

            fn visit_seq<A: de::SeqAccess<'de>>(
                self,
                mut list: A,
            ) -> Result<CustomValues, A::Error> {
                let mut values = BTreeMap::new();
                let mut index = 0usize;
                while let Some(value) = list.next_element::<Value>()? {
                    values.insert(index.to_string(), value);
                    index += 1;
                }
                Ok(CustomValues(values))
            }
        }

        deserializer.deserialize_any(MapOrList)
    }
}

impl schemars::JsonSchema for CustomValues {
    fn schema_name() -> String {
        "CustomValues".to_owned()
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schema(json!({
            "oneOf": [
                { "title": "Map", "type": "object", "additionalProperties": true },
                { "title": "List", "type": "array", "items": {} },
            ]
        }))
    }
}
