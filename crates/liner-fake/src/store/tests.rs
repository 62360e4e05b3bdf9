use super::*;

fn json(page: &Page) -> Vec<Value> {
    page.leads
        .iter()
        .map(|lead| serde_json::to_value(lead).unwrap())
        .collect()
}

fn ids(page: &Page) -> Vec<u64> {
    json(page)
        .iter()
        .map(|lead| lead["id"].as_u64().unwrap())
        .collect()
}

#[test]
fn unfiltered_pages_are_positional() {
    let store = Store::new(1, 250, 0);
    let page = store.list(&LeadFilter::default(), 200, 100);
    assert_eq!(page.total, 250);
    assert_eq!(ids(&page), (201..=250).collect::<Vec<_>>());
    assert!(
        store
            .list(&LeadFilter::default(), 250, 100)
            .leads
            .is_empty()
    );
}

#[test]
fn filters_count_and_page_consistently() {
    let store = Store::new(1, 1000, 0);
    let filter = LeadFilter {
        order_ids: vec![100, 202],
        ..Default::default()
    };
    let all = store.list(&filter, 0, 1000);
    assert!(all.total > 0 && all.total < 1000);
    assert_eq!(all.leads.len() as u64, all.total);
    assert!(
        json(&all)
            .iter()
            .all(|l| [100, 202].contains(&l["orderId"].as_i64().unwrap()))
    );
    let second = store.list(&filter, 10, 10);
    assert_eq!(ids(&second), ids(&all)[10..20]);
}

#[test]
fn created_and_shifted_leads_take_their_places() {
    let mut store = Store::new(1, 3, 0);
    let mut body = Map::new();
    for (k, v) in [
        ("leadType", json!("straight")),
        ("orderId", json!(5)),
        ("orderCode", json!("c")),
    ] {
        body.insert(k.into(), v);
    }
    assert_eq!(store.create(body, None), 4);
    store.shift_in(2);
    let page = store.list(&LeadFilter::default(), 0, 10);
    assert_eq!(ids(&page), vec![6, 5, 1, 2, 3, 4]);
    assert_eq!(store.lead(4).unwrap()["customValues"], json!([]));
}

#[test]
fn the_system_clock_dates_a_creation_now() {
    let body = || {
        let mut body = Map::new();
        for (k, v) in [
            ("leadType", json!("straight")),
            ("orderId", json!(5)),
            ("orderCode", json!("c")),
        ] {
            body.insert(k.into(), v);
        }
        body
    };
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    };
    let mut logical = Store::new(1, 3, 0);
    let id = logical.create(body(), None);
    assert!(
        logical.extra[&id].created_unix < now() - 86_400,
        "a seeded date"
    );
    let mut system = Store::new(1, 3, 0).with_clock(crate::Clock::System);
    let before = now();
    let id = system.create(body(), None);
    let created = system.extra[&id].created_unix;
    assert!(
        created >= before && created <= now(),
        "{created} vs {before}"
    );
    let filter = LeadFilter {
        created_from: Some(before),
        ..Default::default()
    };
    assert_eq!(ids(&system.list(&filter, 0, 10)), vec![id]);
}

#[test]
fn updates_change_only_what_is_sent() {
    let mut store = Store::new(1, 3, 0);
    let before = store.lead(2).unwrap();
    let mut patch = Map::new();
    patch.insert("statusId".into(), json!(99));
    assert!(store.update(2, patch));
    let after = store.lead(2).unwrap();
    assert_eq!(after["statusId"], json!(99));
    assert_eq!(after["name"], before["name"]);
    assert!(!store.update(42, Map::new()));
    let only_99 = LeadFilter {
        status_ids: vec![99],
        ..Default::default()
    };
    assert_eq!(ids(&store.list(&only_99, 0, 10)), vec![2]);
}

