//! The domain types: what the Liner API returns, decoded into Rust types a
//! user can work with directly. They accept everything the spec's
//! "Decision:" paragraphs allow (missing and `null` fields, `vkId` as a
//! number, `customValues` as `[]`, enum values the docs do not list, Unix
//! timestamps), so one odd lead does not fail a page.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use serde_json::Value;

/// Declares a string enum that stays open: the documented values as
/// variants, anything else kept verbatim in `Other`, and serialization that
/// round-trips both.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value the documentation does not list, kept as sent.
            Other(String),
        }

        impl $name {
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
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::from(text.as_ref()))
            }
        }
    };
}

open_enum! {
    /// The type of a lead.
    LeadType {
        /// A regular lead.
        Straight = "straight",
        /// A selection lead.
        Selection = "selection",
    }
}

open_enum! {
    /// Who hung up a call.
    FinishInitiator {
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
    Direction {
        /// The client called in.
        Incoming = "incoming",
        /// The call center called out.
        Outgoing = "outgoing",
    }
}

/// A date and time as the API sent it, with a typed accessor.
///
/// The docs promise ISO 8601 for some timestamps and "ISO string/Unix/internal
/// format" for others, so the raw value is kept (and serialized back
/// unchanged) and [`Timestamp::parse`] interprets it on demand.
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
            .map_err(|_| TimestampError {
                raw: text.to_owned(),
            })
    }

    /// The value as text, as sent (Unix seconds as digits).
    pub fn raw(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::Unix(seconds) => seconds.to_string(),
        }
    }
}

fn unix(seconds: i64, raw: &str) -> Result<jiff::Timestamp, TimestampError> {
    jiff::Timestamp::from_second(seconds).map_err(|_| TimestampError {
        raw: raw.to_owned(),
    })
}

/// A [`Timestamp`] in none of the formats the docs mention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError {
    raw: String,
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
// which made these three fields a visible share of decoding a page.

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;

        impl de::Visitor<'_> for TimestampVisitor {
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

/// Custom field values by custom field id. An empty map sent as PHP's `[]`
/// (or a list, whose index is the key) decodes too.
pub type CustomValues = BTreeMap<String, Value>;

fn custom_values<'de, D: Deserializer<'de>>(deserializer: D) -> Result<CustomValues, D::Error> {
    struct CustomValuesVisitor;

    impl<'de> de::Visitor<'de> for CustomValuesVisitor {
        type Value = CustomValues;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map of custom field values, or a list (PHP's array)")
        }

        fn visit_unit<E: de::Error>(self) -> Result<CustomValues, E> {
            Ok(CustomValues::new())
        }

        fn visit_none<E: de::Error>(self) -> Result<CustomValues, E> {
            Ok(CustomValues::new())
        }

        fn visit_some<D: Deserializer<'de>>(self, inner: D) -> Result<CustomValues, D::Error> {
            inner.deserialize_any(self)
        }

        fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<CustomValues, A::Error> {
            let mut values = CustomValues::new();
            while let Some((key, value)) = map.next_entry::<String, Value>()? {
                values.insert(key, value);
            }
            Ok(values)
        }

        fn visit_seq<A: de::SeqAccess<'de>>(self, mut list: A) -> Result<CustomValues, A::Error> {
            let mut values = CustomValues::new();
            let mut index = 0usize;
            while let Some(value) = list.next_element::<Value>()? {
                values.insert(index.to_string(), value);
                index += 1;
            }
            Ok(values)
        }
    }

    deserializer.deserialize_option(CustomValuesVisitor)
}

