//! A service under a rate limit: 64 tasks share one client, which keeps
//! them under the server's limit (`LinerBuilder::rate_limit`), and a `429`
//! that still comes pauses every task at once, not only the one that got it.
//!
//! ```text
//! cargo run -p liner --example rate_limited_service
//! ```
//!
//! Against the in-process fake, limited to 50 requests a second: one client
//! without a limit of its own, then one limited to 45 a second, each reading
//! 200 leads from 64 tasks; the output compares the `429`s each met (the
//! first may fail: its retries spend the client's retry budget). Against
//! the server `LINER_BASE_URL` and `LINER_API_KEY` name it reads 40 leads at
//! 5 requests a second (`examples/support/mod.rs`).

mod support;

use std::error::Error;
use std::num::NonZeroU64;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use liner::Liner;
use liner_fake::{Config, RateLimit};
use support::Target;
use tokio::sync::Mutex;

/// Tasks sharing one client, as a service's request handlers would.
const TASKS: usize = 64;

#[tokio::main]
async fn main() -> ExitCode {
    support::exit_status(run().await)
}

async fn run() -> Result<(), Box<dyn Error>> {
    let limit = RateLimit::per_second(50).with_burst(10);
    let target = Target::new(Config::default().with_leads(300).with_rate_limit(limit)).await?;
    let (reads, rate) = if target.fake.is_some() {
        (200, 45)
    } else {
        (40, 5)
    };
    let ids: Vec<NonZeroU64> = target
        .builder
        .clone()
        .build()?
        .leads()
        .page_size(100)
        .page()
        .await?
        .items
        .iter()
        .map(|lead| lead.id)
        .cycle()
        .take(reads)
        .collect();

    if let Some(fake) = &target.fake {
        // Without a limit of its own, 64 tasks meet the server's limit at
        // once: each 429 pauses the whole client, and the retries spend the
        // client's retry budget, which may run out (`RetryBudgetSpent`).
        let before = fake.stats().rate_limited;
        let unlimited = target.builder.clone().build()?;
        let outcome = match read_all(&unlimited, &ids).await {
            Ok(took) => format!("{} reads in {took:.2?}", ids.len()),
            Err(error) => format!("failed: {error}"),
        };
        println!(
            "no limit of its own: {outcome}; {} requests answered 429",
            fake.stats().rate_limited - before
        );
    }

    let limited = target.builder.rate_limit(rate).build()?;
    let before = target.fake.as_ref().map(|fake| fake.stats().rate_limited);
    let took = read_all(&limited, &ids).await?;
    print!("rate_limit({rate}): {} reads in {took:.2?}", ids.len());
    match (&target.fake, before) {
        (Some(fake), Some(before)) => {
            println!(
                "; {} requests answered 429",
                fake.stats().rate_limited - before
            );
        }
        _ => println!(),
    }
    Ok(())
}

/// Reads every lead of `ids` from `TASKS` tasks sharing `client`; the time
/// it took.
async fn read_all(
    client: &Liner,
    ids: &[NonZeroU64],
) -> Result<std::time::Duration, Box<dyn Error>> {
    let queue = Arc::new(Mutex::new(ids.to_vec()));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..TASKS {
        let (client, queue) = (client.clone(), Arc::clone(&queue));
        tasks.spawn(async move {
            loop {
                let next = queue.lock().await.pop();
                let Some(id) = next else {
                    return Ok::<(), liner::Error>(());
                };
                client.lead(id).await?;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(started.elapsed())
}
