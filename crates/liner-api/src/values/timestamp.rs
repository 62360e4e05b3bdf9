//! [`Timestamp`]: a date and time kept as sent, parsed on demand.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::json;

use super::json_schema::schema;

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
