//! Hand-written leaf types that the generated structs use in place of what
//! typify would make of their schemas. The structs (which fields a `Lead` or
//! a `Call` has) are generated from the spec; these are the values that are
//! awkward as generated code: an open enum, a timestamp in several formats, a
//! map PHP may send as `[]`. `xtask/src/codegen.rs` plugs each one in with
//! `with_replacement` and says why.
//!
//! Each accepts everything the spec's schema of the same name allows (its
//! "Decision:" paragraph says what the API may send) and serializes back to
//! what it decoded.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Value, json};

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

/// A schemars schema from its JSON.
fn schema(value: Value) -> schemars::schema::Schema {
    serde_json::from_value(value).expect("the hand-written schemas are valid schemars schemas")
}

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

/// A date and time as the API sent it, with a typed accessor.
///
/// The docs promise ISO 8601 for some timestamps and "ISO string/Unix/internal
/// format" for others, so the raw value is kept (and serialized back
/// unchanged) and [`Timestamp::parse`] interprets it on demand. `Display`
/// prints the raw value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Timestamp {
    /// A string, usually RFC 3339 (`2024-01-01T00:00:00Z`).
    Text(String),
    /// A number: Unix seconds.
    Unix(i64),
}

impl Timestamp {
    /// Interprets the value. Accepted: RFC 3339 / ISO 8601 with an offset
    /// (`2024-01-01T10:00:00Z`, `...+03:00`); a date-time without an offset,
    /// with `T` or a space (`2024-01-01 10:00:00`), taken as UTC; a date
    /// (`2024-01-01`), midnight UTC; Unix seconds, as a number or digits.
    pub fn parse(&self) -> Result<jiff::Timestamp, TimestampError> {
        let text = match self {
            Self::Unix(seconds) => return unix(*seconds, &seconds.to_string()),
            Self::Text(text) => text.trim(),
        };
        if let Ok(timestamp) = text.parse::<jiff::Timestamp>() {
            return Ok(timestamp);
        }
        if !text.is_empty()
            && text.bytes().all(|b| b.is_ascii_digit())
            && let Ok(seconds) = text.parse::<i64>()
        {
            return unix(seconds, text);
        }
        let civil = text
            .parse::<jiff::civil::DateTime>()
            .or_else(|_| text.replacen(' ', "T", 1).parse::<jiff::civil::DateTime>())
            .or_else(|_| {
                text.parse::<jiff::civil::Date>()
                    .map(|date| date.to_datetime(jiff::civil::Time::midnight()))
            });
        civil
            .and_then(|civil| civil.to_zoned(jiff::tz::TimeZone::UTC))
            .map(|zoned| zoned.timestamp())
            .map_err(|_| TimestampError::new(text))
    }

    /// The value as text, as sent (Unix seconds as digits).
    pub fn raw(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text(text) => f.write_str(text),
            Self::Unix(seconds) => write!(f, "{seconds}"),
        }
    }
}

fn unix(seconds: i64, raw: &str) -> Result<jiff::Timestamp, TimestampError> {
    jiff::Timestamp::from_second(seconds).map_err(|_| TimestampError::new(raw))
}

/// A [`Timestamp`] in none of the formats the docs mention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError {
    /// The value, cut to a length fit for a message.
    raw: String,
}

impl TimestampError {
    /// Server text bound for an error message: at most 64 characters.
    fn new(raw: &str) -> Self {
        Self {
            raw: raw.chars().take(64).collect(),
        }
    }
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `{:?}` escapes control characters: the value came from a server.
        write!(
            f,
            "{:?} is not an ISO 8601 date-time, a date or Unix seconds",
            self.raw
        )
    }
}

impl std::error::Error for TimestampError {}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Text(text) => serializer.serialize_str(text),
            Self::Unix(seconds) => serializer.serialize_i64(*seconds),
        }
    }
}

