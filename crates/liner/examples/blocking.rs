//! The blocking client: the same operations without `async`, and the lead
//! list as a plain `Iterator`, for scripts and programs with no runtime.
//!
//! ```text
//! cargo run -p liner --features blocking --example blocking
//! ```
//!
//! Against the in-process fake by default, or the server `LINER_BASE_URL`
//! and `LINER_API_KEY` name, read-only unless `LINER_EXAMPLES_WRITE=1`
//! (`examples/support/mod.rs`). In your program the set-up is one line:
//! `let client = liner::blocking::Liner::from_env()?;`.

mod support;

use std::error::Error;
use std::process::ExitCode;

use liner::{LeadType, NewLead};
use support::{Target, Writes};

fn main() -> ExitCode {
    support::exit_status(run())
}

fn run() -> Result<(), Box<dyn Error>> {
    // Only the in-process fake needs an async runtime, to serve from in the
    // background. The blocking client brings its own (one thread, the
    // caller's): never call it from inside an async runtime.
    let host = tokio::runtime::Runtime::new()?;
    let target = host.block_on(Target::new(liner_fake::Config::default().with_leads(230)))?;
    let client = liner::blocking::Liner::new(target.builder.build()?)?;

    // A `LeadQuery` is an `Iterator` of leads: pages are fetched as it goes.
    let mut seen = 0;
    let mut first = None;
    for lead in client.leads().page_size(100).into_iter().take(250) {
        let lead = lead?;
        first.get_or_insert(lead.id);
        seen += 1;
    }
    println!("iterated over {seen} leads (at most 250)");

    // One page, with its paging metadata.
    let page = client.leads().page_size(10).page_blocking()?;
    println!(
        "first page: {} leads of {:?}, next offset {:?}",
        page.items.len(),
        page.total,
        page.next
    );

    if let Some(id) = first {
        let lead = client.lead(id)?;
        println!(
            "lead {}: order {:?}, status {:?}",
            lead.id, lead.order_id, lead.status_id
        );
    }

    match target.writes {
        Writes::Allowed => {
            let id = client.create_lead(
                NewLead::new(LeadType::Selection, "+79001234567", 202, "order-202")
                    .name("Blocking Example"),
            )?;
            println!("created lead {id}");
        }
        Writes::ReadOnly => Writes::skipped("creating a lead"),
    }
    Ok(())
}
