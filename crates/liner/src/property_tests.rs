//! Property tests of the response path, seeded (every run tries the same
//! cases). The generators make the inputs that matter: valid envelopes and
//! pages as the spec allows them (fields in any order, any subset, every
//! accepted form), failure envelopes at any status, the same bodies mutated
//! byte by byte, and `Retry-After` values in both of their forms. Each
//! property asserts what the outcome must be, not only that nothing panics.

use std::time::Duration;

use liner_api::types::{Call, Lead};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use reqwest::StatusCode;
use serde_json::{Map, Value, json};

use crate::envelope::decode;
use crate::error::Error;
use crate::list::decode_page;
use crate::retry::parse_retry_after;
use crate::server_text::SNIPPET_LIMIT;

/// Cases per property (six properties); the README's Reliability section
/// quotes the total.
const CASES: u32 = 1024;

fn config() -> Config {
    Config {
        cases: CASES,
        rng_seed: RngSeed::Fixed(0x11E5),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Text, including quotes, backslashes, control and non-ASCII characters.
fn text() -> impl Strategy<Value = String> {
    "(\\PC|[\"\\\\\u{0}-\u{1f}é€😀]){0,12}"
}

fn id() -> impl Strategy<Value = Value> {
    (1u64..=i64::MAX as u64).prop_map(Value::from)
}

/// An optional member: absent, `null`, or a value.
fn maybe(value: impl Strategy<Value = Value>) -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        2 => Just(None),
        1 => Just(Some(Value::Null)),
        4 => value.prop_map(Some),
    ]
}

fn timestamp() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("2024-01-01T00:00:00Z")),
        Just(json!("2024-01-02 10:00:00")),
        any::<i32>().prop_map(Value::from),
        text().prop_map(Value::from),
    ]
}

/// A lead as the spec allows it: `id`, and any subset of the other fields
/// in every form the spec accepts.
fn lead() -> impl Strategy<Value = Value> {
    let strings = vec(maybe(text().prop_map(Value::from)), 6);
    let numbers = (
        maybe(id()),
        maybe(id()),
        maybe(any::<i64>().prop_map(Value::from)),
        maybe(any::<i8>().prop_map(Value::from)),
    );
    let flexible = (
        maybe(prop_oneof![
            Just(json!("straight")),
            Just(json!("selection")),
            text().prop_map(Value::from)
        ]),
        maybe(timestamp()),
        maybe(prop_oneof![
            text().prop_map(Value::from),
            any::<i64>().prop_map(Value::from)
        ]),
        maybe(prop_oneof![
            Just(json!([])),
            vec(text().prop_map(Value::from), 0..3).prop_map(Value::from),
            btree_map("[0-9]{1,3}", text().prop_map(Value::from), 0..3).prop_map(|map| json!(map)),
        ]),
        maybe(any::<bool>().prop_map(Value::from)),
    );
    (id(), strings, numbers, flexible).prop_map(
        |(
            id,
            strings,
            (status, order, priority, offset),
            (kind, created, vk, custom, secondary),
        )| {
            let mut lead = Map::new();
            lead.insert("id".into(), id);
            let names = [
                "name",
                "phone",
                "ip",
                "orderCode",
                "instagramLogin",
                "sourceComment",
            ];
            let members = names.iter().zip(strings).chain([
                (&"statusId", status),
                (&"orderId", order),
                (&"priority", priority),
                (&"utcOffset", offset),
                (&"leadType", kind),
                (&"createdAt", created),
                (&"vkId", vk),
                (&"customValues", custom),
                (&"isSecondary", secondary),
            ]);
            for (name, value) in members {
                if let Some(value) = value {
                    lead.insert((*name).to_owned(), value);
                }
            }
            Value::Object(lead)
        },
    )
}

/// A lead the spec does not allow: its id is not a positive integer.
fn odd_lead() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"id": "seven"})),
        Just(json!({"id": 0})),
        Just(json!({"name": "no id"})),
        Just(json!({"id": 3, "customValues": "none"})),
        Just(json!(17)),
    ]
}

