//! The envelope's `success` flags: unit types that are one JSON boolean.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::json;

use super::json_schema::schema;

/// Declares a unit type that is one JSON boolean: it serializes as that
/// value and deserializes only from it.
macro_rules! boolean_constant {
    ($(#[$meta:meta])* $name:ident = $value:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct $name;

        impl $name {
            /// The JSON value this type stands for.
            pub const VALUE: bool = $value;
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_bool($value)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Exactly;
                impl Visitor<'_> for Exactly {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        write!(f, "`{}`", $value)
                    }
                    fn visit_bool<E: de::Error>(self, value: bool) -> Result<$name, E> {
                        if value == $value {
                            Ok($name)
                        } else {
                            Err(E::invalid_value(de::Unexpected::Bool(value), &self))
                        }
                    }
                }
                deserializer.deserialize_bool(Exactly)
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> String {
                stringify!($name).to_owned()
            }

            fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
                schema(json!({ "type": "boolean", "enum": [$value] }))
            }
        }
    };
}

boolean_constant! {
    /// The `success` flag of a success envelope: always `true`. Decoding
    /// `false` fails, which is how a `200` answer is told apart from the
    /// failure envelope.
    Succeeded = true
}

boolean_constant! {
    /// The `success` flag of the failure envelope: always `false`.
    Failed = false
}