// The decoders below are hand-written visitors rather than
// `#[serde(untagged)]` enums: an untagged enum buffers every value into
// serde's `Content` and builds an error for each variant that does not match,
// which made these fields a visible share of decoding a page.

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;

        impl Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date-time string or Unix seconds")
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Timestamp, E> {
                Ok(Timestamp::Text(text.to_owned()))
            }

            fn visit_string<E: de::Error>(self, text: String) -> Result<Timestamp, E> {
                Ok(Timestamp::Text(text))
            }

            fn visit_i64<E: de::Error>(self, seconds: i64) -> Result<Timestamp, E> {
                Ok(Timestamp::Unix(seconds))
            }

            fn visit_u64<E: de::Error>(self, seconds: u64) -> Result<Timestamp, E> {
                i64::try_from(seconds)
                    .map(Timestamp::Unix)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(seconds), &self))
            }
        }

        deserializer.deserialize_any(TimestampVisitor)
    }
}

impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> String {
        "Timestamp".to_owned()
    }

    fn json_schema(_: &mut schemars::r#gen::SchemaGenerator) -> schemars::schema::Schema {
        schema(json!({
            "oneOf": [
                { "title": "Text", "type": "string" },
                { "title": "UnixSeconds", "type": "integer", "format": "int64" },
            ]
        }))
    }
}

/// A VK user id. The documentation's tables say string, its examples send a
/// number; either decodes, and is kept as its decimal text.
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

