//! Validation of what clients send, with messages that name the field, as a
//! strict reading of the Liner docs. A client that sends what the spec
//! forbids gets a `400` here, so its bug shows up in tests.

use serde_json::{Map, Value};

use crate::store::LeadFilter;

/// The largest page the docs allow.
pub const MAX_LIMIT: u64 = 100;
/// The page size when `limit` is absent, per the docs.
pub const DEFAULT_LIMIT: u64 = 50;

/// A validated list request.
#[derive(Debug)]
pub struct ListQuery {
    pub filter: LeadFilter,
    pub offset: u64,
    pub limit: u64,
}

/// Parses the query string of `GET /v2/lead/`.
///
/// Keys are percent-decoded first, so `orderIds%5B%5D` and `orderIds[]` are
/// the same key. Array parameters accept the docs' `orderIds[]=1` form and
/// PHP's `http_build_query` form `orderIds[0]=1`. Unknown keys are ignored,
/// as PHP ignores them.
pub fn list_query(raw: Option<&str>) -> Result<ListQuery, String> {
    let mut query = ListQuery {
        filter: LeadFilter::default(),
        offset: 0,
        limit: DEFAULT_LIMIT,
    };
    let mut problems = Vec::new();
    for (key, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let (name, index) = match key.split_once('[') {
            Some((name, rest)) => (name, rest.strip_suffix(']')),
            None => (key.as_ref(), None),
        };
        let result = match (name, index) {
            ("offset", None) => integer(&key, &value, 0, INT64_MAX).map(|v| query.offset = v),
            ("limit", None) => integer(&key, &value, 1, MAX_LIMIT).map(|v| query.limit = v),
            ("createdAt", Some("0")) => {
                date_time(&key, &value).map(|v| query.filter.created_from = Some(v))
            }
            ("createdAt", Some("1")) => {
                date_time(&key, &value).map(|v| query.filter.created_to = Some(v))
            }
            ("orderIds", Some(index)) if is_array_index(index) => {
                integer(&key, &value, 1, INT64_MAX).map(|v| query.filter.order_ids.push(v as i64))
            }
            ("statusIds", Some(index)) if is_array_index(index) => {
                integer(&key, &value, 1, INT64_MAX).map(|v| query.filter.status_ids.push(v as i64))
            }
            ("orderIds" | "statusIds", None) => Err(format!(
                "{key}: arrays are sent as repeated `{key}[]=` keys, e.g. {key}[]=1&{key}[]=2"
            )),
            _ => Ok(()),
        };
        if let Err(problem) = result {
            problems.push(problem);
        }
    }
    if problems.is_empty() {
        Ok(query)
    } else {
        Err(problems.join("; "))
    }
}

fn is_array_index(index: &str) -> bool {
    index.is_empty() || index.bytes().all(|b| b.is_ascii_digit())
}

/// The largest value of the spec's `format: int64`.
const INT64_MAX: u64 = i64::MAX as u64;

/// A decimal integer in `min..=max`, as the spec's `minimum`/`maximum` and
/// `format: int64` bound it.
fn integer(key: &str, value: &str, min: u64, max: u64) -> Result<u64, String> {
    match value.parse::<u64>() {
        Ok(number) if (min..=max).contains(&number) => Ok(number),
        _ => Err(format!(
            "{key}: must be an integer between {min} and {max}, got {value:?}"
        )),
    }
}

/// An RFC 3339 date-time (`2023-01-01T00:00:00Z`, `...+03:00`), the spec's
/// `format: date-time`; anything else, a bare date included, is refused, as
/// the spec refuses it.
fn date_time(key: &str, value: &str) -> Result<i64, String> {
    rfc3339(value).ok_or_else(|| {
        format!("{key}: must be an RFC 3339 date-time such as 2023-01-01T00:00:00Z, got {value:?}")
    })
}

/// The Unix seconds of an RFC 3339 date-time (section 5.6: `T` or `t`,
/// optional fraction, `Z`, `z` or a numeric offset), or `None`. The shape
/// is checked first because jiff's parser also takes forms RFC 3339 does
/// not (time zone annotations, for instance).
fn rfc3339(value: &str) -> Option<i64> {
    let bytes = value.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    let shaped = digits(0..4)
        && bytes.get(4) == Some(&b'-')
        && digits(5..7)
        && bytes.get(7) == Some(&b'-')
        && digits(8..10)
        && matches!(bytes.get(10), Some(b'T' | b't'))
        && digits(11..13)
        && bytes.get(13) == Some(&b':')
        && digits(14..16)
        && bytes.get(16) == Some(&b':')
        && digits(17..19);
    if !shaped {
        return None;
    }
    let mut rest = &value[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let length = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if length == 0 {
            return None;
        }
        rest = &fraction[length..];
    }
    let offset_ok = matches!(rest, "Z" | "z")
        || (rest.len() == 6
            && matches!(rest.as_bytes()[0], b'+' | b'-')
            && rest.as_bytes()[3] == b':'
            && rest[1..3]
                .bytes()
                .chain(rest[4..6].bytes())
                .all(|b| b.is_ascii_digit()));
    if !offset_ok {
        return None;
    }
    // jiff reads the upper-case form; the values (month 13, hour 25, offset
    // +24:00, ...) are its to judge.
    let normalized = value.to_ascii_uppercase();
    normalized
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|timestamp| timestamp.as_second())
}

