//! The blocking client (feature `blocking`): every operation, and the list
//! iterator through its endings: the end of the list, an error (the last
//! item, then `None` for good), an undecodable lead (an `Err`, and the list
//! goes on).
#![cfg(feature = "blocking")]

use liner::{Error, LeadPatch, LeadType, NewLead, RetryPolicy};
use liner_fake::Config;
use liner_test_support::capture::{CannedResponse, CaptureServer};

use crate::support::{client_of, client_of_with};

/// The servers need a runtime of their own; the blocking client brings its
/// own too, and must not be used inside one.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

#[test]
fn the_blocking_client_iterates() {
    let runtime = runtime();
    let fake = runtime
        .block_on(liner_fake::FakeServer::start(
            Config::default().with_leads(230),
        ))
        .unwrap();
    let client = liner::blocking::Liner::new(client_of(fake.base_url(), fake.api_key())).unwrap();
    let leads: Vec<liner::Lead> = client
        .leads()
        .page_size(100)
        .iter()
        .map(|lead| lead.unwrap())
        .collect();
    let ids: Vec<u64> = leads.iter().map(|lead| lead.id.get()).collect();
    assert_eq!(ids, (1..=230).collect::<Vec<_>>());
    assert_eq!(client.lead(7).unwrap().id.get(), 7);
    // The filtered list is exactly the leads of order 202 in the full one.
    let of_order_202: Vec<u64> = leads
        .iter()
        .filter(|lead| lead.order_id.is_some_and(|order| order.get() == 202))
        .map(|lead| lead.id.get())
        .collect();
    assert!(!of_order_202.is_empty(), "the seed has leads of order 202");
    let mut filtered = Vec::new();
    for lead in client.leads().order_ids([202]) {
        filtered.push(lead.unwrap().id.get());
    }
    assert_eq!(filtered, of_order_202);
}

#[test]
fn the_blocking_client_reads_creates_and_updates() {
    let runtime = runtime();
    let fake = runtime
        .block_on(liner_fake::FakeServer::start(
            Config::default().with_leads(3).with_calls(2),
        ))
        .unwrap();
    let client = liner::blocking::Liner::new(client_of(fake.base_url(), fake.api_key())).unwrap();
    let id = client
        .create_lead(NewLead::new(LeadType::Selection, "79001234567", 404, "order-404").name("Ada"))
        .unwrap();
    assert_eq!(id.get(), 4);
    let created = client.lead(id).unwrap();
    assert_eq!(created.name.as_deref(), Some("Ada"));
    assert_eq!(created.order_id.map(|order| order.get()), Some(404));
    client
        .update_lead(id, LeadPatch::new().name("Ada Lovelace"))
        .unwrap();
    assert_eq!(
        client.lead(id).unwrap().name.as_deref(),
        Some("Ada Lovelace")
    );
    assert_eq!(client.call(2).unwrap().id.get(), 2);
    let missing = client.call(3).unwrap_err();
    assert_eq!(
        missing.status(),
        Some(liner::StatusCode::NOT_FOUND),
        "{missing}"
    );
    let stats = fake.stats();
    assert_eq!(stats.leads_created, 1);
    assert_eq!(stats.requests, 6);
}

#[test]
fn the_blocking_iterator_ends_after_an_error() {
    let runtime = runtime();
    let server = runtime.block_on(CaptureServer::start(vec![
        CannedResponse::ok(
            r#"{"success":true,"message":"","data":{"list":[{"id":1},{"id":2}],"total":4,"next":2}}"#,
        ),
        CannedResponse {
            status: 503,
            body: r#"{"success":false,"message":"down","data":[]}"#.into(),
        },
    ]));
    let client =
        liner::blocking::Liner::new(client_of_with(server.base_url(), "k", RetryPolicy::none()))
            .unwrap();
    let mut leads = client.leads().page_size(2).concurrency(1).iter();
    assert_eq!(leads.next().unwrap().unwrap().id.get(), 1);
    assert_eq!(leads.next().unwrap().unwrap().id.get(), 2);
    let error = leads.next().unwrap().unwrap_err();
    assert_eq!(
        error.status(),
        Some(liner::StatusCode::SERVICE_UNAVAILABLE),
        "{error}"
    );
    assert!(leads.next().is_none(), "the error was the last item");
    assert!(leads.next().is_none(), "and the iterator stays ended");
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn an_undecodable_lead_is_an_error_and_iteration_goes_on() {
    let runtime = runtime();
    let server = runtime.block_on(CaptureServer::start(vec![
        CannedResponse::ok(
            r#"{"success":true,"message":"","data":{"list":[{"id":1},{"name":"no id"}],"total":3,"next":2}}"#,
        ),
        CannedResponse::ok(r#"{"success":true,"message":"","data":{"list":[{"id":3}],"total":3}}"#),
    ]));
    let client = liner::blocking::Liner::new(client_of(server.base_url(), "k")).unwrap();
    let items: Vec<_> = client.leads().page_size(2).iter().collect();
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap().id.get(), 1);
    assert!(
        matches!(items[1], Err(Error::Decode { .. })),
        "{:?}",
        items[1]
    );
    assert_eq!(items[2].as_ref().unwrap().id.get(), 3, "the list went on");
    assert_eq!(server.requests().len(), 2);
}