fn body(order: i64, code: &str) -> Map<String, Value> {
    let mut body = Map::new();
    for (k, v) in [
        ("leadType", json!("straight")),
        ("orderId", json!(order)),
        ("orderCode", json!(code)),
        ("phone", json!("79001234567")),
        ("name", json!(" Ada ")),
    ] {
        body.insert(k.into(), v);
    }
    body
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn clocks_a_client_must_not_rely_on() {
    let mut behind = Store::new(1, 0, 0).with_clock(crate::Clock::Offset(-900));
    let id = behind.create(body(5, "a"), None);
    let created = behind.extra[&id].created_unix;
    assert!((unix_now() - 901..=unix_now() - 899).contains(&created));
    assert!(
        behind.lead(id).unwrap()["createdAt"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );

    let mut local = Store::new(1, 0, 0).with_clock(crate::Clock::LocalTime(3));
    let id = local.create(body(5, "a"), None);
    let text = local.lead(id).unwrap()["createdAt"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(text.len(), "2026-12-04T11:41:00".len(), "{text}");
    let read_as_utc: jiff::Timestamp = format!("{text}Z").parse().unwrap();
    assert!((read_as_utc.as_second() - unix_now() - 3 * 3600).abs() <= 1);

    let mut unrelated = Store::new(1, 0, 0).with_clock(crate::Clock::Unrelated);
    let dates: Vec<i64> = (0..20)
        .map(|n| {
            let id = unrelated.create(body(5, &n.to_string()), None);
            unrelated.extra[&id].created_unix
        })
        .collect();
    assert!(
        dates
            .iter()
            .all(|d| (1_420_070_400..1_735_689_600).contains(d))
    );
    assert!(
        dates.windows(2).any(|w| w[0] > w[1]),
        "in no order: {dates:?}"
    );

    assert_eq!("offset:-900".parse(), Ok(crate::Clock::Offset(-900)));
    assert_eq!("local:+3".parse(), Ok(crate::Clock::LocalTime(3)));
    assert!("local:15".parse::<crate::Clock>().is_err());
}

#[test]
fn a_late_store_is_seen_by_no_read_until_it_is_stored() {
    let mut store = Store::new(1, 2, 0);
    let until = Instant::now() + std::time::Duration::from_millis(200);
    let id = store.create(body(5, "late"), Some(until));
    let order_5 = LeadFilter {
        order_ids: vec![5],
        ..Default::default()
    };
    assert!(store.lead(id).is_none());
    assert!(store.list(&order_5, 0, 10).leads.is_empty());
    assert_eq!(store.list(&LeadFilter::default(), 0, 10).total, 2);
    assert_eq!(store.created_count(), 0);
    std::thread::sleep(std::time::Duration::from_millis(250));
    assert!(store.lead(id).is_some());
    assert_eq!(ids(&store.list(&order_5, 0, 10)), vec![id]);
    assert_eq!(store.created_count(), 1);
}

#[test]
fn normalize_edits_a_created_lead() {
    let mut store = Store::new(1, 0, 0).with_edit(crate::Edit::Normalize);
    let mut sent = body(5, " A-1 ");
    sent.insert("name".into(), json!(" Ada Lovelace "));
    let id = store.create(sent, None);
    let lead = store.lead(id).unwrap();
    assert_eq!(lead["phone"], "+7 (900) 123-45-67");
    assert_eq!(lead["name"], "ADA LOVELACE");
    assert_eq!(lead["orderCode"], "A-1");
    assert_eq!(lead["utcOffset"], 3);
}

/// Churn keeps the total while the leads move up: paging by offset
/// skips a lead, which no count reveals.
#[test]
fn churn_moves_the_list_under_a_pager_and_keeps_its_total() {
    let mut store = Store::new(1, 0, 0);
    let ours: Vec<u64> = (0..30)
        .map(|n| store.create(body(7, &n.to_string()), None))
        .collect();
    let order_7 = LeadFilter {
        order_ids: vec![7],
        ..Default::default()
    };
    let mut seen = Vec::new();
    let mut totals = Vec::new();
    let mut offset = 0;
    loop {
        store.churn(&order_7, offset, 1);
        let page = store.list(&order_7, offset, 10);
        totals.push(page.total);
        seen.extend(ids(&page));
        offset += 10;
        if offset >= page.total {
            break;
        }
    }
    assert!(totals.iter().all(|t| *t == 31), "{totals:?}");
    let missed: Vec<&u64> = ours.iter().filter(|id| !seen.contains(id)).collect();
    // The lead added at the head at offset 0 is deleted at the first
    // boundary: the lead just past it is skipped.
    assert_eq!(missed, [&ours[9]]);
    assert_eq!(store.created_count(), 30, "only leads of someone else go");
}