/// An envelope around `data`, its members in either order (PHP backends
/// that sort keys send `data` first).
fn envelope(success: bool, message: String, data: Value, data_first: bool) -> String {
    let head = format!(r#""success":{success},"message":{}"#, json!(message));
    let data = format!(r#""data":{data}"#);
    if data_first {
        format!("{{{data},{head}}}")
    } else {
        format!("{{{head},{data}}}")
    }
}

fn any_status() -> impl Strategy<Value = StatusCode> {
    (100u16..600).prop_map(|code| StatusCode::from_u16(code).expect("100..600 are valid"))
}

fn error_status() -> impl Strategy<Value = StatusCode> {
    (400u16..600).prop_map(|code| StatusCode::from_u16(code).expect("400..600 are valid"))
}

/// What any outcome must satisfy: the status is kept, and a snippet is
/// bounded.
fn check_error(status: StatusCode, err: &Error) {
    assert_eq!(err.status(), Some(status), "the status is kept: {err}");
    if let Error::Http { snippet, .. } | Error::Decode { snippet, .. } = err {
        assert!(
            snippet.len() <= SNIPPET_LIMIT + '…'.len_utf8(),
            "{}",
            snippet.len()
        );
    }
    let _ = err.to_string();
}

/// Applies byte edits (replace, insert, delete) to `body`.
fn mutate(body: &str, edits: &[(prop::sample::Index, u8, u8)]) -> Vec<u8> {
    let mut body = body.as_bytes().to_vec();
    for (at, byte, kind) in edits {
        let at = at.index(body.len() + 1);
        match kind {
            0 if at < body.len() => body[at] = *byte,
            1 => body.insert(at, *byte),
            _ if at < body.len() => {
                body.remove(at);
            }
            _ => {}
        }
    }
    body
}

proptest! {
    #![proptest_config(config())]

    /// A valid page decodes to exactly the leads plain serde makes of its
    /// members, each odd lead reported at its index, whatever the order of
    /// the envelope's members.
    #[test]
    fn valid_pages_decode_to_their_leads(
        leads in vec(prop_oneof![5 => lead(), 1 => odd_lead()], 0..8),
        next in maybe((0u64..=i64::MAX as u64).prop_map(Value::from)),
        total in maybe((0u64..=i64::MAX as u64).prop_map(Value::from)),
        data_first in any::<bool>(),
    ) {
        let mut data = json!({ "list": leads });
        if let Some(next) = next.clone() { data["next"] = next; }
        if let Some(total) = total.clone() { data["total"] = total; }
        let body = envelope(true, String::new(), data, data_first);
        let page = decode_page(StatusCode::OK, body.as_bytes(), 40, 100).expect("a valid page decodes");
        let expected: Vec<Result<Lead, ()>> = leads
            .iter()
            .map(|lead| serde_json::from_value::<Lead>(lead.clone()).map_err(|_| ()))
            .collect();
        let good: Vec<&Lead> = expected.iter().filter_map(|lead| lead.as_ref().ok()).collect();
        prop_assert_eq!(page.items.iter().collect::<Vec<_>>(), good);
        let bad: Vec<usize> = expected.iter().enumerate().filter(|(_, l)| l.is_err()).map(|(i, _)| i).collect();
        prop_assert_eq!(page.undecodable.iter().map(|u| u.index).collect::<Vec<_>>(), bad);
        prop_assert_eq!(page.offset, 40);
        prop_assert_eq!(page.next, next.and_then(|n| n.as_u64()));
        prop_assert_eq!(page.total, total.and_then(|t| t.as_u64()));
    }

    /// A valid lead or call in its envelope decodes to what plain serde makes
    /// of it.
    #[test]
    fn valid_details_decode(lead in lead(), data_first in any::<bool>()) {
        let body = envelope(true, String::new(), lead.clone(), data_first);
        let decoded: Lead = decode(StatusCode::OK, body.as_bytes()).expect("a valid lead decodes");
        prop_assert_eq!(decoded, serde_json::from_value::<Lead>(lead.clone()).unwrap());
        // A call shares the id and the timestamp forms.
        let call = json!({ "id": lead["id"], "createdAt": lead.get("createdAt").cloned().unwrap_or(Value::Null) });
        let body = envelope(true, String::new(), call.clone(), data_first);
        let decoded: Call = decode(StatusCode::OK, body.as_bytes()).expect("a valid call decodes");
        prop_assert_eq!(decoded, serde_json::from_value::<Call>(call).unwrap());
    }

    /// `success: false` is `Error::Api` with the status and the message,
    /// at any status, 200 included, whatever `data` holds.
    #[test]
    fn failure_envelopes_are_api_errors(
        status in prop_oneof![Just(StatusCode::OK), error_status()],
        message in text(),
        data in prop_oneof![Just(json!([])), Just(json!(null)), Just(json!({"id": 1})), lead()],
        data_first in any::<bool>(),
    ) {
        let body = envelope(false, message.clone(), data, data_first);
        match decode::<Lead>(status, body.as_bytes()) {
            Err(Error::Api { status: got, message: said, .. }) => {
                prop_assert_eq!(got, status);
                prop_assert_eq!(said, message);
            }
            other => prop_assert!(false, "expected Error::Api, got {:?}", other),
        }
    }

    /// A non-2xx answer that is not an envelope is `Error::Http`, with the
    /// status and at most a snippet's worth of the body.
    #[test]
    fn other_failures_are_http_errors(status in error_status(), body in vec(any::<u8>(), 0..3000)) {
        prop_assume!(!body.starts_with(b"{"));
        let err = decode::<Lead>(status, &body).unwrap_err();
        prop_assert!(matches!(err, Error::Http { .. }), "{err:?}");
        check_error(status, &err);
    }

    /// Valid bodies, mutated byte by byte, at any status: a value only from
    /// a 2xx, else a typed error that keeps the status. Never a panic.
    #[test]
    fn mutated_bodies_give_values_or_typed_errors(
        leads in vec(lead(), 1..4),
        status in prop_oneof![3 => Just(StatusCode::OK), 1 => any_status()],
        edits in vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
    ) {
        let page = envelope(true, String::new(), json!({"list": leads, "next": 9, "total": 9}), false);
        let body = mutate(&page, &edits);
        match decode_page(status, &body, 0, 100) {
            Ok(_) => prop_assert!(status.is_success()),
            Err(err) => check_error(status, &err),
        }
        let detail = envelope(true, String::new(), leads[0].clone(), true);
        let body = mutate(&detail, &edits);
        match decode::<Lead>(status, &body) {
            Ok(_) => prop_assert!(status.is_success()),
            Err(err) => check_error(status, &err),
        }
    }

    /// `Retry-After` in both of its forms: delay-seconds give that delay; an
    /// HTTP date gives the time until then (zero once past); anything else
    /// is ignored.
    #[test]
    fn retry_after_reads_both_forms(
        seconds in 0u64..10_000_000,
        offset in -1_000_000i64..1_000_000,
        padding in "[ \t]{0,2}",
        garbage in "[a-zA-Z:,. -]{1,30}",
    ) {
        prop_assert_eq!(
            parse_retry_after(&format!("{padding}{seconds}{padding}")),
            Some(Duration::from_secs(seconds))
        );
        let when = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(offset);
        let date = jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_rfc9110_string(&when)
            .unwrap();
        let wait = parse_retry_after(&date).expect("an HTTP date is read");
        if offset <= 0 {
            prop_assert_eq!(wait, Duration::ZERO);
        } else {
            // The date has whole seconds, and time passes while the test runs.
            let expected = Duration::from_secs(offset as u64);
            prop_assert!(wait <= expected && wait + Duration::from_secs(3) >= expected, "{wait:?} for {offset}");
        }
        prop_assume!(jiff::fmt::rfc2822::DateTimeParser::new().parse_timestamp(&garbage).is_err());
        prop_assert_eq!(parse_retry_after(&garbage), None);
    }
}
