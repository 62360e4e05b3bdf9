use super::*;
use crate::types;
use serde_json::json;

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
