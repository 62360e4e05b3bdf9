//! What runs in a child process: peak memory of an export, and the hostile
//! servers of the reliability table.

#[allow(unused_imports)]
use super::*;

/// Peak RSS (KiB) of a child process exporting 100,000, then 1,000,000 leads.
pub(crate) fn peak_rss() -> (u64, u64) {
    let run = |leads: u64| child_number(&["--rss-child", &leads.to_string()]);
    (run(100_000), run(1_000_000))
}

/// What a child process of this bench, run with `args`, printed.
pub(crate) fn child_number(args: &[&str]) -> u64 {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .trim()
        .parse::<u64>()
        .unwrap()
}

/// In a child process: one `lead(id)` against a server that sends a normal
/// answer, or a 2 GB body announced with its Content-Length, or streamed
/// without one; print the peak resident set size in KiB.
pub(crate) fn hostile_child(kind: &str) {
    use liner_test_support::hostile::{HostileServer, json, script};
    use tokio::io::AsyncWriteExt as _;
    const TWO_GB: u64 = 2 << 30;
    let kind = kind.to_owned();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let server = HostileServer::start(script(move |_, mut stream| {
            let kind = kind.clone();
            async move {
                if kind == "normal" {
                    return json(stream, r#"{"success":true,"message":"","data":{"id":1}}"#).await;
                }
                let head = if kind == "announced" {
                    format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {TWO_GB}\r\n\r\n")
                } else {
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_owned()
                };
                let _ = stream.write_all(head.as_bytes()).await;
                let chunk = vec![b' '; 1 << 20];
                let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
                for _ in 0..(TWO_GB >> 20) {
                    let bytes = if kind == "announced" { &chunk } else { &framed };
                    if stream.write_all(bytes).await.is_err() {
                        return;
                    }
                }
            }
        }))
        .await;
        let client = Liner::builder()
            .base_url(server.base_url())
            .api_key("bench-key")
            .build()
            .unwrap();
        let _ = client.lead(1).await;
    });
    println!("{}", peak_rss_kib());
}

/// The time from a `lead(id)` to its error, with the default settings,
/// against a server that accepts the request and never answers.
pub(crate) async fn silent_server_error_after() -> Duration {
    use liner_test_support::hostile::{HostileServer, script};
    let silent = HostileServer::start(script(|_, stream| async move {
        std::future::pending::<()>().await;
        drop(stream);
    }))
    .await;
    let client = Liner::builder()
        .base_url(silent.base_url())
        .api_key("bench-key")
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.lead(1).await.unwrap_err();
    assert!(error.is_timeout(), "{error}");
    started.elapsed()
}

/// The requests the client sends to a server that ignores `offset` and
/// keeps advancing `next`, before it ends the list with an error.
pub(crate) async fn offset_ignoring_requests() -> usize {
    use liner_test_support::hostile::{HostileServer, json, script};
    let server = HostileServer::start(script(|request, stream| {
        let offset: u64 = request
            .query_param("offset")
            .and_then(|value| value.parse().ok())
            .unwrap_or(0);
        let list: Vec<String> = (1..=100).map(|id| format!(r#"{{"id":{id}}}"#)).collect();
        let body = format!(
            r#"{{"success":true,"message":"","data":{{"list":[{}],"next":{}}}}}"#,
            list.join(","),
            offset + 100
        );
        async move { json(stream, &body).await }
    }))
    .await;
    let client = Liner::builder()
        .base_url(server.base_url())
        .api_key("bench-key")
        .build()
        .unwrap();
    let ended = client.leads().collect_all().await;
    assert!(ended.is_err());
    server.requests().len()
}

/// In a child process: export `leads` leads from an in-process fake with 8
/// pages in flight, counting them as an export would write them out, then
/// print the peak resident set size in KiB.
/// De-duplicates 1,000,000 ids as an export's pager does, every third id
/// (a filtered export of a real account: sparse ids, one range each) or
/// consecutive ones (one range in all); prints the peak RSS.
pub(crate) fn ids_rss_child(kind: &str) {
    let step = match kind {
        "sparse" => 3,
        "dense" => 1,
        other => panic!("unknown id layout {other:?}"),
    };
    let ids: Vec<u64> = (0..1_000_000u64).map(|n| 1 + n * step).collect();
    assert_eq!(
        liner::bench_hooks::dedup(std::hint::black_box(&ids)),
        ids.len()
    );
    println!("{}", peak_rss_kib());
}

pub(crate) fn rss_child(leads: u64) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let fake = FakeServer::start(Config::default().with_leads(leads))
            .await
            .unwrap();
        export_all(client(&fake), 8, leads).await;
    });
    println!("{}", peak_rss_kib());
}

/// This process's peak resident set size, in KiB.
pub(crate) fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .expect("VmHWM in /proc/self/status (Linux)")
}
