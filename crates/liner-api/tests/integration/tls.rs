//! The generated client over HTTPS, with whichever TLS backend this build
//! has (CI runs it with rustls and with `--no-default-features --features
//! native-tls`): a private authority is trusted through a `reqwest::Client`
//! given to `Client::new_with_client`, and all five operations work.

#![cfg(any(feature = "rustls", feature = "native-tls"))]

use liner_api::Client;
use liner_api::types::{LeadPatch, LeadType, NewLead};
use liner_fake::{Config, FakeServer, Fault, Faults, Tls};

/// The generated client for `fake`, trusting its authority.
fn client(fake: &FakeServer) -> Client {
    let authority = reqwest::Certificate::from_pem(fake.ca_pem().unwrap().as_bytes()).unwrap();
    let http = reqwest::Client::builder()
        .default_headers(liner_api::api_key_headers(fake.api_key()).unwrap())
        .tls_certs_merge([authority])
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    Client::new_with_client(fake.base_url(), http)
}

/// A create body for order 202 with the order code `code`.
fn new_lead(code: &str) -> liner_api::types::builder::NewLead {
    NewLead::builder()
        .lead_type(LeadType::Straight)
        .phone("+79001112233")
        .order_id(202)
        .order_code(code)
}

#[tokio::test]
async fn all_five_operations_over_https() {
    let fake = FakeServer::start(
        Config::default()
            .with_leads(150)
            .with_calls(5)
            .with_tls(Tls::default()),
    )
    .await
    .unwrap();
    let client = client(&fake);
    let created = client
        .create_lead()
        .body(new_lead("tls"))
        .send()
        .await
        .unwrap()
        .into_inner()
        .into_result()
        .unwrap()
        .data
        .id;
    client
        .update_lead()
        .lead_id(created)
        .body(LeadPatch::new().status_id(12))
        .send()
        .await
        .unwrap();
    let lead = client
        .get_lead()
        .lead_id(created)
        .send()
        .await
        .unwrap()
        .into_inner()
        .into_result()
        .unwrap()
        .data;
    assert_eq!(lead.status_id.map(|id| id.get()), Some(12));
    let page = client
        .list_leads()
        .offset(100)
        .limit(100)
        .send()
        .await
        .unwrap()
        .into_inner()
        .into_result()
        .unwrap()
        .data;
    assert_eq!(page.list.len(), 51);
    assert_eq!(page.total, Some(151));
    let call = client
        .get_call()
        .call_id(2)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(call.into_result().unwrap().data.id.get(), 2);
}

/// A create whose answer is cut over TLS is an error, and the lead exists:
/// the generated client does not retry, and says nothing of TLS.
#[tokio::test]
async fn a_create_under_faults_over_https() {
    let fake = FakeServer::start(
        Config::default()
            .with_faults(Faults::always(Fault::CutMidBody))
            .with_tls(Tls::default()),
    )
    .await
    .unwrap();
    let err = client(&fake)
        .create_lead()
        .body(new_lead("cut"))
        .send()
        .await
        .unwrap_err();
    assert!(
        !err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );
    assert_eq!(fake.stats().leads_created, 1);
}

/// Without the authority, the certificate is refused before anything is
/// sent.
#[tokio::test]
async fn an_untrusted_authority_is_refused() {
    let fake = FakeServer::start(Config::default().with_tls(Tls::default()))
        .await
        .unwrap();
    let client = Client::with_api_key(fake.base_url(), fake.api_key()).unwrap();
    let err = client
        .get_lead()
        .lead_id(std::num::NonZeroU64::MIN)
        .send()
        .await
        .unwrap_err();
    let mut text = err.to_string();
    let mut cause = std::error::Error::source(&err);
    while let Some(inner) = cause {
        text.push_str(&format!(": {inner}"));
        cause = inner.source();
    }
    let text = text.to_lowercase();
    assert!(
        // rustls, and OpenSSL (which sees the authority sent in the chain).
        text.contains("unknownissuer")
            || text.contains("self-signed certificate in certificate chain"),
        "{text}"
    );
    assert_eq!(fake.stats().requests, 0);
}
