//! The conventions of well-liked command lines: shell completions that a
//! shell loads, a man page, profiles for several accounts (and a key never
//! kept where others can read it), `LINER_API_KEY_FILE`, `--quiet`, and no
//! connection flags on the commands that connect to nothing.

mod support;

use std::path::Path;

use liner_fake::Config;
use support::Fake;

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn completions_and_the_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = support::liner()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(output.status.success(), "{shell}: {}", stderr(&output));
        insta::assert_snapshot!(format!("completions_{shell}"), stdout(&output));
    }
    let output = support::liner().arg("man").output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!("man_page", stdout(&output));

    // A page per command, as a package ships them.
    let dir = tempfile::tempdir().unwrap();
    let output = support::liner()
        .args(["man", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let mut pages: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert!(
        [
            "liner.1",
            "liner-leads-export.1",
            "liner-leads-import.1",
            "liner-lead-update.1"
        ]
        .iter()
        .all(|page| pages.iter().any(|name| name == page)),
        "{pages:?}"
    );
    let export = std::fs::read_to_string(dir.path().join("liner-leads-export.1")).unwrap();
    assert!(export.contains("\\-\\-excel"), "{export}");
}

/// bash loads the script, and completes a subcommand and a flag's values
/// from it.
#[cfg(unix)]
#[test]
fn bash_loads_the_completions() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("liner.bash");
    let output = support::liner()
        .args(["completions", "bash"])
        .output()
        .unwrap();
    std::fs::write(&script, &output.stdout).unwrap();
    let probe = format!(
        "set -e\nsource {}\n\
         COMP_WORDS=(liner leads ex); COMP_CWORD=2; _liner liner ex leads\n\
         echo \"[${{COMPREPLY[*]}}]\"\n\
         COMP_WORDS=(liner leads export --format ''); COMP_CWORD=4; _liner liner '' --format\n\
         echo \"[${{COMPREPLY[*]}}]\"\n",
        script.display()
    );
    let output = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &probe])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "[export]\n[jsonl json csv xlsx]\n");
}

