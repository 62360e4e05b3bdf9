//! `liner`: the Liner call-center CRM API from the command line. See the
//! crate README for the commands, the import's journal and the exit
//! statuses.

mod cli;
mod client;
mod demo;
mod exit;
mod export;
mod fields;
mod import;
mod interrupt;
mod lead;
mod output;
mod progress;
mod text;
mod warnings;

use std::process::ExitCode;

use cli::{CallCommand, Command, LeadCommand, LeadsCommand};
use exit::{Failure, Status};

fn main() -> ExitCode {
    let cli = cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("liner: cannot start the async runtime: {err}");
            return Status::Local.into();
        }
    };
    let warnings = warnings::Warnings::install();
    match runtime.block_on(run(cli, &warnings)) {
        Ok(()) => Status::Success.into(),
        Err(failure) => {
            if !failure.is_silent() {
                eprintln!("liner: {failure}");
            }
            failure.status.into()
        }
    }
}

async fn run(cli: cli::Cli, warnings: &warnings::Warnings) -> Result<(), Failure> {
    if let Command::Demo(args) = &cli.command {
        return demo::run(args).await;
    }
    let connection = client::connect(&cli).await?;
    let client = &connection.client;
    match &cli.command {
        Command::Leads(LeadsCommand::Export(args)) => export::run(client, args, warnings).await,
        Command::Leads(LeadsCommand::Import(args)) => import::run(client, args, warnings).await,
        Command::Lead(LeadCommand::Get { id }) => lead::get(client, *id).await,
        Command::Lead(LeadCommand::Update(args)) => lead::update(client, args).await,
        Command::Call(CallCommand::Get { id }) => lead::call(client, *id).await,
        Command::Demo(_) => Ok(()),
    }
}
