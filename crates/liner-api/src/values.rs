//! Hand-written leaf types that the generated structs use in place of what
//! typify would make of their schemas (see `xtask/src/codegen.rs` for the
//! replacement settings and why each exists).

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

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
                schemars::schema::SchemaObject {
                    instance_type: Some(schemars::schema::InstanceType::Boolean.into()),
                    enum_values: Some(vec![serde_json::Value::Bool($value)]),
                    ..Default::default()
                }
                .into()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boolean_constants_accept_only_their_value() {
        assert!(serde_json::from_str::<Succeeded>("true").is_ok());
        assert!(serde_json::from_str::<Succeeded>("false").is_err());
        assert!(serde_json::from_str::<Failed>("false").is_ok());
        assert!(serde_json::from_str::<Failed>("true").is_err());
        assert!(serde_json::from_str::<Failed>("0").is_err());
        assert_eq!(serde_json::to_string(&Failed).unwrap(), "false");
    }
}
