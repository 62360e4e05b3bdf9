#![warn(missing_docs)]
//! `liner`: the Liner call-center CRM API from the command line. See the
//! crate README for the commands, the import's journal and the exit
//! statuses.

mod cli;
mod client;
mod demo;
mod event_text;
mod exit;
mod export;
mod help_files;
mod import;
mod interrupt;
mod key_file;
mod log_filter;
mod notes;
mod output;
mod profile;
mod progress;
mod records;
mod request_log;
mod schema_fields;
mod text;
mod text_file;
mod warnings;
mod xlsx;

use std::process::ExitCode;

use cli::{CallCommand, Command, LeadCommand, LeadsCommand};
use exit::{Failure, Status};

fn main() -> ExitCode {
    let cli = cli::parse();
    if cli.quiet {
        notes::set_quiet();
    }
    notes::set_verbosity(cli.verbose);
    let log = match log_filter::from_env() {
        Ok(log) => log,
        Err(message) => {
            eprintln!("liner: {message}");
            return Status::Usage.into();
        }
    };
    if log.is_some() {
        notes::set_logging();
    }
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
    // Before anything is created: a stop asked for from now on is kept
    // until the command looks.
    if let Err(err) = runtime.block_on(async { interrupt::install() }) {
        eprintln!("liner: cannot listen for Ctrl-C and SIGTERM: {err}");
        return Status::Local.into();
    }
    let warnings = warnings::Warnings::install(log);
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
    let command = match &cli.command {
        // The demo starts and prints its own server; it connects to nothing.
        Command::Demo(args) => return demo::run(args).await,
        Command::Completions { shell } => return help_files::completions(*shell),
        Command::Man { dir } => return help_files::man(dir.as_deref()),
        Command::Leads(command) => ApiCommand::Leads(command),
        Command::Lead(command) => ApiCommand::Lead(command),
        Command::Call(command) => ApiCommand::Call(command),
    };
    let connection = client::connect(&cli).await?;
    let client = &connection.client;
    match command {
        ApiCommand::Leads(LeadsCommand::Export(args)) => export::run(client, args, warnings).await,
        ApiCommand::Leads(LeadsCommand::Import(args)) => import::run(client, args, warnings).await,
        ApiCommand::Lead(LeadCommand::Get { id }) => records::get_lead(client, *id).await,
        ApiCommand::Lead(LeadCommand::Update(args)) => records::update_lead(client, args).await,
        ApiCommand::Call(CallCommand::Get { id }) => records::get_call(client, *id).await,
    }
}

/// The commands that talk to a Liner server (every one but `demo`).
enum ApiCommand<'a> {
    Leads(&'a LeadsCommand),
    Lead(&'a LeadCommand),
    Call(&'a CallCommand),
}
