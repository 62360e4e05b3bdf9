//! `liner` over HTTPS, against the fake serving TLS with an authority made
//! for the test, with whichever TLS backend this build has (CI runs this
//! file with the default rustls and with `--no-default-features --features
//! native-tls`): every operation, a list, faults, certificate failures named
//! and never retried, proxies, and connections reused.

#![cfg(any(feature = "rustls", feature = "native-tls"))]

use liner::{LeadPatch, LeadType, Liner, LinerBuilder, NewLead};
use liner_fake::{Config, FakeServer, Fault, Faults, Tls};
use liner_test_support::proxy::{Proxy, ProxyMode};

async fn fake(config: Config, tls: Tls) -> FakeServer {
    FakeServer::start(config.with_tls(tls)).await.unwrap()
}

fn builder(fake: &FakeServer) -> LinerBuilder {
    Liner::builder()
        .base_url(fake.base_url())
        .api_key(fake.api_key())
        .no_proxy()
}

fn trusting(fake: &FakeServer) -> Liner {
    builder(fake)
        .add_root_certificate(fake.ca_pem().unwrap())
        .build()
        .unwrap()
}

#[tokio::test]
async fn every_operation_over_https() {
    let fake = fake(
        Config::default().with_leads(250).with_calls(5),
        Tls::default(),
    )
    .await;
    assert!(fake.base_url().starts_with("https://127.0.0.1:"));
    let client = trusting(&fake);
    let id = client
        .create_lead(NewLead::new(
            LeadType::Straight,
            "79001234567",
            202,
            "tls-1",
        ))
        .await
        .unwrap();
    client
        .update_lead(id, LeadPatch::new().status_id(12))
        .await
        .unwrap();
    let lead = client.lead(id.get()).await.unwrap();
    assert_eq!(lead.status_id.map(|s| s.get()), Some(12));
    assert_eq!(client.call(3).await.unwrap().id.get(), 3);
    let all = client.leads().collect_all().await.unwrap();
    assert_eq!(all.len(), 251);
    assert!(fake.tls_handshakes() >= 1);
}

/// Faults over TLS are the same faults: reads retried through 503s and cut
/// answers, and an error of the connection is not taken for a TLS one.
#[tokio::test]
async fn faults_over_https_are_retried_as_over_http() {
    let faults = Faults::default()
        .with_seed(3)
        .with(Fault::Unavailable, 0.2)
        .with(Fault::CutMidBody, 0.1);
    let fake = fake(
        Config::default().with_leads(500).with_faults(faults),
        Tls::default(),
    )
    .await;
    let client = trusting(&fake);
    assert_eq!(client.leads().collect_all().await.unwrap().len(), 500);
    let cut = FakeServer::start(
        Config::default()
            .with_faults(Faults::always(Fault::CutBeforeAnswer))
            .with_tls(Tls::default()),
    )
    .await
    .unwrap();
    let err = trusting(&cut)
        .create_lead(NewLead::new(LeadType::Straight, "79001234567", 202, "cut"))
        .await
        .unwrap_err();
    assert!(!err.is_tls(), "{err}");
    assert_eq!(cut.stats().leads_created, 1, "the create happened");
}

/// An authority the client does not trust, an expired certificate, one for
/// another name: each fails after exactly one attempt, says what failed with
/// the certificate and for which host, and the server saw no request.
#[tokio::test]
async fn certificate_failures_are_named_and_not_retried() {
    let cases = [
        (
            Tls::default(),
            false,
            "the server's certificate is not trusted (unknown issuer) for 127.0.0.1",
        ),
        (
            Tls::default().expired(),
            true,
            "the server's certificate has expired for 127.0.0.1",
        ),
        (
            Tls::default().with_names(["liner.example.com"]),
            true,
            "the server's certificate is not valid for this host name for 127.0.0.1",
        ),
    ];
    for (tls, trust, expected) in cases {
        let fake = fake(Config::default(), tls).await;
        let client = if trust {
            trusting(&fake)
        } else {
            builder(&fake).build().unwrap()
        };
        let err = client.lead(1).await.unwrap_err();
        assert!(err.is_tls(), "{err:?}");
        assert!(!err.is_retryable() && !err.is_connect(), "{err}");
        assert_eq!(
            err.to_string(),
            format!("GET /v2/lead/detail/1/: {expected}")
        );
        assert_eq!(err.request().unwrap().attempts, 1);
        assert_eq!(fake.stats().requests, 0, "no request got through");
        let create = client
            .create_lead(NewLead::new(LeadType::Straight, "79001234567", 1, "x"))
            .await
            .unwrap_err();
        assert!(create.is_tls() && create.request().unwrap().attempts == 1);
    }
}

