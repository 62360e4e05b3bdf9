//! Deterministic seeded data: lead `i` and call `i` are pure functions of the
//! seed and `i`, built only when asked for. A million seeded leads therefore
//! cost no memory until a page of them is served.

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
    jiff::Timestamp::from_second(unix)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// Seeded lead `index` (0-based; its id is `index + 1`). Most leads look like
/// the docs' example; a deterministic few carry the variations the spec
/// allows: absent and `null` fields, `vkId` as a number, `customValues` as
/// `[]`, a Unix `planningCallDateTime`, a lead type the docs do not list.
pub fn lead(seed: u64, index: u64) -> Map<String, Value> {
    let id = index + 1;
    let (order_id, status_id, created_at) = filter_fields(seed, index);
    let mut lead = Map::new();
    let mut set = |key: &str, value: Value| {
        lead.insert(key.to_owned(), value);
    };
    set("id", json!(id));
    set(
        "name",
        if percent(seed, index, 3) < 3 {
            Value::Null
        } else {
            json!(format!(
                "{} {}",
                pick(FIRST_NAMES, seed, index, 4),
                pick(LAST_NAMES, seed, index, 5)
            ))
        },
    );
    let digits = 1_000_000 + mix(seed, index, 6) % 9_000_000;
    let plus = if percent(seed, index, 7) < 10 {
        ""
    } else {
        "+"
    };
    set("phone", json!(format!("{plus}7900{digits}")));
    set(
        "sourceComment",
        match percent(seed, index, 8) {
            0..=69 => json!(""),
            70..=89 => json!("called from the landing page"),
            _ => json!(r#"{"utm_source":"ads","utm_campaign":"spring"}"#),
        },
    );
    if percent(seed, index, 9) >= 20 {
        set(
            "ip",
            json!(format!(
                "192.168.{}.{}",
                mix(seed, index, 10) % 256,
                id % 256
            )),
        );
    }
    for (key, prefix, salt) in [
        ("externalIdBitrix24", "B24", 11),
        ("externalIdAmo", "AMO", 12),
        ("externalIdMacro", "MACRO", 13),
        ("externalIdDomoplaner", "DP", 14),
    ] {
        let value = if percent(seed, index, salt) < 30 {
            json!(format!("{prefix}-{id:06}"))
        } else {
            Value::Null
        };
        set(key, value);
    }
    set("statusId", json!(status_id));
    set(
        "leadType",
        match percent(seed, index, 15) {
            0..=79 => json!("straight"),
            80..=97 => json!("selection"),
            // A value the docs do not list: clients must keep it, not fail.
            _ => json!("callback"),
        },
    );
    set(
        "createMethod",
        json!(pick(&["api", "form", "manual", "import"], seed, index, 16)),
    );
    let secondary = percent(seed, index, 17);
    let (is_secondary, previous) = match secondary {
        0..=79 => (json!(false), Value::Null),
        80..=89 if id > 1 => (json!(true), json!(1 + mix(seed, index, 18) % (id - 1))),
        _ => (Value::Null, Value::Null),
    };
    set("isSecondary", is_secondary);
    set("previousLeadId", previous);
    set("nextLeadId", Value::Null);
    let planning = created_at + 86_400 + (mix(seed, index, 19) % 86_400) as i64;
    set(
        "planningCallDateTime",
        match percent(seed, index, 20) {
            0..=69 => json!(rfc3339(planning)),
            70..=89 => Value::Null,
            _ => json!(planning),
        },
    );
    set("priority", json!(mix(seed, index, 21) % 4));
    set(
        "utcOffset",
        json!(pick(&[3, 2, 5, -5, 0, 4], seed, index, 22)),
    );
    set("createdAt", json!(rfc3339(created_at)));
    set(
        "updatedAt",
        json!(rfc3339(created_at + (mix(seed, index, 23) % 86_400) as i64)),
    );
    set("orderId", json!(order_id));
    set("orderCode", json!(format!("order-{order_id}")));
    let vk = 100_000 + mix(seed, index, 24) % 900_000;
    set(
        "vkId",
        match percent(seed, index, 25) {
            0..=59 => json!(vk.to_string()),
            60..=69 => json!(vk),
            _ => Value::Null,
        },
    );
    let login = format!("user{id}");
    set(
        "instagramLogin",
        if percent(seed, index, 26) < 40 {
            json!(login)
        } else {
            Value::Null
        },
    );
    set(
        "telegramUserName",
        if percent(seed, index, 27) < 40 {
            json!(login)
        } else {
            Value::Null
        },
    );
    set(
        "telegramPhone",
        if percent(seed, index, 28) < 20 {
            json!(format!("+7900{digits}"))
        } else {
            Value::Null
        },
    );
    set(
        "customValues",
        match percent(seed, index, 29) {
            0..=59 => json!({ "10": pick(&["hot", "warm", "cold"], seed, index, 30), "11": id }),
            // PHP's json_encode of an empty array.
            60..=89 => json!([]),
            _ => json!({}),
        },
    );
    lead
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
mod tests {
    use super::*;

    #[test]
    fn seeded_data_is_deterministic_and_varied() {
        assert_eq!(lead(7, 41), lead(7, 41));
        assert_ne!(lead(7, 41), lead(8, 41));
        let leads: Vec<_> = (0..1000).map(|i| lead(7, i)).collect();
        let count = |f: &dyn Fn(&Map<String, Value>) -> bool| leads.iter().filter(|l| f(l)).count();
        assert!(count(&|l| l["customValues"] == json!([])) > 100);
        assert!(count(&|l| l["vkId"].is_number()) > 30);
        assert!(count(&|l| l["isSecondary"].is_null()) > 30);
        assert!(count(&|l| !l.contains_key("ip")) > 100);
        assert!(count(&|l| l["leadType"] == "callback") > 0);
        assert!(count(&|l| l["planningCallDateTime"].is_number()) > 30);
    }

    #[test]
    fn creation_times_increase_with_the_id() {
        assert_eq!(rfc3339(seeded_created_at(0)), "2023-01-01T00:00:00Z");
        assert!(seeded_created_at(1) > seeded_created_at(0));
    }
}
