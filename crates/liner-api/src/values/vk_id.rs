//! [`VkId`]: a VK user id sent as a string or a number.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::json;

use super::json_schema::schema;

/// A VK user id. The documentation's tables say string, its examples send a
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VkId(String);

impl VkId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VkId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for VkId {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl From<String> for VkId {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl From<u64> for VkId {
    fn from(number: u64) -> Self {
        Self(number.to_string())
    }
}

impl std::str::FromStr for VkId {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Self::from(text))
    }
}

impl Serialize for VkId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for VkId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StringOrNumber;

        impl Visitor<'_> for StringOrNumber {
            type Value = VkId;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<VkId, E> {
                Ok(VkId(text.to_owned()))
            }

            fn visit_string<E: de::Error>(self, text: String) -> Result<VkId, E> {
                Ok(VkId(text))
            }

            fn visit_i64<E: de::Error>(self, number: i64) -> Result<VkId, E> {
                Ok(VkId(number.to_string()))
            }

            fn visit_u64<E: de::Error>(self, number: u64) -> Result<VkId, E> {
                Ok(VkId(number.to_string()))
            }
        }

        deserializer.deserialize_any(StringOrNumber)
    }
}

impl schemars::JsonSchema for VkId {
    fn schema_name() -> String {
        "VkId".to_owned()
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schema(json!({
            "oneOf": [
                { "title": "Text", "type": "string" },
                { "title": "Number", "type": "integer", "format": "int64" },
            ]
        }))
    }
}
