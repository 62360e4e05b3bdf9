//! Deterministic seeded data: lead `i` and call `i` are pure functions of the
//! seed and `i`, built only when asked for. A million seeded leads therefore
//! cost no memory until a page of them is served.

mod json;

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value, json};

/// Unix time of the first seeded lead: 2023-01-01T00:00:00Z.
pub const FIRST_CREATED_AT: i64 = 1_672_531_200;
/// Seconds between two consecutive seeded leads. Creation times increase
/// with the id, as they would in a real CRM.
pub const CREATED_AT_STEP: i64 = 37;

const FIRST_NAMES: &[&str] = &[
    "Ivan", "Maria", "Alexei", "Olga", "Dmitry", "Anna", "Sergei", "Elena", "John", "Fatima",
    "Timur", "Aigerim", "Pavel", "Natalia", "Ruslan", "Zarina",
];
const LAST_NAMES: &[&str] = &[
    "Ivanov",
    "Petrova",
    "Smirnov",
    "Kuznetsova",
    "Popov",
    "Sokolova",
    "Lebedev",
    "Doe",
    "Novikova",
    "Morozov",
    "Volkova",
    "Alekseev",
];
/// Order ids of seeded leads, each with its code `order-<id>`.
pub const ORDER_IDS: &[i64] = &[100, 101, 202, 303, 404];
/// Lead status ids of seeded leads.
pub const STATUS_IDS: &[i64] = &[1, 2, 3, 5, 8, 10, 12];

/// SplitMix64: a tiny, well-mixed hash, enough to derive field values.
pub fn mix(seed: u64, index: u64, salt: u64) -> u64 {
    let mut z = seed
        .wrapping_add(index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(salt.wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A number in `0..100`, for percentages.
fn percent(seed: u64, index: u64, salt: u64) -> u64 {
    mix(seed, index, salt) % 100
}

fn pick<T: Copy>(items: &[T], seed: u64, index: u64, salt: u64) -> T {
    items[(mix(seed, index, salt) % items.len() as u64) as usize]
}

/// The three fields list filters look at, for seeded lead `index`, without
/// building the lead.
pub fn filter_fields(seed: u64, index: u64) -> (i64, i64, i64) {
    (
        pick(ORDER_IDS, seed, index, 1),
        pick(STATUS_IDS, seed, index, 2),
        seeded_created_at(index),
    )
}

/// Creation time of seeded lead `index` (0-based), Unix seconds.
pub fn seeded_created_at(index: u64) -> i64 {
    FIRST_CREATED_AT + index as i64 * CREATED_AT_STEP
}

/// RFC 3339 in UTC with a `Z`, as the docs' examples write it.
pub fn rfc3339(unix: i64) -> String {
    Rfc3339(unix).to_string()
}

/// A seeded lead, typed so that a page of them serializes straight to JSON.
///
/// Why not a `serde_json::Map`, like stored leads: building a map per lead
/// (27 string keys in a `BTreeMap`, each value boxed) was most of the fake's
/// CPU time per page, and the export benchmark runs the fake and the client
/// on the same two cores. The struct holds only the numbers and static
/// strings the fields are made of; strings like the phone number are written
/// straight into the output when serialized (`Serializer::collect_str`), with
/// no allocation per field. Fields are declared in the byte order of their
/// JSON names, the order a `serde_json::Map` writes them in, so both forms
/// write the same bytes (a test checks it).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeededLead {
    create_method: &'static str,
    created_at: Rfc3339,
    custom_values: SeededCustomValues,
    external_id_amo: Option<Text<ExternalId>>,
    #[serde(rename = "externalIdBitrix24")]
    external_id_bitrix24: Option<Text<ExternalId>>,
    external_id_domoplaner: Option<Text<ExternalId>>,
    external_id_macro: Option<Text<ExternalId>>,
    id: u64,
    instagram_login: Option<Text<Login>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip: Option<Text<Ip>>,
    is_secondary: Option<bool>,
    lead_type: &'static str,
    name: Option<Text<Name>>,
    next_lead_id: Option<u64>,
    order_code: Text<OrderCode>,
    order_id: i64,
    phone: Text<Phone>,
    planning_call_date_time: Option<TimeOrUnix>,
    previous_lead_id: Option<u64>,
    priority: u64,
    source_comment: &'static str,
    status_id: i64,
    telegram_phone: Option<Text<Phone>>,
    telegram_user_name: Option<Text<Login>>,
    updated_at: Rfc3339,
    utc_offset: i64,
    vk_id: Option<DigitsOrNumber>,
}

/// A value written as a JSON string through its `Display`, without an
/// intermediate `String`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Text<T>(T);

impl<T: fmt::Display> Serialize for Text<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Name(&'static str, &'static str);

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.1)
    }
}

