//! `liner leads import` end to end: round trips through export, faults
//! (lost replies included), a killed and an interrupted import resumed.
//! In every case, each row ends up created exactly once on the server.

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use liner_fake::{Config, Fault, Faults, Latency};
use serde_json::Value;
use support::{Fake, csv_of_new_leads, journal};

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The create fields of each lead (what an import can carry), as JSON, in
/// a stable order: what a round trip must keep. With `empty_is_absent`, an
/// empty string counts as no value: CSV cannot tell them apart (an empty
/// cell leaves its field out, as the README says).
fn create_fields(leads: &[liner::Lead], empty_is_absent: bool) -> Vec<String> {
    let names: Vec<String> = [
        "leadType",
        "phone",
        "orderId",
        "orderCode",
        "name",
        "sourceComment",
        "externalIdBitrix24",
        "externalIdAmo",
        "externalIdMacro",
        "externalIdDomoplaner",
        "priority",
        "utcOffset",
        "instagramLogin",
        "telegramUserName",
        "telegramPhone",
    ]
    .iter()
    .map(|name| (*name).to_owned())
    .collect();
    let mut all: Vec<String> = leads
        .iter()
        .map(|lead| {
            let value = serde_json::to_value(lead).unwrap();
            let kept: BTreeMap<&String, &Value> = names
                .iter()
                .filter_map(|name| {
                    value
                        .get(name)
                        .filter(|v| !(v.is_null() || (empty_is_absent && *v == "")))
                        .map(|v| (name, v))
                })
                .collect();
            serde_json::to_string(&kept).unwrap()
        })
        .collect();
    all.sort();
    all
}

#[test]
fn an_export_imports_back_as_csv_and_as_jsonl() {
    for format in ["csv", "jsonl"] {
        let source = Fake::start(Config::default().with_leads(250));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(format!("leads.{format}"));
        let output = source
            .liner()
            .args(["leads", "export", "--output"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));

        // The seed has leads of type `callback`, which the create endpoint
        // does not take: they are the invalid rows, skipped.
        let exported = source.leads();
        let importable: Vec<liner::Lead> = exported
            .iter()
            .filter(|lead| {
                matches!(
                    lead.lead_type,
                    Some(liner::LeadTypeValue::Straight | liner::LeadTypeValue::Selection)
                )
            })
            .cloned()
            .collect();
        assert!(importable.len() < exported.len(), "some are not importable");

        let target = Fake::start(Config::default().with_leads(0));
        let output = target
            .liner()
            .args(["leads", "import", "--skip-invalid"])
            .arg(&file)
            .output()
            .unwrap();
        // Only invalid rows are left: settled, a re-run changes nothing.
        assert_eq!(
            output.status.code(),
            Some(6),
            "{format}: {}",
            stderr(&output)
        );
        let summary = stderr(&output);
        assert!(
            summary.contains("imported 250 rows in") && summary.contains(&format!(
                "{} created ({} now, 0 in earlier runs), 0 already on the server, 0 refused, 0 unknown, 0 not sent, {} invalid",
                importable.len(),
                importable.len(),
                250 - importable.len()
            )),
            "{format}: {summary}"
        );
        let csv = format == "csv";
        let (arrived, sent) = (
            create_fields(&target.leads(), csv),
            create_fields(&importable, csv),
        );
        let missing: Vec<&String> = sent
            .iter()
            .filter(|lead| !arrived.contains(lead))
            .take(3)
            .collect();
        let extra: Vec<&String> = arrived
            .iter()
            .filter(|lead| !sent.contains(lead))
            .take(3)
            .collect();
        assert!(
            missing.is_empty() && extra.is_empty() && arrived.len() == sent.len(),
            "{format}: every importable lead arrives, field for field:\nmissing {missing:#?}\nextra {extra:#?}"
        );
    }
}