/// `vkId` is documented as a string and sent as a number in the docs'
/// examples; either becomes a string.
fn string_or_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    struct StringOrNumber;

    impl<'de> de::Visitor<'de> for StringOrNumber {
        type Value = Option<String>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or a number")
        }

        fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
            Ok(None)
        }

        fn visit_none<E: de::Error>(self) -> Result<Option<String>, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, inner: D) -> Result<Option<String>, D::Error> {
            inner.deserialize_any(self)
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<Option<String>, E> {
            Ok(Some(text.to_owned()))
        }

        fn visit_string<E: de::Error>(self, text: String) -> Result<Option<String>, E> {
            Ok(Some(text))
        }

        fn visit_i64<E: de::Error>(self, number: i64) -> Result<Option<String>, E> {
            Ok(Some(number.to_string()))
        }

        fn visit_u64<E: de::Error>(self, number: u64) -> Result<Option<String>, E> {
            Ok(Some(number.to_string()))
        }

        fn visit_f64<E: de::Error>(self, number: f64) -> Result<Option<String>, E> {
            // As serde_json writes the number (a finite f64 always converts).
            serde_json::Number::from_f64(number)
                .map(|number| Some(number.to_string()))
                .ok_or_else(|| E::invalid_value(de::Unexpected::Float(number), &self))
        }
    }

    deserializer.deserialize_option(StringOrNumber)
}

/// A lead, as the lead detail and lead list return it. Every field but `id`
/// may be absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Lead {
    /// Lead identifier in Liner.
    pub id: u64,
    /// Client name.
    pub name: Option<String>,
    /// Client phone number (typically E.164, e.g. +79001234567).
    pub phone: Option<String>,
    /// Questionnaire comment/log (plain text or a JSON string).
    pub source_comment: Option<String>,
    /// User IP address (if collected).
    pub ip: Option<String>,
    /// Lead identifier in Bitrix24.
    pub external_id_bitrix24: Option<String>,
    /// Lead identifier in amoCRM.
    pub external_id_amo: Option<String>,
    /// Lead identifier in Macro CRM.
    pub external_id_macro: Option<String>,
    /// Lead identifier in Domoplaner.
    pub external_id_domoplaner: Option<String>,
    /// Current lead status code in Liner.
    pub status_id: Option<u64>,
    /// Lead type.
    pub lead_type: Option<LeadType>,
    /// Lead creation method (`api`, `form`, `manual`, ...: depends on the system).
    pub create_method: Option<String>,
    /// Whether this is a secondary (repeat) lead; `None` when unknown.
    pub is_secondary: Option<bool>,
    /// Previous lead id, for a secondary lead.
    pub previous_lead_id: Option<u64>,
    /// Next lead id, for a lead with a duplicate.
    pub next_lead_id: Option<u64>,
    /// Date/time of the next call.
    pub planning_call_date_time: Option<Timestamp>,
    /// Lead priority in the call queue.
    pub priority: Option<i64>,
    /// Client time zone offset from UTC in hours (e.g. 3, -5).
    pub utc_offset: Option<i64>,
    /// Creation date/time.
    pub created_at: Option<Timestamp>,
    /// Last update date/time.
    pub updated_at: Option<Timestamp>,
    /// Lead order identifier.
    pub order_id: Option<u64>,
    /// Lead order alphanumeric code.
    pub order_code: Option<String>,
    /// VK user identifier (sent as a string or a number; always a string here).
    #[serde(default, deserialize_with = "string_or_number")]
    pub vk_id: Option<String>,
    /// Instagram user login.
    pub instagram_login: Option<String>,
    /// Telegram username.
    pub telegram_user_name: Option<String>,
    /// Telegram phone number (if known).
    pub telegram_phone: Option<String>,
    /// Custom field values by custom field id (empty when absent or `[]`).
    #[serde(default, deserialize_with = "custom_values")]
    pub custom_values: CustomValues,
}