/// The commands that connect to nothing neither show nor take the
/// connection flags (a value from the environment is fine: it is exported
/// for the other commands).
#[test]
fn local_commands_refuse_connection_flags() {
    // First a command that ends by itself: were the flag taken, `demo`
    // would serve until killed.
    let output = support::liner()
        .args(["completions", "bash", "--base-url", "http://127.0.0.1:1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let output = support::liner()
        .args(["demo", "--base-url", "http://127.0.0.1:1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("`liner demo` connects to no Liner server: --base-url does nothing here"),
        "{}",
        stderr(&output)
    );
    let output = support::liner()
        .args(["--profile", "x", "completions", "bash"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let output = support::liner()
        .env("LINER_BASE_URL", "http://127.0.0.1:1")
        .env("LINER_PROFILE", "x")
        .args(["completions", "fish"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
}

fn write_private(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

/// A profile names the account: its base URL and key are used though the
/// environment says otherwise; a flag on the command line wins over it.
#[test]
fn a_profile_picks_the_account() {
    let fake = Fake::start(Config::default().with_leads(3));
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("moscow.key");
    write_private(&key, &format!("{}\n", fake.server.api_key()), 0o600);
    let config = dir.path().join("config.toml");
    write_private(
        &config,
        &format!(
            "[profiles.moscow]\nbase_url = \"{}\"\napi_key_file = \"moscow.key\"\n\
             [profiles.broken]\nbase_url = \"http://127.0.0.1:1\"\napi_key_env = \"UNSET_KEY_VAR\"\n",
            fake.server.base_url()
        ),
        0o644,
    );
    let liner = || {
        let mut command = support::liner();
        command
            .env("LINER_CONFIG", &config)
            .env("LINER_BASE_URL", "http://127.0.0.1:1")
            .env("LINER_API_KEY", "wrong")
            .env_remove("LINER_PROFILE");
        command
    };
    let output = liner()
        .args(["--profile", "moscow", "lead", "get", "1"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("\"id\":1,"), "{}", stdout(&output));
    let output = liner()
        .env("LINER_PROFILE", "moscow")
        .args(["lead", "get", "2"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));

    // The command line wins over the profile.
    let output = liner()
        .args([
            "--profile",
            "moscow",
            "--base-url",
            "http://127.0.0.1:1",
            "lead",
            "get",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("cannot connect"),
        "{}",
        stderr(&output)
    );

    let output = liner()
        .args(["--profile", "broken", "lead", "get", "1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(
            "the profile `broken` takes its API key from $UNSET_KEY_VAR, which is not set"
        ),
        "{}",
        stderr(&output)
    );
    let output = liner()
        .args(["--profile", "kazan", "lead", "get", "1"])
        .output()
        .unwrap();
    assert!(
        stderr(&output).contains("no profile `kazan`")
            && stderr(&output).contains("it has: broken, moscow"),
        "{}",
        stderr(&output)
    );
}

/// A profile's `rate` spaces its requests as `--rate` does (the account's
/// limit is a property of the account); the flag, given, wins over it.
#[test]
fn a_profile_sets_the_rate() {
    let fake = Fake::start(Config::default().with_leads(900));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    write_private(
        &config,
        &format!(
            "[profiles.slow]\nbase_url = \"{}\"\napi_key_env = \"SLOW_KEY\"\nrate = \"4/s\"\n",
            fake.server.base_url()
        ),
        0o644,
    );
    let export = |extra: &[&str]| {
        let started = std::time::Instant::now();
        let output = support::liner()
            .env("LINER_CONFIG", &config)
            .env("SLOW_KEY", fake.server.api_key())
            .args(["--profile", "slow", "-q"])
            .args(extra)
            .args(["leads", "export", "--output"])
            .arg(dir.path().join("leads.csv"))
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        started.elapsed()
    };
    // Nine pages at 4 a second: the last leaves two seconds after the first.
    let limited = export(&[]);
    assert!(
        limited >= std::time::Duration::from_millis(1900),
        "{limited:?}"
    );
    // The flag wins: at 10,000 a second the same export is not held back
    // by the profile's 4.
    let flagged = export(&["--rate", "10000"]);
    assert!(
        flagged * 2 < limited,
        "{flagged:?} with --rate, {limited:?} without"
    );
}

/// A key written in the config file is used only if no one else can read
/// the file; refused, the key is not printed.
#[cfg(unix)]
#[test]
fn a_key_in_a_readable_config_file_is_refused() {
    let fake = Fake::start(Config::default().with_leads(1));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let text = format!(
        "[profiles.a]\nbase_url = \"{}\"\napi_key = \"{}\"\n",
        fake.server.base_url(),
        fake.server.api_key()
    );
    write_private(&config, &text, 0o640);
    let run = || {
        support::liner()
            .env("LINER_CONFIG", &config)
            .args(["--profile", "a", "lead", "get", "1"])
            .output()
            .unwrap()
    };
    let output = run();
    assert_eq!(output.status.code(), Some(2));
    let text_out = stderr(&output);
    assert!(
        text_out.contains("which others can read (mode 640): chmod 600"),
        "{text_out}"
    );
    assert!(!text_out.contains(fake.server.api_key()), "{text_out}");
    write_private(&config, &text, 0o600);
    let output = run();
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn the_key_file_may_come_from_the_environment() {
    let fake = Fake::start(Config::default().with_leads(1));
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    write_private(&key, fake.server.api_key(), 0o600);
    let output = support::liner()
        .env("LINER_BASE_URL", fake.server.base_url())
        .env("LINER_API_KEY_FILE", &key)
        .args(["lead", "get", "1"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
}

/// `--quiet`: a successful export and import print nothing on stderr; a
/// failure still prints its error.
#[test]
fn quiet_prints_nothing_but_errors() {
    let fake = Fake::start(Config::default().with_leads(150));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("leads.csv");
    let output = fake
        .liner()
        .args(["-q", "leads", "export", "--output"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let new = support::csv_of_new_leads(dir.path(), 5);
    let output = fake
        .liner()
        .args(["leads", "import", "--quiet"])
        .arg(&new)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let output = fake
        .liner()
        .args(["-q", "lead", "get", "999999"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        stderr(&output).starts_with("liner: "),
        "{}",
        stderr(&output)
    );
}

/// `-v`: a line per request, by its template (never the path's ids or the
/// query's values), status, attempt and time; `-vv` adds each retry.
#[test]
fn verbose_prints_a_line_per_request() {
    let fake = Fake::start(Config::default().with_leads(250));
    let output = fake
        .liner()
        .args(["-v", "leads", "export", "--order-id", "202"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let lines: Vec<String> = stderr(&output)
        .lines()
        .filter(|line| line.starts_with("liner: GET "))
        .map(|line| line.split(" (attempt").next().unwrap().to_owned())
        .collect();
    assert!(!lines.is_empty());
    assert!(
        lines.iter().all(|line| line == "liner: GET /v2/lead/ 200"),
        "{lines:?}"
    );
    assert!(!stderr(&output).contains("202"), "{}", stderr(&output));

    // The first seed whose faults fail the first request and not the
    // second (a pure function of the seed and the request's number).
    let faults = |seed| {
        liner_fake::Faults::default()
            .with_seed(seed)
            .with(liner_fake::Fault::Unavailable, 0.5)
    };
    let seed = (0..1000)
        .find(|&seed| faults(seed).decide(0).1.is_some() && faults(seed).decide(1).1.is_none())
        .unwrap();
    let faults = faults(seed);
    let flaky = Fake::start(Config::default().with_leads(5).with_faults(faults));
    let output = flaky
        .liner()
        .args(["-vv", "lead", "get", "1"])
        .output()
        .unwrap();
    let text = stderr(&output);
    let requests = text
        .lines()
        .filter(|line| line.starts_with("liner: GET /v2/lead/detail/{leadId}/ "))
        .count();
    let retries = text
        .lines()
        .filter(|line| line.starts_with("liner: retrying Liner API request"))
        .count();
    assert_eq!((requests, retries), (2, 1), "{text}");

    let output = support::liner()
        .args(["-q", "-v", "--fake", "lead", "get", "1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// `LINER_LOG` prints the client's spans and events on stderr through a
/// `tracing` filter (never the key); a value that is not a filter is a usage
/// error that names the variable, before anything is sent.
#[test]
fn liner_log_takes_a_tracing_filter() {
    let output = support::liner()
        .env("LINER_LOG", "liner=debug")
        .env_remove("RUST_LOG")
        .args(["--fake", "lead", "get", "1"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(
        text.contains("liner.operation") && text.contains("/v2/lead/detail/{leadId}/"),
        "{text}"
    );
    assert!(!text.contains("demo-key"), "{text}");

    let output = support::liner()
        .env("LINER_LOG", "liner=loud")
        .args(["--fake", "lead", "get", "1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(
        text.starts_with("liner: LINER_LOG=liner=loud: not a log filter"),
        "{text}"
    );
}
