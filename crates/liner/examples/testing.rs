//! Testing your own code against `liner_fake::FakeServer`: a function of a
//! service (here, the names of an order's leads) and its
//! `#[tokio::test]`s, against the in-process fake with faults injected.
//!
//! ```text
//! cargo test -p liner --example testing     # the tests
//! cargo run -p liner --example testing      # the function, once
//! ```
//!
//! The tests need `liner-fake` as a dev-dependency and tokio's `macros`.
//! Run, it reads from the in-process fake by default, or from the server
//! `LINER_BASE_URL` and `LINER_API_KEY` name (`examples/support/mod.rs`).

mod support;

use std::error::Error;
use std::num::NonZeroU64;
use std::process::ExitCode;

use liner::Liner;

/// Your code: the names of the first `at_most` leads of `order`, in the
/// list's order (a lead without a name is left out).
pub async fn names_in_order(
    client: &Liner,
    order: NonZeroU64,
    at_most: usize,
) -> liner::Result<Vec<String>> {
    let mut leads = client.leads().order_ids([order.get()]).items();
    let (mut names, mut read) = (Vec::new(), 0);
    while read < at_most {
        let Some(lead) = leads.next().await else {
            break;
        };
        read += 1;
        names.extend(lead?.name);
    }
    Ok(names)
}

#[tokio::main]
async fn main() -> ExitCode {
    support::exit_status(run().await)
}

async fn run() -> Result<(), Box<dyn Error>> {
    let target = support::Target::new(liner_fake::Config::default().with_leads(500)).await?;
    let client = target.builder.build()?;
    let page = client.leads().page_size(1).page().await?;
    let Some(lead) = page.items.first() else {
        println!("the lead list is empty");
        return Ok(());
    };
    let Some(order) = lead.order_id else {
        println!("the first lead has no order");
        return Ok(());
    };
    // At most 200: on a real account an order may hold many more.
    let names = names_in_order(&client, order, 200).await?;
    println!(
        "{} named leads among the first 200 of order {order}",
        names.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use liner::RetryPolicy;
    use liner_fake::{Config, FakeServer, Fault, Faults};

    use super::*;

    /// A client for `fake`, as your service would build it.
    fn client_for(fake: &FakeServer) -> Liner {
        Liner::builder()
            .base_url(fake.base_url())
            .api_key(fake.api_key())
            .build()
            .expect("the fake's URL and key are valid")
    }

    fn id(value: u64) -> NonZeroU64 {
        NonZeroU64::new(value).expect("not zero")
    }

    /// The fake seeds the same leads for the same seed: a fault-free copy
    /// gives the answer the code must find through the faults.
    fn config() -> Config {
        Config::default().with_leads(3_000).with_seed(42)
    }

    #[tokio::test]
    async fn finds_the_same_names_through_failing_requests() {
        let clean = FakeServer::start(config()).await.unwrap();
        let expected = names_in_order(&client_for(&clean), id(303), usize::MAX)
            .await
            .unwrap();
        assert!(expected.len() > 300, "several pages: {}", expected.len());

        // A quarter of the requests fail (a cut connection, a 503, a 429),
        // from a fixed seed: the same requests fail on every run.
        let faults = Faults::default()
            .with(Fault::CutBeforeAnswer, 0.1)
            .with(Fault::Unavailable, 0.1)
            .with(Fault::TooManyRequests, 0.05)
            .with_retry_after(0)
            .with_seed(7);
        let flaky = FakeServer::start(config().with_faults(faults))
            .await
            .unwrap();
        let client = client_for(&flaky).with_retry_policy(
            RetryPolicy::default()
                .max_retries(6)
                .initial_backoff(Duration::from_millis(1)),
        );
        let names = names_in_order(&client, id(303), usize::MAX).await.unwrap();
        assert_eq!(names, expected);
        assert!(
            flaky.stats().faults.values().sum::<u64>() > 0,
            "faults were injected"
        );
    }

    #[tokio::test]
    async fn a_server_that_is_down_is_an_error_not_an_empty_list() {
        let down = FakeServer::start(config().with_faults(Faults::always(Fault::Unavailable)))
            .await
            .unwrap();
        let client = client_for(&down).with_retry_policy(RetryPolicy::none());
        let error = names_in_order(&client, id(303), usize::MAX)
            .await
            .expect_err("every request fails");
        assert_eq!(error.status().map(|status| status.as_u16()), Some(503));
        assert!(error.is_retryable());
    }

    #[tokio::test]
    async fn a_wrong_key_is_unauthorized() {
        let fake = FakeServer::start(config()).await.unwrap();
        let client = Liner::builder()
            .base_url(fake.base_url())
            .api_key("not-the-key")
            .build()
            .unwrap();
        let error = names_in_order(&client, id(303), usize::MAX)
            .await
            .unwrap_err();
        assert!(error.is_unauthorized(), "{error}");
    }
}