/// A path id: an integer > 0 that fits the spec's `format: int64`.
pub fn path_id(name: &str, raw: &str) -> Result<u64, String> {
    integer(name, raw, 1, INT64_MAX)
}

/// The optional string fields of create and update bodies.
const STRING_FIELDS: &[&str] = &[
    "name",
    "sourceComment",
    "externalIdBitrix24",
    "externalIdAmo",
    "externalIdMacro",
    "externalIdDomoplaner",
    "telegramUserName",
    "telegramPhone",
    "instagramLogin",
];

/// Validates a create body; the result holds only documented fields.
pub fn new_lead(body: &[u8]) -> Result<Map<String, Value>, String> {
    let object = json_object(body)?;
    let mut problems = Vec::new();
    for required in ["leadType", "phone", "orderId", "orderCode"] {
        if !object.contains_key(required) {
            problems.push(format!("{required}: is required"));
        }
    }
    if let Some(value) = object.get("leadType")
        && !matches!(value.as_str(), Some("straight" | "selection"))
    {
        problems.push(format!(
            "leadType: must be \"straight\" or \"selection\", got {value}"
        ));
    }
    if let Some(value) = object.get("orderId")
        && !positive_id(value)
    {
        problems.push(format!("orderId: {POSITIVE_INT64}, got {value}"));
    }
    if let Some(value) = object.get("orderCode")
        && !value.is_string()
    {
        problems.push(format!("orderCode: must be a string, got {value}"));
    }
    let mut lead = common_fields(&object, &mut problems);
    for key in ["leadType", "orderId", "orderCode"] {
        if let Some(value) = object.get(key) {
            lead.insert(key.to_owned(), value.clone());
        }
    }
    if problems.is_empty() {
        Ok(lead)
    } else {
        Err(problems.join("; "))
    }
}

/// Validates an update body; the result holds only documented fields.
pub fn lead_patch(body: &[u8]) -> Result<Map<String, Value>, String> {
    let object = json_object(body)?;
    let mut problems = Vec::new();
    let patch = common_fields(&object, &mut problems);
    if problems.is_empty() && patch.is_empty() {
        problems.push(
            "nothing to update: send at least one of the documented fields (name, phone, statusId, ...)"
                .to_owned(),
        );
    }
    if problems.is_empty() {
        Ok(patch)
    } else {
        Err(problems.join("; "))
    }
}

