//! The `liner` command over HTTPS, with whichever TLS backend it was built
//! with (CI runs this file with rustls and with `--no-default-features
//! --features native-tls`): a private authority trusted with `--ca-cert` or
//! `LINER_CA_CERT`, an untrusted one named in one line, proxies from the
//! flag and from the environment, and an import and an export over TLS.

#![cfg(any(feature = "rustls", feature = "native-tls"))]

mod support;

use liner_fake::{Config, Fault, Faults, Tls};
use liner_test_support::proxy::{Proxy, ProxyMode};
use support::{Fake, csv_of_new_leads};

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fake serving HTTPS, and its authority's PEM written to a file.
fn https(config: Config, dir: &std::path::Path) -> (Fake, std::path::PathBuf) {
    let fake = Fake::start(config.with_tls(Tls::default()));
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, fake.server.ca_pem().unwrap()).unwrap();
    (fake, ca)
}

/// The command for `fake` with no proxy from the test's environment.
fn liner(fake: &Fake) -> assert_cmd::Command {
    let mut command = fake.liner();
    for name in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
        "LINER_CA_CERT",
        "LINER_PROXY",
    ] {
        command.env_remove(name);
    }
    command
}

#[test]
fn a_private_authority_is_trusted_by_flag_or_environment() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, ca) = https(Config::default(), dir.path());
    let by_flag = liner(&fake)
        .args(["lead", "get", "1", "--ca-cert"])
        .arg(&ca)
        .output()
        .unwrap();
    assert!(by_flag.status.success(), "{}", stderr(&by_flag));
    let by_env = liner(&fake)
        .env("LINER_CA_CERT", &ca)
        .args(["call", "get", "1"])
        .output()
        .unwrap();
    assert!(by_env.status.success(), "{}", stderr(&by_env));
}

/// Untrusted: one attempt, exit 4, one line that says what failed with the
/// certificate, with each cause once.
#[test]
fn an_untrusted_certificate_is_named_once() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, _) = https(Config::default(), dir.path());
    let output = liner(&fake).args(["lead", "get", "1"]).output().unwrap();
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(4), "{text}");
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.starts_with(
            "liner: GET /v2/lead/detail/1/: the server's certificate is not trusted (unknown \
             issuer) for 127.0.0.1"
        ),
        "{text}"
    );
    for repeated in ["certificate verify failed", "invalid peer certificate"] {
        assert!(
            text.matches(repeated).count() <= 1,
            "{repeated} twice: {text}"
        );
    }
    assert_eq!(fake.server.stats().requests, 0);
}

/// `HTTPS_PROXY` is honoured (the proxy sees a CONNECT, never the key), and
/// `NO_PROXY` exempts a host; `--proxy` to a proxy that wants credentials
/// fails at once, exit 4.
#[test]
fn proxies_from_the_environment_and_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, ca) = https(Config::default(), dir.path());
    let proxy = fake.runtime.block_on(Proxy::start(ProxyMode::Forward));
    let output = liner(&fake)
        .env("HTTPS_PROXY", proxy.url())
        .args(["lead", "get", "1", "--ca-cert"])
        .arg(&ca)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let heads = proxy.heads();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(heads[0].starts_with("CONNECT 127.0.0.1:"), "{heads:?}");
    assert!(!heads[0].to_ascii_lowercase().contains("x-api-key"));
    assert!(!heads[0].contains(fake.server.api_key()));

    let exempt = liner(&fake)
        .env("HTTPS_PROXY", proxy.url())
        .env("NO_PROXY", "127.0.0.1")
        .args(["lead", "get", "1", "--ca-cert"])
        .arg(&ca)
        .output()
        .unwrap();
    assert!(exempt.status.success(), "{}", stderr(&exempt));
    assert_eq!(proxy.heads().len(), 1, "NO_PROXY: not through the proxy");

    let refusing = fake.runtime.block_on(Proxy::start(ProxyMode::RequireAuth));
    let output = liner(&fake)
        .args(["lead", "get", "1", "--proxy", refusing.url(), "--ca-cert"])
        .arg(&ca)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the proxy refused"),
        "{}",
        stderr(&output)
    );
    assert_eq!(refusing.heads().len(), 1, "not retried");
}

/// An import under lost answers and an export, over HTTPS.
#[test]
fn import_and_export_over_https() {
    let dir = tempfile::tempdir().unwrap();
    let faults = Faults::default()
        .with_seed(5)
        .with(Fault::CutBeforeAnswer, 0.15)
        .with(Fault::Unavailable, 0.1);
    let (fake, ca) = https(
        Config::default().with_leads(0).with_faults(faults),
        dir.path(),
    );
    let file = csv_of_new_leads(dir.path(), 30);
    let mut done = false;
    for _ in 0..6 {
        let output = liner(&fake)
            .args(["leads", "import", "--settle", "0", "--ca-cert"])
            .arg(&ca)
            .arg(&file)
            .output()
            .unwrap();
        if output.status.success() {
            done = true;
            break;
        }
        assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    }
    assert!(done);
    let counts = fake.order_codes();
    assert_eq!(counts.len(), 30);
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");

    let out = dir.path().join("leads.jsonl");
    let output = liner(&fake)
        .args(["leads", "export", "--ca-cert"])
        .arg(&ca)
        .arg("--output")
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 30);
}
