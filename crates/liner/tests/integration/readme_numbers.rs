//! The defaults the README quotes are the constants in code: each phrase
//! below is built from a constant, and must appear in the README as built.
//! A constant changed without the README, or the README without the
//! constant, fails here.

use std::time::Duration;

use liner::{Error, LeadQuery, LinerBuilder, RetryPolicy};

const README: &str = include_str!("../../README.md");
const ROOT_README: &str = include_str!("../../../../README.md");

fn secs(duration: Duration) -> u64 {
    duration.as_secs()
}

#[test]
fn the_readme_quotes_the_defaults_in_code() {
    let mib = LinerBuilder::DEFAULT_MAX_RESPONSE_BYTES / (1024 * 1024);
    let phrases = [
        format!(
            "a {} s limit on each attempt",
            secs(LinerBuilder::DEFAULT_TIMEOUT)
        ),
        format!(
            "// each attempt; default {} s",
            secs(LinerBuilder::DEFAULT_TIMEOUT)
        ),
        format!(
            "Each request has a {} s limit by default",
            secs(LinerBuilder::DEFAULT_TIMEOUT)
        ),
        format!(
            "{} s of it to connect",
            secs(LinerBuilder::DEFAULT_CONNECT_TIMEOUT)
        ),
        format!(
            "a {} s deadline on each call",
            secs(RetryPolicy::DEFAULT_DEADLINE)
        ),
        format!(
            "Every call has a deadline, {} s unless",
            secs(RetryPolicy::DEFAULT_DEADLINE)
        ),
        format!(
            "`Error::Timeout` at the {} s deadline",
            secs(RetryPolicy::DEFAULT_DEADLINE)
        ),
        format!("answers of at most {mib} MiB"),
        format!("(at most {} characters)", Error::MESSAGE_LIMIT),
        format!("kept to {} characters", Error::MESSAGE_LIMIT),
        format!("Pages are {} leads (the maximum)", LeadQuery::MAX_PAGE_SIZE),
        format!(
            "(default {}, at most {};",
            LeadQuery::DEFAULT_CONCURRENCY,
            LeadQuery::MAX_CONCURRENCY
        ),
        format!(
            "{} pages in a row",
            number_word(LeadQuery::DEFAULT_MAX_STALE_PAGES)
        ),
        format!(
            "{} requests (the first page and {} stale ones)",
            LeadQuery::DEFAULT_MAX_STALE_PAGES + 1,
            LeadQuery::DEFAULT_MAX_STALE_PAGES
        ),
        format!(
            "the first {} KiB of the body is kept",
            Error::SNIPPET_LIMIT / 1024
        )
        .replace("the first", "The first"),
    ];
    let missing: Vec<&String> = phrases
        .iter()
        .filter(|phrase| !README.replace('\n', " ").contains(phrase.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "crates/liner/README.md does not say (or no longer says) {missing:#?}"
    );
}

#[test]
fn the_root_readme_says_every_call_is_bounded() {
    // Every call has a deadline by default: the root README must not call
    // it optional.
    assert!(!ROOT_README.contains("optionally a deadline"));
    assert!(ROOT_README.contains("bounds every call with timeouts and a deadline"));
}

/// The README writes small counts in words.
fn number_word(n: u32) -> String {
    match n {
        10 => "ten".to_owned(),
        other => other.to_string(),
    }
}
