//! String enums that stay open: the documented values as variants, anything
//! else kept verbatim.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::json;

use super::json_schema::schema;

/// Declares a string enum that stays open: the documented values as
/// variants, anything else kept verbatim in `Other`, and serialization that
/// round-trips both.
macro_rules! open_enum {
    (
        $(#[$meta:meta])* $name:ident (known: $known:literal) {
            $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value the documentation does not list, kept as sent.
            Other(String),
        }

        impl $name {
            /// The values the documentation lists (those with a variant).
            pub const KNOWN: &'static [&'static str] = &[$($text),+];

            /// The value as the API writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Other(text) => text,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $($text => Self::$variant,)+
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(text))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Text;
                impl Visitor<'_> for Text {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: de::Error>(self, text: &str) -> Result<$name, E> {
                        Ok($name::from(text))
                    }
                }
                deserializer.deserialize_str(Text)
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> String {
                stringify!($name).to_owned()
            }

            fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
                schema(json!({
                    "description": concat!("One of the documented values (", $known,
                        ") or any other string."),
                    "type": "string",
                }))
            }
        }
    };
}

open_enum! {
    /// A lead's type as the server reports it: the documented values, or any
    /// other (the documentation lists them "e.g."). To create a lead, use
    /// the closed [`LeadType`](crate::types::LeadType): only its two values
    /// are accepted there.
    LeadTypeValue (known: "straight, selection") {
        /// A regular lead.
        Straight = "straight",
        /// A selection lead.
        Selection = "selection",
    }
}

open_enum! {
    /// Who hung up a call.
    FinishInitiator (known: "client, operator, system") {
        /// The client.
        Client = "client",
        /// The operator.
        Operator = "operator",
        /// The system.
        System = "system",
    }
}

open_enum! {
    /// The direction of a call.
    Direction (known: "incoming, outgoing") {
        /// The client called in.
        Incoming = "incoming",
        /// The call center called out.
        Outgoing = "outgoing",
    }
}

impl From<crate::types::LeadType> for LeadTypeValue {
    fn from(known: crate::types::LeadType) -> Self {
        Self::from(known.to_string().as_str())
    }
}

impl PartialEq<crate::types::LeadType> for LeadTypeValue {
    fn eq(&self, known: &crate::types::LeadType) -> bool {
        self.as_str() == known.to_string()
    }
}
