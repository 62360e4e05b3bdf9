//! `liner demo`: a fake Liner server on this machine until Ctrl-C, so that
//! every command can be tried without an account.

use crate::cli::DemoArgs;
use crate::client::{FAKE_KEY, start_fake};
use crate::exit::Failure;
use crate::output::print_line;

pub async fn run(args: &DemoArgs) -> Result<(), Failure> {
    let fake = start_fake(args.leads, args.calls, args.port).await?;
    // The settings on stdout (for `eval`), the explanation on stderr.
    print_line(&format!("export LINER_BASE_URL={}", fake.base_url()))?;
    print_line(&format!("export LINER_API_KEY={FAKE_KEY}"))?;
    eprintln!(
        "liner demo: a fake Liner server with {} leads and {} calls at {}, until Ctrl-C.\n\
         In another shell, set the two variables above, then for instance:\n  \
         liner leads export --format csv --output leads.csv\n  \
         liner lead get 1\n  \
         liner lead update 1 --status-id 3 --name \"Ada Lovelace\"\n  \
         liner call get 1",
        args.leads,
        args.calls,
        fake.base_url()
    );
    crate::interrupt::requested()
        .await
        .map_err(|err| Failure::local(format!("cannot wait for Ctrl-C: {err}")))?;
    fake.shutdown().await;
    Ok(())
}
