//! The tour of the `liner` client: create a lead, read it, update it, page
//! through the lead list, read a call.
//!
//! ```text
//! cargo run -p liner --example quickstart
//! ```
//!
//! With neither `LINER_BASE_URL` nor `LINER_API_KEY` set it starts a fake
//! Liner server in-process, on 127.0.0.1, and says so. With both set it uses
//! that server **read-only**: it reads the first lead of the list instead of
//! creating one, and skips the update, unless `LINER_EXAMPLES_WRITE=1` is set
//! (it prints which). Its read of the whole list stops after 500 leads. The
//! set-up the examples share is `examples/support/mod.rs`.

mod support;

use std::error::Error;
use std::fmt::Display;
use std::num::NonZeroU64;
use std::process::ExitCode;

use liner::{LeadPatch, LeadType, Liner, NewLead};
use support::{Target, Writes};

/// How many leads the read of the whole list stops at: a real account may
/// hold millions.
const LIST_READ_LIMIT: usize = 500;

#[tokio::main]
async fn main() -> ExitCode {
    support::exit_status(run().await)
}

async fn run() -> Result<(), Box<dyn Error>> {
    let target = Target::new(liner_fake::Config::default().with_leads(250).with_calls(50)).await?;
    let client = target.builder.build()?;
    tour(&client, target.writes).await
}

/// A value for people: the value itself, or a dash when there is none.
fn shown<T: Display>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_owned(), |value| value.to_string())
}

/// Every operation; the create and the update only when `writes` allows.
async fn tour(client: &Liner, writes: Writes) -> Result<(), Box<dyn Error>> {
    let Some(id) = a_lead(client, writes).await? else {
        println!("the lead list is empty: nothing to read");
        return Ok(());
    };

    let lead = client.lead(id).await?;
    println!(
        "read lead {}: name {}, phone {}, created at {}",
        lead.id,
        shown(lead.name.as_deref()),
        shown(lead.phone.as_deref()),
        shown(lead.created_at.as_ref()),
    );

    match writes {
        Writes::Allowed => {
            let patch = LeadPatch::new()
                .status_id(12)
                .name("Quickstart Lead (called)");
            client.update_lead(id, patch).await?;
            let lead = client.lead(id).await?;
            println!(
                "updated lead {}: status {}, name {}",
                lead.id,
                shown(lead.status_id),
                shown(lead.name.as_deref())
            );
        }
        Writes::ReadOnly => Writes::skipped("updating the lead"),
    }

    let order = lead.order_id.map_or(202, NonZeroU64::get);
    // One page at a time (no prefetch): the reads stop where the loop does.
    let mut pages = client
        .leads()
        .order_ids([order])
        .page_size(50)
        .concurrency(1)
        .pages();
    let mut count = 0;
    while let Some(page) = pages.next().await {
        let page = page?;
        count += page.items.len();
        println!(
            "  page at offset {:>3}: {:>2} leads of order {order} (total {}, next {})",
            page.offset,
            page.items.len(),
            shown(page.total),
            shown(page.next)
        );
        if count >= LIST_READ_LIMIT {
            break;
        }
    }
    println!("listed {count} leads of order {order}, page by page");

    let mut leads = client.leads().concurrency(1).items();
    let mut read = 0;
    while read < LIST_READ_LIMIT {
        let Some(lead) = leads.next().await else {
            break;
        };
        lead?;
        read += 1;
    }
    println!("read {read} leads of the whole list (this tour stops at {LIST_READ_LIMIT})");

    match client.call(1).await {
        Ok(call) => println!(
            "call {}: {} call for lead {}, {} s, status {}",
            call.id,
            shown(call.direction.as_ref()),
            shown(call.lead_id),
            shown(call.total_duration_seconds),
            call.status_code
                .or(call.status_id.map(|id| id.to_string()))
                .unwrap_or_else(|| "-".to_owned()),
        ),
        Err(err) if err.is_not_found() => println!("call 1 does not exist here: {err}"),
        Err(err) => return Err(err.into()),
    }
    Ok(())
}

/// The lead the tour reads: one it creates when it may write, otherwise the
/// first of the list (`None` when the list is empty).
async fn a_lead(client: &Liner, writes: Writes) -> liner::Result<Option<NonZeroU64>> {
    match writes {
        Writes::Allowed => {
            let new_lead = NewLead::new(LeadType::Straight, "+79001234567", 202, "order-202")
                .name("Quickstart Lead")
                .custom_values([(10, "from the quickstart")]);
            let id = client.create_lead(new_lead).await?;
            println!("created lead {id}");
            Ok(Some(id))
        }
        Writes::ReadOnly => {
            Writes::skipped("creating a lead");
            let page = client.leads().page_size(1).page().await?;
            Ok(page.items.first().map(|lead| lead.id))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use liner_fake::{Config, FakeServer};

    use super::*;

    /// The methods of the requests the tour sends in `writes` mode.
    async fn methods(writes: Writes) -> Vec<String> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        let fake = FakeServer::start(
            Config::default()
                .with_leads(3000)
                .with_calls(5)
                .with_observer(Arc::new(move |exchange| {
                    record.lock().unwrap().push(exchange.method.to_owned());
                })),
        )
        .await
        .unwrap();
        let client = Liner::builder()
            .base_url(fake.base_url())
            .api_key(fake.api_key())
            .build()
            .unwrap();
        tour(&client, writes).await.unwrap();
        seen.lock().unwrap().clone()
    }

    #[tokio::test]
    async fn read_only_sends_no_post_and_reads_a_bounded_list() {
        let methods = methods(Writes::ReadOnly).await;
        assert!(methods.iter().all(|method| method == "GET"), "{methods:?}");
        // 3,000 leads: 18 requests when each read stops at 500 leads, one
        // page at a time; 43 if the whole-list read went to the end.
        assert!(methods.len() <= 20, "{} requests", methods.len());
    }

    #[tokio::test]
    async fn allowed_writes_create_and_update() {
        let posts = methods(Writes::Allowed)
            .await
            .into_iter()
            .filter(|method| method == "POST")
            .count();
        assert_eq!(posts, 2);
    }
}