#[test]
fn invalid_rows_stop_the_import_before_anything_is_sent() {
    let fake = Fake::start(Config::default().with_leads(0));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.csv");
    std::fs::write(
        &file,
        "leadType,phone,orderId,orderCode\nstraight,79001234567,1,a\nvip,79001234567,1,b\nstraight,12,x,c\n",
    )
    .unwrap();
    let output = fake
        .liner()
        .args(["leads", "import"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains("bad.csv:3: leadType: unknown variant `vip`"),
        "{text}"
    );
    assert!(
        text.contains("bad.csv:4: orderId: not an integer"),
        "{text}"
    );
    assert!(text.contains("2 invalid row(s)"), "{text}");
    assert_eq!(fake.server.stats().requests, 0, "nothing was sent");
    assert!(!dir.path().join("bad.csv.journal").exists());
}

/// 30% of creates fail: a third of them after the lead was stored, the
/// answer lost (cut before or during the reply), the rest before. Imports
/// are re-run until one succeeds; each row is then on the server exactly
/// once, and the journal gives each its lead.
#[test]
fn an_import_under_faults_creates_every_row_exactly_once() {
    let faults = Faults::default()
        .with_seed(7)
        .with(Fault::CutBeforeAnswer, 0.1)
        .with(Fault::CutMidBody, 0.1)
        .with(Fault::Unavailable, 0.1);
    let fake = Fake::start(Config::default().with_leads(0).with_faults(faults));
    let dir = tempfile::tempdir().unwrap();
    let file = csv_of_new_leads(dir.path(), 60);
    let mut runs = 0;
    loop {
        runs += 1;
        let output = fake
            .liner()
            // The fake does a create's work when it arrives: nothing is
            // pending once an answer is lost, so no settling is needed.
            .args(["leads", "import", "--concurrency", "6", "--settle", "0"])
            .arg(&file)
            .output()
            .unwrap();
        if output.status.success() {
            break;
        }
        assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
        assert!(
            runs < 5,
            "still incomplete after {runs} runs: {}",
            stderr(&output)
        );
    }
    let counts = fake.order_codes();
    assert_eq!(counts.len(), 60, "{counts:?}");
    assert!(
        counts.values().all(|&n| n == 1),
        "a row created twice: {counts:?}"
    );
    let stats = fake.server.stats();
    let lost: u64 = [Fault::CutBeforeAnswer, Fault::CutMidBody]
        .iter()
        .filter_map(|fault| stats.faults.get(fault))
        .sum();
    assert!(lost > 0, "replies were lost: {:?}", stats.faults);

    // The journal: each row's last word is `created`, with the lead the
    // server has for its order code.
    let leads = fake.leads();
    let mut last: BTreeMap<u64, Value> = BTreeMap::new();
    for entry in journal(&dir.path().join("new.csv.journal")) {
        last.insert(entry["row"].as_u64().unwrap(), entry);
    }
    assert_eq!(last.len(), 60);
    for (row, entry) in last {
        assert_eq!(entry["event"], "created", "row {row}: {entry}");
        let lead = leads
            .iter()
            .find(|lead| lead.id.get() == entry["id"].as_u64().unwrap())
            .unwrap();
        assert_eq!(
            lead.order_code.as_deref(),
            Some(format!("T-{row}").as_str())
        );
    }
}

/// Polls the journal until `created` entries number at least `at_least`.
fn wait_for_created(path: &std::path::Path, at_least: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let created = std::fs::read_to_string(path)
            .unwrap_or_default()
            .matches("\"event\":\"created\"")
            .count();
        if created >= at_least {
            return;
        }
        assert!(Instant::now() < deadline, "the import did not progress");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// An import of 80 new rows into a fake that takes 40 ms per request, 4 in
/// flight (about 0.8 s in all), running in a child process.
struct SlowImport {
    fake: Fake,
    file: std::path::PathBuf,
    journal: std::path::PathBuf,
    child: std::process::Child,
    _dir: tempfile::TempDir,
}

impl SlowImport {
    fn start(stderr: std::process::Stdio) -> Self {
        let faults = Faults::default().with_latency(Latency::Fixed(Duration::from_millis(40)));
        let fake = Fake::start(Config::default().with_leads(0).with_faults(faults));
        let dir = tempfile::tempdir().unwrap();
        let file = csv_of_new_leads(dir.path(), 80);
        let child = fake
            .liner_std()
            .args(["leads", "import", "--concurrency", "4"])
            .arg(&file)
            .stderr(stderr)
            .spawn()
            .unwrap();
        Self {
            journal: dir.path().join("new.csv.journal"),
            fake,
            file,
            child,
            _dir: dir,
        }
    }
}

/// The import is killed (SIGKILL) in the middle, creates in flight; the
/// same command, run again, finishes it: every row exactly once.
#[test]
fn a_killed_import_resumes_without_duplicates() {
    let slow = SlowImport::start(std::process::Stdio::null());
    let (fake, file, mut child) = (&slow.fake, &slow.file, slow.child);
    wait_for_created(&slow.journal, 20);
    child.kill().unwrap();
    child.wait().unwrap();
    let before = fake.server.stats().leads_created;
    assert!(
        (20..80).contains(&before),
        "killed mid-way: {before} created"
    );

    let output = fake
        .liner()
        .args(["leads", "import", "--concurrency", "4", "--settle", "0"])
        .arg(file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let counts = fake.order_codes();
    assert_eq!(counts.len(), 80);
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
    assert_eq!(fake.server.stats().leads_created, 80);
}

/// Ctrl-C (SIGINT): the creates in flight finish and are recorded, the
/// import says so and exits 130; run again, it finishes.
#[test]
fn an_interrupted_import_stops_cleanly_and_resumes() {
    let slow = SlowImport::start(std::process::Stdio::piped());
    let (fake, file, journal_path, child) = (&slow.fake, &slow.file, &slow.journal, slow.child);
    wait_for_created(journal_path, 12);
    let signal = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signal.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("interrupted (Ctrl-C): rows in flight were finished and recorded")
    );
    // Every attempt has its outcome: nothing was cut off.
    let entries = journal(journal_path);
    let attempts = entries.iter().filter(|e| e["event"] == "attempt").count();
    let outcomes = entries.len() - attempts;
    assert_eq!(attempts, outcomes, "every attempt has its outcome");
    let created = fake.server.stats().leads_created as usize;
    assert_eq!(created, outcomes);
    assert!(created < 80);

    let output = fake
        .liner()
        .args(["leads", "import", "--settle", "0"])
        .arg(file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!(
            "80 created ({} now, {created} in earlier runs)",
            80 - created
        )),
        "{}",
        stderr(&output)
    );
    assert!(fake.order_codes().values().all(|&n| n == 1));
}

/// A row whose journal says "sent, no outcome" (the process died right
/// after the attempt was recorded) is looked up: found on the server, it is
/// recorded as created and not sent again; not found, it is sent.
#[test]
fn unanswered_rows_are_reconciled_against_the_server() {
    let fake = Fake::start(Config::default().with_leads(0));
    let dir = tempfile::tempdir().unwrap();
    let file = csv_of_new_leads(dir.path(), 3);
    // Row 0 was created but its answer lost; row 1 never reached the server.
    let client = liner::Liner::builder()
        .base_url(fake.server.base_url())
        .api_key(fake.server.api_key())
        .build()
        .unwrap();
    let first =
        liner::NewLead::new(liner::LeadType::Straight, "+79001000000", 200, "T-0").name("Client 0");
    let id = fake.runtime.block_on(client.create_lead(first)).unwrap();
    let at = jiff::Timestamp::now();
    let header = r#"{"journal":"liner leads import","version":1}"#;
    let key = |n: u64, phone: &str, order: u64| {
        let lead = liner::NewLead::new(liner::LeadType::Straight, phone, order, format!("T-{n}"))
            .name(format!("Client {n}"))
            .build()
            .unwrap();
        // The import's fingerprint: FNV-1a 64 of the body's JSON.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in serde_json::to_vec(&lead).unwrap() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
    };
    let journal_path = dir.path().join("new.csv.journal");
    std::fs::write(
        &journal_path,
        format!(
            "{header}\n\
             {{\"row\":0,\"line\":2,\"key\":\"{}\",\"event\":\"attempt\",\"at\":\"{at}\"}}\n\
             {{\"row\":1,\"line\":3,\"key\":\"{}\",\"event\":\"attempt\",\"at\":\"{at}\"}}\n",
            key(0, "+79001000000", 200),
            key(1, "+79001000001", 201)
        ),
    )
    .unwrap();
    // The journal's unanswered rows come from an earlier run, which may
    // have ended moments ago: they are looked up once `--settle` has
    // passed since this run started.
    let started = Instant::now();
    let output = fake
        .liner()
        .args(["leads", "import", "--settle", "2"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("s before looking up unanswered creates"),
        "{}",
        stderr(&output)
    );
    assert!(started.elapsed() >= Duration::from_secs(2));
    let counts = fake.order_codes();
    assert_eq!(
        counts.values().copied().collect::<Vec<_>>(),
        [1, 1, 1],
        "{counts:?}"
    );
    let entries = journal(&journal_path);
    let reconciled: Vec<&Value> = entries
        .iter()
        .filter(|entry| entry["reconciled"] == true)
        .collect();
    assert_eq!(reconciled.len(), 1, "{entries:?}");
    assert_eq!(reconciled[0]["row"], 0);
    assert_eq!(reconciled[0]["id"], id.get());
    assert_eq!(fake.server.stats().leads_created, 3);
}

/// A wrong key stops the import at the first refusal: the rows are not at
/// fault, so none is recorded as refused, and the same command with the
/// right key creates them all.
#[test]
fn a_refused_key_stops_the_import_and_blames_no_row() {
    let fake = Fake::start(Config::default().with_leads(0));
    let dir = tempfile::tempdir().unwrap();
    let file = csv_of_new_leads(dir.path(), 30);
    let output = fake
        .liner()
        .env("LINER_API_KEY", "wrong-key")
        .args(["leads", "import"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("the server refused the API key (HTTP 401 or 403)"));
    let entries = journal(&dir.path().join("new.csv.journal"));
    assert!(
        entries.iter().all(|e| e["event"] != "refused"),
        "{entries:?}"
    );
    let sent = entries.iter().filter(|e| e["event"] == "attempt").count();
    assert!(sent <= 4, "at most the creates in flight were sent: {sent}");

    let output = fake
        .liner()
        .args(["leads", "import"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(fake.server.stats().leads_created, 30);
}

/// `--retry-unknown` sends an unanswered row again while rounds are left;
/// after the last round it stays unknown (it may well be on the server),
/// not "not sent".
#[test]
fn retried_unknown_rows_stay_unknown_after_the_last_round() {
    let fake = Fake::start(
        Config::default()
            .with_leads(0)
            .with_faults(Faults::always(Fault::CutBeforeAnswer)),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = csv_of_new_leads(dir.path(), 2);
    let output = fake
        .liner()
        .args(["leads", "import", "--no-reconcile", "--retry-unknown"])
        .arg(&file)
        .output()
        .unwrap();
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(5), "{text}");
    assert!(text.contains("0 refused, 2 unknown, 0 not sent"), "{text}");
    assert!(!text.contains("not sent (a re-run sends them)"), "{text}");
    // Three rounds, as asked, each create carried out by the server.
    assert_eq!(fake.server.stats().leads_created, 6);
}