fn json_object(body: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(other) => Err(format!(
            "the body must be a JSON object, got {}",
            kind(&other)
        )),
        Err(err) => Err(format!("the body is not valid JSON: {err}")),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Checks the fields create and update share, collecting what is valid.
fn common_fields(object: &Map<String, Value>, problems: &mut Vec<String>) -> Map<String, Value> {
    let mut fields = Map::new();
    for (key, value) in object {
        let key = key.as_str();
        let problem = match key {
            "phone" => match value.as_str() {
                Some(phone) if is_phone(phone) => None,
                _ => Some(format!(
                    "phone: must be an E.164 number with or without the leading +, e.g. 79001234567, got {value}"
                )),
            },
            "statusId" => {
                (!positive_id(value)).then(|| format!("statusId: {POSITIVE_INT64}, got {value}"))
            }
            "priority" | "utcOffset" => {
                (!value.is_i64()).then(|| format!("{key}: must be an integer, got {value}"))
            }
            "vkId" => {
                let valid = positive_id(value)
                    || value.as_str().is_some_and(|text| {
                        !text.is_empty()
                            && !text.starts_with('0')
                            && text.bytes().all(|b| b.is_ascii_digit())
                    });
                (!valid).then(|| format!("vkId: must be a VK user id > 0, got {value}"))
            }
            "customValues" => (!value.is_object()).then(|| {
                format!(
                    "customValues: must be an object of custom field id to value, got {}",
                    kind(value)
                )
            }),
            key if STRING_FIELDS.contains(&key) => {
                (!value.is_string()).then(|| format!("{key}: must be a string, got {value}"))
            }
            // Undocumented fields are ignored, as a PHP backend would.
            _ => continue,
        };
        match problem {
            Some(problem) => problems.push(problem),
            None => {
                if key != "leadType" && key != "orderId" && key != "orderCode" {
                    fields.insert(key.to_owned(), value.clone());
                }
            }
        }
    }
    fields
}

/// What an id must be, in the words of the refusals.
const POSITIVE_INT64: &str = "must be an integer between 1 and 9223372036854775807";

/// A JSON integer > 0 that fits the spec's `format: int64`.
fn positive_id(value: &Value) -> bool {
    value.as_i64().is_some_and(|id| id > 0)
}

/// E.164 with or without `+`: 7 to 15 digits, the first not 0.
fn is_phone(phone: &str) -> bool {
    let digits = phone.strip_prefix('+').unwrap_or(phone);
    (7..=15).contains(&digits.len())
        && !digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bracketed_keys_raw_encoded_and_indexed_are_the_same() {
        for raw in [
            "orderIds[]=100&orderIds[]=101",
            "orderIds%5B%5D=100&orderIds%5B%5D=101",
            "orderIds%5B0%5D=100&orderIds%5B1%5D=101",
        ] {
            assert_eq!(
                list_query(Some(raw)).unwrap().filter.order_ids,
                vec![100, 101],
                "{raw}"
            );
        }
    }

    #[test]
    fn list_parameters_are_checked() {
        let query = list_query(Some(
            "createdAt%5B0%5D=2023-01-01T00:00:00Z&createdAt[1]=2023-01-02t03:00:00.5%2B03:00",
        ))
        .unwrap();
        assert_eq!(query.filter.created_from, Some(1_672_531_200));
        assert_eq!(query.filter.created_to, Some(1_672_617_600));
        for not_rfc3339 in [
            "2023-01-02",
            "2023-01-02 00:00:00Z",
            "2023-01-02T00:00:00",
            "2023-01-02T00:00:00.Z",
            "2023-13-02T00:00:00Z",
            "2023-01-02T00:00:00+0300",
            "2023-01-02T00:00:00Z[Europe/Moscow]",
        ] {
            let raw = format!("createdAt[0]={}", not_rfc3339.replace('+', "%2B"));
            assert!(list_query(Some(&raw)).is_err(), "{not_rfc3339}");
        }
        assert_eq!(query.limit, DEFAULT_LIMIT);
        assert!(
            list_query(Some("limit=101"))
                .unwrap_err()
                .starts_with("limit: must be an integer between 1 and 100")
        );
        assert!(list_query(Some("limit=0")).is_err());
        assert!(
            list_query(Some("offset=-1"))
                .unwrap_err()
                .starts_with("offset:")
        );
        assert!(list_query(Some("offset=9223372036854775807")).is_ok());
        assert!(list_query(Some("offset=9223372036854775808")).is_err());
        assert!(path_id("leadId", "9223372036854775807").is_ok());
        assert!(path_id("leadId", "9223372036854775808").is_err());
        assert!(
            list_query(Some("createdAt[0]=yesterday"))
                .unwrap_err()
                .starts_with("createdAt[0]:")
        );
        assert!(
            list_query(Some("orderIds=1"))
                .unwrap_err()
                .contains("orderIds[]=")
        );
    }

    #[test]
    fn create_bodies_name_every_bad_field() {
        let err = new_lead(br#"{"leadType":"vip","phone":"12","orderId":0}"#).unwrap_err();
        assert!(err.contains("orderCode: is required"), "{err}");
        assert!(err.contains("leadType: must be"), "{err}");
        assert!(err.contains("phone: must be"), "{err}");
        assert!(
            err.contains("orderId: must be an integer between 1 and"),
            "{err}"
        );
        let ok = new_lead(br#"{"leadType":"straight","phone":"+79001234567","orderId":1,"orderCode":"x","vkId":5,"junk":1}"#).unwrap();
        assert!(!ok.contains_key("junk"));
        assert_eq!(ok["vkId"], 5);
        let too_big = new_lead(
            br#"{"leadType":"straight","phone":"+79001234567","orderId":9223372036854775808,"orderCode":"x","statusId":18446744073709551615}"#,
        )
        .unwrap_err();
        assert!(
            too_big.contains("orderId: must be an integer between 1 and 9223372036854775807"),
            "{too_big}"
        );
        assert!(
            too_big.contains("statusId: must be an integer between 1 and"),
            "{too_big}"
        );
    }

    #[test]
    fn an_empty_patch_is_refused() {
        assert!(
            lead_patch(b"{}")
                .unwrap_err()
                .starts_with("nothing to update")
        );
        assert!(lead_patch(b"[]").unwrap_err().contains("JSON object"));
        assert!(lead_patch(b"{").unwrap_err().contains("not valid JSON"));
        assert_eq!(lead_patch(br#"{"statusId":3}"#).unwrap()["statusId"], 3);
    }
}