#[test]
fn a_bad_root_certificate_is_a_configuration_error_that_names_it() {
    let err = Liner::builder()
        .base_url("https://liner.example.com")
        .api_key("k")
        .add_root_certificate("not a certificate")
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("the root certificate given"),
        "{err}"
    );
    let err = Liner::builder()
        .base_url("https://liner.example.com")
        .api_key("k")
        .add_root_certificate_file("/nonexistent/ca.pem")
        .build()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot read the root certificate file /nonexistent/ca.pem"),
        "{err}"
    );
    let err = Liner::builder()
        .base_url("https://liner.example.com")
        .api_key("k")
        .proxy("http://127.0.0.1:3128")
        .http_client(reqwest_client())
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("set them on that client instead"),
        "{err}"
    );
}

fn reqwest_client() -> reqwest::Client {
    reqwest::Client::builder().build().unwrap()
}

/// Through a proxy, an `https://` base URL shows the proxy a `CONNECT` to
/// the host and nothing else: not the key, not a path.
#[tokio::test]
async fn a_proxy_sees_only_the_connect() {
    let fake = fake(Config::default(), Tls::default()).await;
    let proxy = Proxy::start(ProxyMode::Forward).await;
    let client = Liner::builder()
        .base_url(fake.base_url())
        .api_key(fake.api_key())
        .add_root_certificate(fake.ca_pem().unwrap())
        .proxy(proxy.url())
        .build()
        .unwrap();
    client.lead(1).await.unwrap();
    assert_eq!(client.leads().collect_all().await.unwrap().len(), 1000);
    let heads = proxy.heads();
    assert!(!heads.is_empty());
    let port = fake.base_url().rsplit(':').next().unwrap().to_owned();
    for head in &heads {
        assert!(
            head.starts_with(&format!("CONNECT 127.0.0.1:{port} HTTP/1.1\r\n")),
            "{head}"
        );
        let lower = head.to_ascii_lowercase();
        assert!(
            !lower.contains("x-api-key") && !lower.contains(fake.api_key()),
            "{head}"
        );
        assert!(!head.contains("/v2/"), "{head}");
    }
}

/// A proxy that wants credentials: a clear error, not retried.
#[tokio::test]
async fn a_proxy_that_refuses_is_named_and_not_retried() {
    let fake = fake(Config::default(), Tls::default()).await;
    let proxy = Proxy::start(ProxyMode::RequireAuth).await;
    let client = Liner::builder()
        .base_url(fake.base_url())
        .api_key(fake.api_key())
        .add_root_certificate(fake.ca_pem().unwrap())
        .proxy(proxy.url())
        .build()
        .unwrap();
    let err = client.lead(1).await.unwrap_err();
    assert!(err.is_proxy(), "{err:?}");
    assert!(err.to_string().contains("the proxy refused"), "{err}");
    assert_eq!(err.request().unwrap().attempts, 1);
    assert_eq!(proxy.heads().len(), 1);
}

/// An export with 4 pages in flight does at most 5 TLS handshakes for its
/// 30 pages: the pool is reused from page to page. (Five, not four: the
/// first page is read alone, and its connection may not be back in the pool
/// yet when the 4 prefetch workers start.)
#[tokio::test]
async fn an_export_reuses_its_connections() {
    let fake = fake(Config::default().with_leads(3000), Tls::default()).await;
    let client = trusting(&fake);
    let leads = client.leads().concurrency(4).collect_all().await.unwrap();
    assert_eq!(leads.len(), 3000);
    assert!(
        (1..=5).contains(&fake.tls_handshakes()),
        "{} handshakes for 30 pages",
        fake.tls_handshakes()
    );
}
