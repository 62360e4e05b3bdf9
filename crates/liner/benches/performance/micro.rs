//! The micro-measures: one request's overhead, one page's decoding, and
//! de-duplicating a million ids, each against its baseline.

#[allow(unused_imports)]
use super::*;

/// Mean time per `lead(id)`, liner vs hand-written reqwest + serde_json.
pub(crate) async fn per_request_overhead() -> (Duration, Duration) {
    const REQUESTS: u64 = 2000;
    let fake = FakeServer::start(Config::default().with_leads(REQUESTS))
        .await
        .unwrap();
    let liner = client(&fake);
    let http = reqwest::Client::new();
    #[derive(Deserialize)]
    struct Envelope {
        success: bool,
        data: Lead,
    }
    let raw = |id: u64| {
        let request = http
            .get(format!("{}/v2/lead/detail/{id}/", fake.base_url()))
            .header("X-Api-Key", fake.api_key());
        async move {
            let bytes = request.send().await.unwrap().bytes().await.unwrap();
            let envelope: Envelope = serde_json::from_slice(&bytes).unwrap();
            assert!(envelope.success);
            envelope.data
        }
    };
    for id in 1..=200 {
        liner.lead(id).await.unwrap();
        raw(id).await;
    }
    // Each round alternates the two sides every BATCH requests (and which
    // goes first), so that the shared VM's drift, which moves this
    // sub-millisecond figure by 10-20% within seconds, hits both alike.
    const BATCH: u64 = 50;
    let (mut subject, mut baseline) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let (mut liner_time, mut raw_time) = (Duration::ZERO, Duration::ZERO);
        for (batch, first) in (1..=REQUESTS).step_by(BATCH as usize).enumerate() {
            let ids = first..first + BATCH;
            for side in [batch % 2, 1 - batch % 2] {
                let started = Instant::now();
                if side == 0 {
                    for id in ids.clone() {
                        liner.lead(id).await.unwrap();
                    }
                    liner_time += started.elapsed();
                } else {
                    for id in ids.clone() {
                        raw(id).await;
                    }
                    raw_time += started.elapsed();
                }
            }
        }
        subject.push(liner_time / REQUESTS as u32);
        baseline.push(raw_time / REQUESTS as u32);
    }
    (median(subject), median(baseline))
}

/// Decoding one 100-lead page: liner's envelope path vs serde_json straight
/// into `Vec<Lead>` inside a plain struct.
pub(crate) fn decode_overhead() -> (Duration, Duration) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let body = runtime.block_on(async {
        let fake = FakeServer::start(Config::default().with_leads(100))
            .await
            .unwrap();
        reqwest::Client::new()
            .get(format!("{}/v2/lead/?limit=100", fake.base_url()))
            .header("X-Api-Key", fake.api_key())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
    });
    #[derive(Deserialize)]
    struct Direct {
        #[allow(dead_code)]
        success: bool,
        data: DirectPage,
    }
    #[derive(Deserialize)]
    struct DirectPage {
        list: Vec<Lead>,
        #[allow(dead_code)]
        next: Option<u64>,
        #[allow(dead_code)]
        total: Option<u64>,
    }
    const DECODES: u32 = 2000;
    let (mut subject, mut baseline) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let started = Instant::now();
        for _ in 0..DECODES {
            let page = liner::bench_hooks::decode_lead_page(std::hint::black_box(&body)).unwrap();
            assert_eq!(page.items.len(), 100);
        }
        subject.push(started.elapsed() / DECODES);
        let started = Instant::now();
        for _ in 0..DECODES {
            let page: Direct = serde_json::from_slice(std::hint::black_box(&body)).unwrap();
            assert_eq!(page.data.list.len(), 100);
        }
        baseline.push(started.elapsed() / DECODES);
    }
    (median(subject), median(baseline))
}

/// The median times to de-duplicate a million ids: descending with gaps
/// (each a new range, at the front), the same ids ascending (each a new
/// range, at the back), and a million ascending without gaps (one range).
pub(crate) fn dedup_orders() -> (Duration, Duration, Duration) {
    let descending: Vec<u64> = (0..1_000_000u64).rev().map(|n| n * 2).collect();
    let ascending: Vec<u64> = descending.iter().rev().copied().collect();
    let run: Vec<u64> = (0..1_000_000u64).collect();
    let time = |ids: &[u64]| {
        let started = Instant::now();
        assert_eq!(
            liner::bench_hooks::dedup(std::hint::black_box(ids)),
            ids.len()
        );
        started.elapsed()
    };
    let (mut down, mut up, mut one) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        down.push(time(&descending));
        up.push(time(&ascending));
        one.push(time(&run));
    }
    (median(down), median(up), median(one))
}

/// `lead(id)` with a subscriber that keeps every span (tracing's registry
/// and a formatting layer at INFO, writing nowhere: what a service pays for
/// the client's spans) and, built with the feature `metrics`, a recorder
/// that keeps every value; vs `lead(id)` with neither. Batches alternate on
/// one current-thread runtime, the fake serving from a runtime of its own.
pub(crate) fn span_overhead() -> (Duration, Duration) {
    use tracing::instrument::WithSubscriber as _;
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt as _;

    const REQUESTS: u64 = 2000;
    const BATCH: u64 = 50;
    let serving = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let fake = serving
        .block_on(FakeServer::start(Config::default().with_leads(REQUESTS)))
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let liner = runtime.block_on(async { client(&fake) });
    let subscriber = tracing::Dispatch::new(
        tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::sink)
                .with_filter(tracing_subscriber::filter::LevelFilter::INFO),
        ),
    );
    #[cfg(feature = "metrics")]
    let recorder = metrics_util::debugging::DebuggingRecorder::new();
    let traced = |ids: std::ops::Range<u64>| {
        let batch = async {
            for id in ids {
                liner.lead(id).await.unwrap();
            }
        }
        .with_subscriber(subscriber.clone());
        #[cfg(feature = "metrics")]
        return metrics::with_local_recorder(&recorder, || runtime.block_on(batch));
        #[cfg(not(feature = "metrics"))]
        runtime.block_on(batch)
    };
    let plain = |ids: std::ops::Range<u64>| {
        runtime.block_on(async {
            for id in ids {
                liner.lead(id).await.unwrap();
            }
        })
    };
    traced(1..201);
    plain(1..201);
    let (mut subject, mut baseline) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let (mut traced_time, mut plain_time) = (Duration::ZERO, Duration::ZERO);
        for (batch, first) in (1..=REQUESTS).step_by(BATCH as usize).enumerate() {
            let ids = first..first + BATCH;
            for side in [batch % 2, 1 - batch % 2] {
                let started = Instant::now();
                if side == 0 {
                    traced(ids.clone());
                    traced_time += started.elapsed();
                } else {
                    plain(ids.clone());
                    plain_time += started.elapsed();
                }
            }
        }
        subject.push(traced_time / REQUESTS as u32);
        baseline.push(plain_time / REQUESTS as u32);
    }
    drop(fake);
    (median(subject), median(baseline))
}
