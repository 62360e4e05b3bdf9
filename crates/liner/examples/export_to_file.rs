//! A streamed export: every lead of an order written to a JSON Lines file as
//! its page arrives, without holding the export in memory, and the file put
//! in place only when the export is complete.
//!
//! ```text
//! cargo run -p liner --example export_to_file -- [ORDER_ID] [FILE]
//! ```
//!
//! `ORDER_ID` defaults to the order of the first lead of the list, `FILE` to
//! `leads-<order>.jsonl` in the system's temporary directory. Against the
//! in-process fake by default, or the server `LINER_BASE_URL` and
//! `LINER_API_KEY` name (`examples/support/mod.rs`): it only reads, but it
//! reads **every** lead of the order, as an export must. For operators,
//! `liner leads export` does this with CSV, Excel and progress.
//!
//! Memory: the stream holds the pages in flight and read ahead (at most 4
//! and 4 by default, 100 leads each), and the ids already written, kept as
//! ranges to drop duplicates when the list shifts under the pager: ids with
//! gaps cost a range each (see "Pagination" in the crate README), so that
//! part grows with the export, by tens of bytes a lead. The leads themselves
//! are written and dropped as they come.

mod support;

use std::error::Error;
use std::io::Write as _;
use std::num::NonZeroU64;
use std::path::PathBuf;
use std::process::ExitCode;

use support::Target;

#[tokio::main]
async fn main() -> ExitCode {
    support::exit_status(run().await)
}

async fn run() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let order: Option<NonZeroU64> = args
        .next()
        .map(|text| text.parse())
        .transpose()
        .map_err(|_| "ORDER_ID must be a positive integer")?;
    let file = args.next().map(PathBuf::from);

    let target = Target::new(liner_fake::Config::default().with_leads(2_000)).await?;
    let client = target.builder.build()?;
    let order = match order {
        Some(order) => order,
        None => {
            let page = client.leads().page_size(1).page().await?;
            match page.items.first().and_then(|lead| lead.order_id) {
                Some(order) => order,
                None => return Err("the first lead has no order: give ORDER_ID".into()),
            }
        }
    };
    let file = file.unwrap_or_else(|| std::env::temp_dir().join(format!("leads-{order}.jsonl")));

    // Written beside the target, then renamed: a reader never sees half an
    // export, and a failed one leaves the previous file as it was.
    let partial = file.with_extension("jsonl.partial");
    let outcome = export(&client, order, &partial).await;
    match outcome {
        Ok(count) => {
            std::fs::rename(&partial, &file)?;
            println!(
                "exported {count} leads of order {order} to {}",
                file.display()
            );
            Ok(())
        }
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            Err(error)
        }
    }
}

/// Writes the order's leads to `path`, one JSON object a line; the count.
async fn export(
    client: &liner::Liner,
    order: NonZeroU64,
    path: &std::path::Path,
) -> Result<u64, Box<dyn Error>> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut leads = client.leads().order_ids([order.get()]).items();
    let mut count = 0;
    while let Some(lead) = leads.next().await {
        serde_json::to_writer(&mut out, &lead?)?;
        out.write_all(b"\n")?;
        count += 1;
    }
    out.into_inner()
        .map_err(|error| error.into_error())?
        .sync_all()?;
    Ok(count)
}
