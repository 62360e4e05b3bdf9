//! Errors and retries: matching on `liner::Error`, asking it what happened
//! (`is_not_found`, `is_retryable`, `status`, `retry_after`), and a retry
//! policy of your own.
//!
//! ```text
//! cargo run -p liner --example errors_and_retries
//! ```
//!
//! Against the in-process fake, a third of the requests fail (`503`, `429`,
//! a connection cut before the answer), from a fixed seed. Against the
//! server `LINER_BASE_URL` and `LINER_API_KEY` name it only reads
//! (`examples/support/mod.rs`).

mod support;

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use liner::{Liner, RetryPolicy};
use liner_fake::{Config, Fault, Faults};
use support::Target;

#[tokio::main]
async fn main() -> ExitCode {
    support::exit_status(run().await)
}

async fn run() -> Result<(), Box<dyn Error>> {
    let faults = Faults::default()
        .with(Fault::Unavailable, 0.15)
        .with(Fault::TooManyRequests, 0.1)
        .with(Fault::CutBeforeAnswer, 0.08)
        .with_retry_after(0)
        .with_seed(11);
    let target = Target::new(Config::default().with_leads(50).with_faults(faults)).await?;
    // More patient than the default (2 retries, 30 s per call): 5 retries,
    // starting at 50 ms, each call bounded by 20 s, waits included.
    let policy = RetryPolicy::default()
        .max_retries(5)
        .initial_backoff(Duration::from_millis(50))
        .deadline(Duration::from_secs(20));
    let client = target.builder.retry_policy(policy).build()?;

    let ids: Vec<_> = client
        .leads()
        .page_size(20)
        .page()
        .await?
        .items
        .iter()
        .map(|lead| lead.id)
        .collect();
    for id in &ids {
        // Retried for you: a failure here is one the policy gave up on.
        let lead = client.lead(*id).await?;
        println!("lead {}: {:?}", lead.id, lead.name);
    }

    // One attempt per call: each failure comes back, to be looked at.
    let impatient = client.with_retry_policy(RetryPolicy::none());
    let mut failures = 0;
    for id in &ids {
        if let Err(error) = impatient.lead(*id).await {
            failures += 1;
            explain(&error);
        }
    }
    println!(
        "{failures} of {} reads failed without retries; none did with them",
        ids.len()
    );

    // A lead that does not exist: an answer, not a failure to retry.
    match client.lead(999_999_999).await {
        Err(error) if error.is_not_found() => println!("lead 999999999: not found ({error})"),
        Err(error) => return Err(error.into()),
        Ok(lead) => println!("lead 999999999 exists here: {:?}", lead.name),
    }
    read_with_a_fallback(&client).await;
    Ok(())
}

/// What a caller can learn from an error, variant by variant. `Error` is
/// `#[non_exhaustive]`: the last arm is required, and a pattern names the
/// fields it needs and ends with `..`.
fn explain(error: &liner::Error) {
    let what = match error {
        liner::Error::Api {
            status, message, ..
        } => format!("the API refused it ({status}): {message}"),
        liner::Error::Http { status, .. } => format!("an answer that is no envelope ({status})"),
        liner::Error::Timeout { after, .. } => format!("no answer within {after:?}"),
        liner::Error::Transport { .. } => "the connection failed".to_owned(),
        other => format!("another error: {other}"),
    };
    println!(
        "  failed: {what}; retryable: {}, Retry-After: {:?}",
        error.is_retryable(),
        error.retry_after()
    );
}

/// A fallback for a read: the cached value when the API is unavailable,
/// the error otherwise.
async fn read_with_a_fallback(client: &Liner) {
    let name = match client.lead(1).await {
        Ok(lead) => lead.name,
        Err(error) if error.is_retryable() || error.is_retry_budget_spent() => {
            Some("(cached name)".to_owned())
        }
        Err(error) => {
            println!("lead 1: {error}");
            return;
        }
    };
    println!("lead 1 is called {name:?}");
}