/// Custom field values by custom field id. A map, even when the API sends
/// PHP's `[]` for an empty one (or a list, whose index is then the key).
/// Derefs to the map.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types;

    #[test]
    fn boolean_constants_accept_only_their_value() {
        assert!(serde_json::from_str::<Succeeded>("true").is_ok());
        assert!(serde_json::from_str::<Succeeded>("false").is_err());
        assert!(serde_json::from_str::<Failed>("false").is_ok());
        assert!(serde_json::from_str::<Failed>("true").is_err());
        assert!(serde_json::from_str::<Failed>("0").is_err());
        assert_eq!(serde_json::to_string(&Failed).unwrap(), "false");
    }

    #[test]
    fn open_enums_keep_unknown_values_and_round_trip() {
        let kind: LeadTypeValue = serde_json::from_value(json!("callback")).unwrap();
        assert_eq!(kind, LeadTypeValue::Other("callback".into()));
        assert_eq!(serde_json::to_value(&kind).unwrap(), json!("callback"));
        let known: Direction = serde_json::from_value(json!("incoming")).unwrap();
        assert_eq!(known, Direction::Incoming);
        assert_eq!(known.to_string(), "incoming");
        assert!(serde_json::from_value::<Direction>(json!(true)).is_err());
        assert_eq!(LeadTypeValue::Straight, types::LeadType::Straight);
        assert_eq!(
            LeadTypeValue::from(types::LeadType::Selection),
            LeadTypeValue::Selection
        );
    }

    /// The hand-written known values are the spec's: the generated closed
    /// enums carry the spec's lists in their schemas.
    #[test]
    fn open_enums_know_exactly_the_values_the_spec_lists() {
        fn listed<T: schemars::JsonSchema>() -> Vec<String> {
            let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap();
            schema["enum"]
                .as_array()
                .expect("a closed enum's schema lists its values")
                .iter()
                .map(|value| value.as_str().unwrap().to_owned())
                .collect()
        }
        assert_eq!(listed::<types::LeadType>(), LeadTypeValue::KNOWN);
        assert_eq!(listed::<types::KnownDirection>(), Direction::KNOWN);
        assert_eq!(
            listed::<types::KnownFinishInitiator>(),
            FinishInitiator::KNOWN
        );
    }

    #[test]
    fn timestamps_parse_every_documented_form() {
        let expect = "2024-01-02T10:00:00Z".parse::<jiff::Timestamp>().unwrap();
        for raw in [
            Timestamp::Text("2024-01-02T10:00:00Z".into()),
            Timestamp::Text("2024-01-02T13:00:00+03:00".into()),
            Timestamp::Text("2024-01-02 10:00:00".into()),
            Timestamp::Text("2024-01-02T10:00:00".into()),
            Timestamp::Text("1704189600".into()),
            Timestamp::Unix(1_704_189_600),
        ] {
            assert_eq!(raw.parse(), Ok(expect), "{raw:?}");
        }
        let midnight = "2024-01-02T00:00:00Z".parse::<jiff::Timestamp>().unwrap();
        assert_eq!(Timestamp::Text("2024-01-02".into()).parse(), Ok(midnight));
        let bad = Timestamp::Text("next tuesday".into()).parse().unwrap_err();
        assert_eq!(
            bad.to_string(),
            "\"next tuesday\" is not an ISO 8601 date-time, a date or Unix seconds"
        );
        assert_eq!(Timestamp::Unix(7).to_string(), "7");
        assert_eq!(Timestamp::Text("soon".into()).to_string(), "soon");
        let hostile = Timestamp::Text(format!("\u{1b}[2J{}", "x".repeat(10_000)));
        let message = hostile.parse().unwrap_err().to_string();
        assert!(
            message.len() < 150 && !message.contains('\u{1b}'),
            "{message}"
        );
    }

    /// The hand-written visitors accept every form the spec allows and
    /// refuse the rest, from bytes (the client's path) as from values.
    #[test]
    fn flexible_values_decode_every_accepted_form_and_refuse_the_rest() {
        let vk = |raw: &str| serde_json::from_str::<Option<VkId>>(raw);
        assert_eq!(vk(r#""42""#).unwrap(), Some(VkId::from("42")));
        assert_eq!(vk("42").unwrap(), Some(VkId::from("42")));
        assert_eq!(vk("-3").unwrap(), Some(VkId::from("-3")));
        assert_eq!(vk("null").unwrap(), None);
        assert!(vk("1.5").is_err());
        assert!(vk("true").is_err());
        assert!(vk("{}").is_err());

        let custom = |raw: &str| serde_json::from_str::<Option<CustomValues>>(raw);
        assert_eq!(
            custom(r#"{"10":"hot","11":[1]}"#).unwrap().unwrap()["11"],
            json!([1])
        );
        assert_eq!(custom(r#"["a","b"]"#).unwrap().unwrap()["1"], json!("b"));
        assert!(custom("[]").unwrap().unwrap().is_empty());
        assert_eq!(custom("null").unwrap(), None);
        assert!(custom(r#""none""#).is_err());
        assert!(custom("5").is_err());

        let time = |raw: &str| serde_json::from_str::<Option<Timestamp>>(raw);
        assert_eq!(
            time(r#""2024-01-02T10:00:00Z""#).unwrap(),
            Some(Timestamp::Text("2024-01-02T10:00:00Z".into()))
        );
        assert_eq!(
            time("1704189600").unwrap(),
            Some(Timestamp::Unix(1704189600))
        );
        assert_eq!(time("-1").unwrap(), Some(Timestamp::Unix(-1)));
        assert_eq!(time("null").unwrap(), None);
        assert!(time("18446744073709551615").is_err());
        assert!(time("1.5").is_err());
        assert!(time("[]").is_err());
    }

    /// What each type decoded serializes back to the same JSON.
    #[test]
    fn values_round_trip() {
        for raw in [r#""2024-01-02T10:00:00Z""#, "1704189600"] {
            let time: Timestamp = serde_json::from_str(raw).unwrap();
            assert_eq!(serde_json::to_string(&time).unwrap(), raw);
        }
        let custom: CustomValues = serde_json::from_str(r#"{"10":"x","9":[1]}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&custom).unwrap(),
            r#"{"10":"x","9":[1]}"#
        );
        let vk: VkId = serde_json::from_str(r#""77""#).unwrap();
        assert_eq!(serde_json::to_string(&vk).unwrap(), r#""77""#);
    }
}
