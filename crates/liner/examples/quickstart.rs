//! The whole tour of the `liner` client: create a lead, read it, update it,
//! page through the lead list, read a call.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With `LINER_BASE_URL` and `LINER_API_KEY` set (and `LINER_CA_CERT` for
//! a private certificate authority) it talks to that server
//! (careful: it creates and updates a lead there). With neither set it starts
//! the workspace's fake Liner server in-process, on 127.0.0.1, and says so.
//! With only one set, or a configuration the client refuses, it says what is
//! wrong and exits non-zero: a typo must not quietly turn into a demo.

use std::fmt::Display;

use liner::{LeadPatch, LeadType, Liner, NewLead};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match tour().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            // Display, not Debug: the message is written for people. Each
            // cause once: TLS libraries repeat their inner error's text.
            let mut line = format!("quickstart failed: {err}");
            let mut cause = err.source();
            while let Some(inner) = cause {
                let text = inner.to_string();
                if !line.contains(&text) {
                    line.push_str(&format!(": {text}"));
                }
                cause = inner.source();
            }
            eprintln!("{line}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A value for people: the value itself, or a dash when there is none.
fn shown<T: Display>(value: Option<T>) -> String {
    value.map_or_else(|| "-".to_owned(), |value| value.to_string())
}

async fn tour() -> Result<(), Box<dyn std::error::Error>> {
    // Keeps the fake alive until the end of `tour` when there is one.
    let (client, _fake) = match Liner::from_env_if_set()? {
        Some(client) => {
            println!(
                "Using the Liner API at {} (from {})",
                client.base_url(),
                liner::Liner::BASE_URL_VAR
            );
            (client, None)
        }
        None => {
            let fake = liner_fake::FakeServer::start(
                liner_fake::Config::default().with_leads(250).with_calls(50),
            )
            .await?;
            println!(
                "{} and {} are not set: started a fake Liner server at {} with 250 leads",
                liner::Liner::BASE_URL_VAR,
                liner::Liner::API_KEY_VAR,
                fake.base_url()
            );
            let client = Liner::builder()
                .base_url(fake.base_url())
                .api_key(fake.api_key())
                .build()?;
            (client, Some(fake))
        }
    };

    let new_lead = NewLead::new(LeadType::Straight, "+79001234567", 202, "order-202")
        .name("Quickstart Lead")
        .custom_values([(10, "from the quickstart")]);
    let id = client.create_lead(new_lead).await?;
    println!("created lead {id}");

    let lead = client.lead(id).await?;
    println!(
        "read lead {}: name {}, phone {}, created at {}",
        lead.id,
        shown(lead.name.as_deref()),
        shown(lead.phone.as_deref()),
        shown(lead.created_at.as_ref()),
    );

    client
        .update_lead(
            id,
            LeadPatch::new()
                .status_id(12)
                .name("Quickstart Lead (called)"),
        )
        .await?;
    let lead = client.lead(id).await?;
    println!(
        "updated lead {}: status {}, name {}",
        lead.id,
        shown(lead.status_id),
        shown(lead.name.as_deref())
    );

    let mut pages = client.leads().order_ids([202]).page_size(50).pages();
    let mut count = 0;
    while let Some(page) = pages.next().await {
        let page = page?;
        count += page.items.len();
        println!(
            "  page at offset {:>3}: {:>2} leads of order 202 (total {}, next {})",
            page.offset,
            page.items.len(),
            shown(page.total),
            shown(page.next)
        );
    }
    println!("listed {count} leads of order 202, page by page");

    let all = client.leads().collect_all().await?;
    println!("collected all {} leads", all.len());

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
