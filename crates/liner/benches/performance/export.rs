//! The export measures: 100,000 leads with latency, sequential vs pages in
//! flight vs the latency bound, and the same over HTTPS.

#[allow(unused_imports)]
use super::*;

/// The export timings, medians of three rounds.
pub(crate) struct Export {
    pub(crate) sequential: Duration,
    pub(crate) concurrent: Duration,
    /// `pages * latency / 8`: what 8 in flight would take if serving and
    /// decoding a page cost nothing.
    pub(crate) bound: Duration,
    /// The same export by hand: reqwest + serde_json, 8 requests in flight
    /// (spawned, in order), no retries or checks. It shows how much of the
    /// gap to the bound any client has on this machine, where the fake
    /// serves from the same two cores.
    pub(crate) hand_written: Duration,
    /// 8 in flight against the same fake without injected latency: the CPU
    /// the client, the fake and HTTP need for the export on this machine.
    pub(crate) no_latency: Duration,
}

/// The leads of the export measure.
pub(crate) const EXPORT_LEADS: u64 = 100_000;

/// The latency the fake injects in the export measure.
pub(crate) const EXPORT_LATENCY: Duration = Duration::from_millis(5);

/// Pages of the default size that hold `leads` leads.
pub(crate) fn pages_of(leads: u64) -> u64 {
    leads.div_ceil(liner::LeadQuery::DEFAULT_PAGE_SIZE)
}

/// Exporting 100,000 leads with 5 ms per request: sequential, 8 in flight,
/// the bound, and a hand-written 8-in-flight export.
pub(crate) async fn export_with_latency() -> Export {
    const LEADS: u64 = EXPORT_LEADS;
    const LATENCY: Duration = EXPORT_LATENCY;
    const IN_FLIGHT: usize = 8;
    let faults = Faults::default().with_latency(Latency::Fixed(LATENCY));
    let fake = FakeServer::start(Config::default().with_leads(LEADS).with_faults(faults))
        .await
        .unwrap();
    let export = |concurrency: usize| export_all(client(&fake), concurrency, LEADS);
    let pages = pages_of(LEADS);
    let http = reqwest::Client::new();
    let by_hand = || {
        let (http, base_url, key) = (
            http.clone(),
            fake.base_url().to_owned(),
            fake.api_key().to_owned(),
        );
        async move {
            #[derive(Deserialize)]
            struct Direct {
                data: DirectPage,
            }
            #[derive(Deserialize)]
            struct DirectPage {
                list: Vec<Lead>,
            }
            let started = Instant::now();
            let count = futures_util::stream::iter(0..pages)
                .map(|page| {
                    let request = http
                        .get(format!(
                            "{base_url}/v2/lead/?limit={}&offset={}",
                            liner::LeadQuery::DEFAULT_PAGE_SIZE,
                            page * liner::LeadQuery::DEFAULT_PAGE_SIZE
                        ))
                        .header("X-Api-Key", key.as_str());
                    tokio::spawn(async move {
                        let bytes = request.send().await.unwrap().bytes().await.unwrap();
                        serde_json::from_slice::<Direct>(&bytes).unwrap().data.list
                    })
                })
                .buffered(IN_FLIGHT)
                .fold(
                    0u64,
                    |n, list| async move { n + list.unwrap().len() as u64 },
                )
                .await;
            assert_eq!(count, LEADS);
            started.elapsed()
        }
    };
    // Fewer rounds: each sequential export takes several seconds.
    let (mut sequential, mut concurrent, mut hand_written) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        sequential.push(export(1).await);
        concurrent.push(export(IN_FLIGHT).await);
        hand_written.push(by_hand().await);
    }
    drop(fake);
    let fake = FakeServer::start(Config::default().with_leads(LEADS))
        .await
        .unwrap();
    let mut no_latency = Vec::new();
    for _ in 0..3 {
        no_latency.push(export_all(client(&fake), IN_FLIGHT, LEADS).await);
    }
    Export {
        sequential: median(sequential),
        concurrent: median(concurrent),
        bound: LATENCY * pages as u32 / IN_FLIGHT as u32,
        hand_written: median(hand_written),
        no_latency: median(no_latency),
    }
}

/// The export of [`export_with_latency`] over HTTPS.
pub(crate) struct TlsExport {
    pub(crate) http1: Duration,
    pub(crate) http2: Duration,
    pub(crate) bound: Duration,
    /// Handshakes per export (the pool reused: at most the concurrency).
    pub(crate) http1_handshakes: u64,
    pub(crate) http2_handshakes: u64,
}

/// Exporting 100,000 leads with 5 ms per request over HTTPS, 8 pages in
/// flight: HTTP/1.1 (8 connections) and HTTP/2 (one connection, ALPN),
/// alternating, each round with a new client.
pub(crate) async fn export_over_tls() -> TlsExport {
    const LEADS: u64 = EXPORT_LEADS;
    const IN_FLIGHT: usize = 8;
    let faults = Faults::default().with_latency(Latency::Fixed(EXPORT_LATENCY));
    let fake = FakeServer::start(
        Config::default()
            .with_leads(LEADS)
            .with_faults(faults)
            .with_tls(liner_fake::Tls::default()),
    )
    .await
    .unwrap();
    let authority = reqwest::Certificate::from_pem(fake.ca_pem().unwrap().as_bytes()).unwrap();
    let client = |http2: bool| {
        let builder = reqwest::Client::builder()
            .tls_certs_merge([authority.clone()])
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy();
        let builder = if http2 { builder } else { builder.http1_only() };
        Liner::builder()
            .base_url(fake.base_url())
            .api_key(fake.api_key())
            .http_client(builder.build().unwrap())
            .build()
            .unwrap()
    };
    let (mut http1, mut http2) = (Vec::new(), Vec::new());
    let (mut http1_handshakes, mut http2_handshakes) = (0, 0);
    for _ in 0..3 {
        let before = fake.tls_handshakes();
        http1.push(export_all(client(false), IN_FLIGHT, LEADS).await);
        http1_handshakes = fake.tls_handshakes() - before;
        let before = fake.tls_handshakes();
        http2.push(export_all(client(true), IN_FLIGHT, LEADS).await);
        http2_handshakes = fake.tls_handshakes() - before;
    }
    TlsExport {
        http1: median(http1),
        http2: median(http2),
        bound: EXPORT_LATENCY * pages_of(LEADS) as u32 / IN_FLIGHT as u32,
        http1_handshakes,
        http2_handshakes,
    }
}