/// `[+]7900` and seven digits.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Phone {
    plus: bool,
    digits: u64,
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plus = if self.plus { "+" } else { "" };
        write!(f, "{plus}7900{}", self.digits)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Ip(u64, u64);

impl fmt::Display for Ip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "192.168.{}.{}", self.0, self.1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct ExternalId(&'static str, u64);

impl fmt::Display for ExternalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:06}", self.0, self.1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Login(u64);

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "user{}", self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct OrderCode(i64);

impl fmt::Display for OrderCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "order-{}", self.0)
    }
}

/// Unix seconds, written as an RFC 3339 string.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rfc3339(pub i64);

impl fmt::Display for Rfc3339 {
    /// Computed by hand (days to civil date, after Howard Hinnant's
    /// `civil_from_days`) into a fixed buffer, rather than with `jiff`'s
    /// `strftime`: three of these per seeded lead made formatting a visible
    /// share of serving a page. A test checks it against `jiff`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unix = self.0;
        let days = unix.div_euclid(86_400);
        let seconds = unix.rem_euclid(86_400);
        let shifted = days + 719_468;
        let era = shifted.div_euclid(146_097);
        let day_of_era = shifted.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_index = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_index + 2) / 5 + 1;
        let month = if month_index < 10 {
            month_index + 3
        } else {
            month_index - 9
        };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        if !(0..=9999).contains(&year) {
            // Outside what four digits hold; never seeded, but stay correct.
            return write!(
                f,
                "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
                seconds / 3_600,
                seconds % 3_600 / 60,
                seconds % 60
            );
        }
        let mut text = *b"0000-00-00T00:00:00Z";
        let mut put = |at: usize, value: i64, width: usize| {
            let mut value = value;
            for position in (at..at + width).rev() {
                text[position] = b'0' + (value % 10) as u8;
                value /= 10;
            }
        };
        put(0, year, 4);
        put(5, month, 2);
        put(8, day, 2);
        put(11, seconds / 3_600, 2);
        put(14, seconds % 3_600 / 60, 2);
        put(17, seconds % 60, 2);
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl Serialize for Rfc3339 {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// `planningCallDateTime`: an RFC 3339 string for most leads, Unix seconds
/// for some.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
enum TimeOrUnix {
    Text(Rfc3339),
    Unix(i64),
}

/// `vkId`: the digits as a string for most leads, a number for some.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
enum DigitsOrNumber {
    Digits(Text<u64>),
    Number(u64),
}

/// `customValues` of a seeded lead: two fields, or PHP's empty array in its
/// two JSON spellings.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
enum SeededCustomValues {
    Fields {
        #[serde(rename = "10")]
        temperature: &'static str,
        #[serde(rename = "11")]
        lead_id: u64,
    },
    EmptyList([u8; 0]),
    EmptyMap {},
}

impl SeededLead {
    /// The lead as a JSON map, the form stored (created, updated) leads take.
    pub fn into_map(self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => unreachable!("a struct of strings and numbers serializes to an object"),
        }
    }
}

/// Seeded lead `index` (0-based; its id is `index + 1`) as a JSON map.
pub fn lead(seed: u64, index: u64) -> Map<String, Value> {
    seeded_lead(seed, index).into_map()
}

