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
fn rfc3339_agrees_with_jiff() {
    let jiff = |unix: i64| {
        jiff::Timestamp::from_second(unix)
            .unwrap()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    let mut unix = 0i64;
    while unix < 4_102_444_800 {
        assert_eq!(rfc3339(unix), jiff(unix), "{unix}");
        unix += 86_399 * 7 + 13;
    }
    for unix in [0, 951_782_400, 951_868_799, 1_672_531_200, 4_107_542_399] {
        assert_eq!(rfc3339(unix), jiff(unix), "{unix}");
    }
}

#[test]
fn creation_times_increase_with_the_id() {
    assert_eq!(rfc3339(seeded_created_at(0)), "2023-01-01T00:00:00Z");
    assert!(seeded_created_at(1) > seeded_created_at(0));
}