/// A call, as the call detail returns it. Every field but `id` may be absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Call {
    /// Call identifier in Liner.
    pub id: u64,
    /// Virtual number (SIP endpoint) identifier.
    pub sip_endpoint_id: Option<u64>,
    /// Who hung up.
    pub finish_initiator: Option<FinishInitiator>,
    /// Call direction.
    pub direction: Option<Direction>,
    /// The lead the call belongs to.
    pub lead_id: Option<u64>,
    /// The user (operator) who processed the call; `None` if nobody did.
    pub user_id: Option<u64>,
    /// The order the call belongs to.
    pub order_id: Option<u64>,
    /// Call status identifier (the docs' table).
    pub status_id: Option<u64>,
    /// Call status code such as `answered` (the docs' example).
    pub status_code: Option<String>,
    /// Total call duration, in seconds.
    pub total_duration_seconds: Option<i64>,
    /// Wait time (time to answer), in seconds.
    pub wait_time_duration_seconds: Option<i64>,
    /// Talk time, in seconds.
    pub talk_time_duration_seconds: Option<i64>,
    /// Whether the call is predictive.
    pub is_predictive: Option<bool>,
    /// Client phone number.
    pub client_phone: Option<String>,
    /// Whether recordings of the call are saved.
    pub has_records: Option<bool>,
    /// Creation date/time of the call record.
    pub created_at: Option<Timestamp>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn open_enums_keep_unknown_values_and_round_trip() {
        let kind: LeadType = serde_json::from_value(json!("callback")).unwrap();
        assert_eq!(kind, LeadType::Other("callback".into()));
        assert_eq!(serde_json::to_value(&kind).unwrap(), json!("callback"));
        let known: Direction = serde_json::from_value(json!("incoming")).unwrap();
        assert_eq!(known, Direction::Incoming);
        assert_eq!(known.to_string(), "incoming");
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
    }

    #[test]
    fn a_php_style_lead_decodes() {
        let lead: Lead = serde_json::from_value(json!({
            "id": 7, "vkId": 123456, "customValues": [], "isSecondary": null,
            "planningCallDateTime": 1704189600, "leadType": "callback", "name": null
        }))
        .unwrap();
        assert_eq!(lead.vk_id.as_deref(), Some("123456"));
        assert!(lead.custom_values.is_empty());
        assert_eq!(lead.lead_type, Some(LeadType::Other("callback".into())));
        let minimal: Lead = serde_json::from_value(json!({ "id": 1 })).unwrap();
        assert_eq!(minimal.name, None);
    }

    /// The hand-written visitors accept what the untagged enums they
    /// replaced accepted, from bytes (the client's path) as from values.
    #[test]
    fn flexible_fields_decode_every_accepted_form_and_refuse_the_rest() {
        let lead = |body: &str| serde_json::from_str::<Lead>(body);
        let vk = |raw: &str| lead(&format!(r#"{{"id":1,"vkId":{raw}}}"#)).map(|l| l.vk_id);
        assert_eq!(vk(r#""42""#).unwrap().as_deref(), Some("42"));
        assert_eq!(vk("42").unwrap().as_deref(), Some("42"));
        assert_eq!(vk("-3").unwrap().as_deref(), Some("-3"));
        assert_eq!(vk("1.5").unwrap().as_deref(), Some("1.5"));
        assert_eq!(vk("null").unwrap(), None);
        assert!(vk("true").is_err());
        assert!(vk("{}").is_err());

        let custom = |raw: &str| {
            lead(&format!(r#"{{"id":1,"customValues":{raw}}}"#)).map(|l| l.custom_values)
        };
        assert_eq!(
            custom(r#"{"10":"hot","11":[1]}"#).unwrap()["11"],
            json!([1])
        );
        assert_eq!(custom(r#"["a","b"]"#).unwrap()["1"], json!("b"));
        assert!(custom("[]").unwrap().is_empty());
        assert!(custom("null").unwrap().is_empty());
        assert!(custom(r#""none""#).is_err());
        assert!(custom("5").is_err());

        let time =
            |raw: &str| lead(&format!(r#"{{"id":1,"createdAt":{raw}}}"#)).map(|l| l.created_at);
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
}