/// Seeded lead `index` (0-based; its id is `index + 1`). Most leads look like
/// the docs' example; a deterministic few carry the variations the spec
/// allows: absent and `null` fields, `vkId` as a number, `customValues` as
/// `[]`, a Unix `planningCallDateTime`, a lead type the docs do not list.
pub fn seeded_lead(seed: u64, index: u64) -> SeededLead {
    let id = index + 1;
    let (order_id, status_id, created_at) = filter_fields(seed, index);
    let digits = 1_000_000 + mix(seed, index, 6) % 9_000_000;
    let external_id =
        |prefix, salt| (percent(seed, index, salt) < 30).then_some(Text(ExternalId(prefix, id)));
    let (is_secondary, previous_lead_id) = match percent(seed, index, 17) {
        0..=79 => (Some(false), None),
        80..=89 if id > 1 => (Some(true), Some(1 + mix(seed, index, 18) % (id - 1))),
        _ => (None, None),
    };
    let planning = created_at + 86_400 + (mix(seed, index, 19) % 86_400) as i64;
    let vk = 100_000 + mix(seed, index, 24) % 900_000;
    SeededLead {
        id,
        name: (percent(seed, index, 3) >= 3).then(|| {
            Text(Name(
                pick(FIRST_NAMES, seed, index, 4),
                pick(LAST_NAMES, seed, index, 5),
            ))
        }),
        phone: Text(Phone {
            plus: percent(seed, index, 7) >= 10,
            digits,
        }),
        source_comment: match percent(seed, index, 8) {
            0..=69 => "",
            70..=89 => "called from the landing page",
            _ => r#"{"utm_source":"ads","utm_campaign":"spring"}"#,
        },
        ip: (percent(seed, index, 9) >= 20).then(|| Text(Ip(mix(seed, index, 10) % 256, id % 256))),
        external_id_bitrix24: external_id("B24", 11),
        external_id_amo: external_id("AMO", 12),
        external_id_macro: external_id("MACRO", 13),
        external_id_domoplaner: external_id("DP", 14),
        status_id,
        lead_type: match percent(seed, index, 15) {
            0..=79 => "straight",
            80..=97 => "selection",
            // A value the docs do not list: clients must keep it, not fail.
            _ => "callback",
        },
        create_method: pick(&["api", "form", "manual", "import"], seed, index, 16),
        is_secondary,
        previous_lead_id,
        next_lead_id: None,
        planning_call_date_time: match percent(seed, index, 20) {
            0..=69 => Some(TimeOrUnix::Text(Rfc3339(planning))),
            70..=89 => None,
            _ => Some(TimeOrUnix::Unix(planning)),
        },
        priority: mix(seed, index, 21) % 4,
        utc_offset: pick(&[3, 2, 5, -5, 0, 4], seed, index, 22),
        created_at: Rfc3339(created_at),
        updated_at: Rfc3339(created_at + (mix(seed, index, 23) % 86_400) as i64),
        order_id,
        order_code: Text(OrderCode(order_id)),
        vk_id: match percent(seed, index, 25) {
            0..=59 => Some(DigitsOrNumber::Digits(Text(vk))),
            60..=69 => Some(DigitsOrNumber::Number(vk)),
            _ => None,
        },
        instagram_login: (percent(seed, index, 26) < 40).then_some(Text(Login(id))),
        telegram_user_name: (percent(seed, index, 27) < 40).then_some(Text(Login(id))),
        telegram_phone: (percent(seed, index, 28) < 20)
            .then_some(Text(Phone { plus: true, digits })),
        custom_values: match percent(seed, index, 29) {
            0..=59 => SeededCustomValues::Fields {
                temperature: pick(&["hot", "warm", "cold"], seed, index, 30),
                lead_id: id,
            },
            // PHP's json_encode of an empty array.
            60..=89 => SeededCustomValues::EmptyList([]),
            _ => SeededCustomValues::EmptyMap {},
        },
    }
}

/// Seeded call `index` (0-based; its id is `index + 1`), linked to one of
/// the first `leads` seeded leads.
pub fn call(seed: u64, index: u64, leads: u64) -> Map<String, Value> {
    let id = index + 1;
    let lead_index = if leads == 0 {
        0
    } else {
        mix(seed, index, 40) % leads
    };
    let (order_id, _, lead_created) = filter_fields(seed, lead_index);
    let answered = percent(seed, index, 41) < 70;
    let wait = (mix(seed, index, 42) % 40) as i64;
    let talk = if answered {
        5 + (mix(seed, index, 43) % 600) as i64
    } else {
        0
    };
    let status_code = if answered {
        "answered"
    } else {
        pick(&["no_answer", "busy", "failed"], seed, index, 44)
    };
    let mut call = Map::new();
    call.insert("id".into(), json!(id));
    call.insert(
        "sipEndpointId".into(),
        json!(400 + mix(seed, index, 45) % 10),
    );
    call.insert(
        "finishInitiator".into(),
        json!(pick(&["client", "operator", "system"], seed, index, 46)),
    );
    call.insert(
        "direction".into(),
        json!(if percent(seed, index, 47) < 80 {
            "outgoing"
        } else {
            "incoming"
        }),
    );
    call.insert("leadId".into(), json!(lead_index + 1));
    call.insert(
        "userId".into(),
        if answered {
            json!(100 + mix(seed, index, 48) % 20)
        } else {
            Value::Null
        },
    );
    call.insert("orderId".into(), json!(order_id));
    // The docs' table has `statusId`, their example `statusCode`: the fake
    // sends the example's form, and both for a few calls.
    call.insert("statusCode".into(), json!(status_code));
    if percent(seed, index, 49) < 20 {
        call.insert("statusId".into(), json!(if answered { 1 } else { 2 }));
    }
    call.insert("totalDurationSeconds".into(), json!(wait + talk));
    call.insert("waitTimeDurationSeconds".into(), json!(wait));
    call.insert("talkTimeDurationSeconds".into(), json!(talk));
    call.insert("isPredictive".into(), json!(percent(seed, index, 50) < 30));
    call.insert(
        "clientPhone".into(),
        json!(format!(
            "+7900{}",
            1_000_000 + mix(seed, lead_index, 6) % 9_000_000
        )),
    );
    call.insert("hasRecords".into(), json!(answered));
    call.insert(
        "createdAt".into(),
        json!(rfc3339(
            lead_created + 3_600 + (mix(seed, index, 51) % 3_600) as i64
        )),
    );
    call
}

#[cfg(test)]
mod tests;
