//! The command line: what `liner` accepts, with clap's derive, plus the
//! flags of `lead update`, which come from the patch type's schema (see
//! [`crate::schema_fields`]) rather than a hand-written list.

use std::path::PathBuf;
use std::time::Duration;

use clap::{
    ArgMatches, Args, CommandFactory as _, FromArgMatches as _, Parser, Subcommand, ValueEnum,
};

use crate::exit::EXIT_STATUSES;
use help_text::{
    AFTER_HELP, CALL_GET_EXAMPLES, COMPLETIONS_EXAMPLES, DEMO_EXAMPLES, EXPORT_EXAMPLES,
    IMPORT_EXAMPLES, LEAD_EXAMPLES, LEAD_GET_EXAMPLES, LEAD_UPDATE_EXAMPLES, LEADS_EXAMPLES,
};

use crate::schema_fields::{self, Field};

mod help_text;
mod rate;

pub(crate) use rate::parse_rate;

/// The global flags that say how to reach a Liner server: hidden from, and
/// refused by, the commands that reach none.
const CONNECTION_FLAGS: [&str; 7] = [
    "base_url",
    "api_key_file",
    "ca_cert",
    "proxy",
    "rate",
    "fake",
    "profile",
];

/// The commands that reach no Liner server.
const LOCAL_COMMANDS: [&str; 3] = ["demo", "completions", "man"];

/// The Liner call-center CRM API from the command line: export and import
/// leads, read and update a lead, read a call.
#[derive(Debug, Parser)]
#[command(name = "liner", version, after_help = format!("{AFTER_HELP}\n{EXIT_STATUSES}"))]
pub struct Cli {
    /// The Liner API's base URL, e.g. `https://liner.example.com`.
    #[arg(
        long,
        env = "LINER_BASE_URL",
        hide_env_values = true,
        global = true,
        value_name = "URL",
        help_heading = "Connection"
    )]
    pub base_url: Option<String>,
    /// Read the API key from this file (surrounding whitespace is ignored);
    /// otherwise it is taken from LINER_API_KEY.
    #[arg(
        long,
        env = "LINER_API_KEY_FILE",
        hide_env_values = true,
        global = true,
        value_name = "PATH",
        help_heading = "Connection"
    )]
    pub api_key_file: Option<PathBuf>,
    /// The profile of the config file to use: its base URL and where its key
    /// comes from (flags given here win over it, and it over the LINER_*
    /// variables).
    #[arg(
        long,
        env = "LINER_PROFILE",
        hide_env_values = true,
        global = true,
        value_name = "NAME",
        help_heading = "Connection"
    )]
    pub profile: Option<String>,
    /// Also trust the certificate authority in this PEM file: a company's
    /// own, or the one a TLS-inspecting proxy re-signs with.
    #[arg(
        long,
        env = "LINER_CA_CERT",
        hide_env_values = true,
        global = true,
        value_name = "FILE",
        help_heading = "Connection"
    )]
    pub ca_cert: Option<PathBuf>,
    /// Send requests through this proxy (http://host:port); otherwise
    /// HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read. Over https:// the proxy
    /// sees only the host, never the key.
    #[arg(
        long,
        env = "LINER_PROXY",
        hide_env_values = true,
        global = true,
        value_name = "URL",
        help_heading = "Connection"
    )]
    pub proxy: Option<String>,
    /// Send at most N requests a second (N or N/s), evenly spaced across the
    /// command's workers and retries: at or below the server's limit, no
    /// request meets a 429 and its pause.
    #[arg(
        long,
        env = "LINER_RATE",
        hide_env_values = true,
        global = true,
        value_name = "N/s",
        value_parser = parse_rate,
        help_heading = "Connection"
    )]
    pub rate: Option<u32>,
    /// Run against a fake Liner server started in-process, seeded with 1000
    /// leads and 100 calls; nothing leaves this machine.
    #[arg(long, global = true, help_heading = "Connection")]
    pub fake: bool,
    /// Print nothing but errors: no progress, no summary, no warnings.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print a line per request on stderr (method, path template, status,
    /// attempt, time) instead of the progress bar; -vv adds each retry and
    /// its wait.
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Which connection settings were given on the command line (they win
    /// over a profile, which wins over the environment).
    #[arg(skip)]
    pub given: Given,
    #[command(subcommand)]
    pub command: Command,
}

/// The connection settings given on the command line itself.
#[derive(Debug, Default, Clone, Copy)]
pub struct Given {
    pub base_url: bool,
    pub api_key_file: bool,
    pub ca_cert: bool,
    pub proxy: bool,
    pub rate: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The lead list: export it to a file, import a file of new leads.
    #[command(subcommand, after_help = LEADS_EXAMPLES)]
    Leads(LeadsCommand),
    /// One lead: read it, update it.
    #[command(subcommand, after_help = LEAD_EXAMPLES)]
    Lead(LeadCommand),
    /// One call: read it.
    #[command(subcommand, after_help = CALL_GET_EXAMPLES)]
    Call(CallCommand),
    /// Start a fake Liner server on this machine and keep it up until Ctrl-C,
    /// to try every command without an account.
    #[command(after_help = DEMO_EXAMPLES)]
    Demo(DemoArgs),
    /// Print the completion script of a shell.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `liner man > liner.1`; with --dir,
    /// write a page per command there (liner.1, liner-leads-export.1, ...).
    #[command(hide = true)]
    Man {
        /// Write every command's page into this directory.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum LeadsCommand {
    /// Write every lead that matches the filters to a file (or stdout), as
    /// JSON Lines, a JSON array, CSV or an Excel workbook, streaming with
    /// constant memory.
    #[command(after_help = EXPORT_EXAMPLES)]
    Export(ExportArgs),
    /// Create a lead for every row of a CSV, Excel, JSON Lines or JSON
    /// file, resumably: a journal records each row's outcome, and a re-run
    /// sends only what is left.
    #[command(after_help = IMPORT_EXAMPLES)]
    Import(ImportArgs),
}

#[derive(Debug, Subcommand)]
pub enum LeadCommand {
    /// Print a lead as JSON.
    #[command(after_help = LEAD_GET_EXAMPLES)]
    Get {
        /// The lead's id.
        id: u64,
    },
    /// Change the fields given as flags, then print the lead as JSON.
    #[command(after_help = LEAD_UPDATE_EXAMPLES)]
    Update(UpdateArgs),
}

#[derive(Debug, Subcommand)]
pub enum CallCommand {
    /// Print a call as JSON.
    #[command(after_help = CALL_GET_EXAMPLES)]
    Get {
        /// The call's id.
        id: u64,
    },
}

/// File formats of export and import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per line, as the API sends a lead.
    Jsonl,
    /// One JSON array of leads (what a `.json` file means to most tools).
    Json,
    /// A header row of the lead's fields, then one row per lead.
    Csv,
    /// An Excel workbook: one sheet, a header row, a row per lead, typed
    /// cells.
    Xlsx,
}

impl Format {
    /// The format a file name implies: `.csv`, `.xlsx`, `.json`, or
    /// `.jsonl`/`.ndjson`.
    pub fn of_path(path: &std::path::Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            "json" => Some(Self::Json),
            "jsonl" | "ndjson" => Some(Self::Jsonl),
            _ => None,
        }
    }

    /// The format's name, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Jsonl => "JSON Lines",
            Self::Json => "a JSON array",
            Self::Csv => "CSV",
            Self::Xlsx => "an Excel workbook",
        }
    }
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Only leads of this order (repeatable).
    #[arg(long = "order-id", value_name = "ID")]
    pub order_ids: Vec<u64>,
    /// Only leads with this status (repeatable).
    #[arg(long = "status-id", value_name = "ID")]
    pub status_ids: Vec<u64>,
    /// Only leads created at or after this RFC 3339 date-time, e.g.
    /// 2024-01-01T00:00:00Z.
    #[arg(long, value_name = "TIME")]
    pub created_from: Option<String>,
    /// Only leads created at or before this RFC 3339 date-time.
    #[arg(long, value_name = "TIME")]
    pub created_to: Option<String>,
    /// The output format [default: from the --output file's extension, else
    /// jsonl].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write here instead of stdout. The file appears, complete, only when
    /// the export succeeds (it is written beside it under a temporary name,
    /// then renamed).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// CSV as Excel in a Russian (or any comma-decimal) locale opens it: a
    /// UTF-8 byte-order mark, `;` between fields, CRLF line ends.
    #[arg(long)]
    pub excel: bool,
    /// How many pages are requested at a time once the list's size is known.
    /// An export is a bulk job: twice the library's default (lower it if the
    /// server objects).
    #[arg(long, value_name = "N", default_value_t = 2 * liner::LeadQuery::DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    /// Make --concurrency a maximum: start at 2 pages at a time, add one per
    /// round of clean answers, halve on a 429 or 503. For a server whose
    /// limit you do not know (when you know it, --rate keeps under it).
    #[arg(long)]
    pub adaptive: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file of leads: CSV, an Excel workbook (.xlsx), JSON Lines or a
    /// JSON array (the columns `leads export` writes; the ones the server
    /// sets, such as id, are ignored); `-` reads stdin, with --format and
    /// --journal.
    pub file: PathBuf,
    /// The file's format [default: from its extension].
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// The journal of outcomes [default: FILE.journal]. Keep it: a re-run
    /// with it skips every row already created.
    #[arg(long, value_name = "PATH")]
    pub journal: Option<PathBuf>,
    /// Creates in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub concurrency: usize,
    /// Make --concurrency a maximum: start at 2 creates at a time, add one
    /// per round of clean answers, halve on a 429, a 503 or a timeout. For a
    /// server whose limit you do not know (when you know it, --rate keeps
    /// under it).
    #[arg(long)]
    pub adaptive: bool,
    /// Send the valid rows even if some rows are invalid (which are then
    /// reported and not sent).
    #[arg(long)]
    pub skip_invalid: bool,
    /// Send again the rows the API refused in an earlier run.
    #[arg(long)]
    pub retry_refused: bool,
    /// Send again the rows whose outcome is still unknown after
    /// reconciling (or without it): this may create a lead twice.
    #[arg(long)]
    pub retry_unknown: bool,
    /// Look nothing up on the server: rows of unknown outcome stay unknown,
    /// and no baseline tells which rows' leads exist already.
    #[arg(long)]
    pub no_reconcile: bool,
    /// How long a reconciliation waits after a create went unanswered
    /// before looking it up, in seconds (at most a day), or twice as long as
    /// the slowest create of the run took if that is longer: the server may
    /// still be working on it, and a lead it creates after the look-up
    /// would be created twice.
    #[arg(long, value_name = "SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(0..=86_400))]
    pub settle: u64,
    /// Send the rows whose lead (same order, order code and phone) was
    /// already on the server before the import; by default they are
    /// reported and not sent.
    #[arg(long)]
    pub create_existing: bool,
    /// Read the file and the journal, check every row, look up the rows of
    /// unknown outcome and which leads exist already, and print what would
    /// be sent: no create is sent and nothing is written.
    #[arg(long)]
    pub dry_run: bool,
    /// The summary's format: text on stderr, or also one JSON object of
    /// the counts on stdout.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = SummaryFormat::Text)]
    pub summary: SummaryFormat,
    /// Write each row's lead to PATH as CSV: line,id,outcome.
    #[arg(long, value_name = "PATH")]
    pub ids: Option<PathBuf>,
    /// The file's text encoding [default: UTF-8 if it is, else Windows-1251,
    /// as Excel saves CSV in a Russian locale; the summary says which].
    #[arg(long, value_enum, value_name = "ENCODING")]
    pub encoding: Option<crate::text_file::Encoding>,
    /// A CSV file's delimiter: , or ; or tab [default: the one that splits
    /// the header into known columns].
    #[arg(long, value_name = "CHAR", value_parser = crate::text_file::Delimiter::parse)]
    pub delimiter: Option<crate::text_file::Delimiter>,
    /// Send an 11-digit phone that starts with 8 (the Russian domestic
    /// form, 8 900 111-22-33) as 7 and the ten digits; without it such a
    /// phone is refused.
    #[arg(long = "domestic-8-as-7")]
    pub domestic_8_as_7: bool,
    /// The sheet of an .xlsx file to read [default: the first].
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}

/// `--summary`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    Text,
    Json,
}

impl ImportArgs {
    pub fn settle(&self) -> Duration {
        Duration::from_secs(self.settle)
    }
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The lead's id.
    pub id: u64,
    /// The fields to change, one flag per field of the update body (from the
    /// spec; see `liner lead update --help`).
    #[arg(skip)]
    pub fields: Vec<(Field, String)>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The port to listen on (127.0.0.1); 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Seeded leads.
    #[arg(long, default_value_t = 1000)]
    pub leads: u64,
    /// Seeded calls.
    #[arg(long, default_value_t = 100)]
    pub calls: u64,
}

/// The fields `lead update` accepts: those of the update body.
pub fn patch_fields() -> Vec<Field> {
    schema_fields::fields_of::<liner::LeadPatch>()
}

/// The whole command, `lead update`'s generated flags included.
pub fn command() -> clap::Command {
    let flags: Vec<clap::Arg> = patch_fields()
        .iter()
        .map(|field| field.arg().help_heading("Fields to change"))
        .collect();
    let mut command = Cli::command().mut_subcommand("lead", |lead| {
        lead.mut_subcommand("update", |update| update.args(flags))
    });
    // Global flags are copied into every subcommand that has no flag of
    // the same id when the command is built: the local commands get hidden
    // copies of their own instead.
    let hidden: Vec<clap::Arg> = command
        .get_arguments()
        .filter(|arg| CONNECTION_FLAGS.contains(&arg.get_id().as_str()))
        .map(|arg| arg.clone().hide(true))
        .collect();
    for local in LOCAL_COMMANDS {
        command = command.mut_subcommand(local, |sub| sub.args(hidden.clone()));
    }
    command
}

/// Parses the process's arguments; on a usage error or `--help`, prints
/// and exits as clap does.
pub fn parse() -> Cli {
    from_matches(command().get_matches())
}

fn from_matches(matches: ArgMatches) -> Cli {
    try_from_matches(matches).unwrap_or_else(|err| err.exit())
}

/// Whether `id` was given on the command line, at the top or in the
/// subcommand (where clap records a global flag given after it).
fn on_command_line(matches: &ArgMatches, id: &str) -> bool {
    let mut level = Some(matches);
    while let Some(current) = level {
        if current.value_source(id) == Some(clap::parser::ValueSource::CommandLine) {
            return true;
        }
        level = current.subcommand().map(|(_, sub)| sub);
    }
    false
}

fn try_from_matches(matches: ArgMatches) -> Result<Cli, clap::Error> {
    if let Some((local, _)) = matches.subcommand()
        && LOCAL_COMMANDS.contains(&local)
        && let Some(flag) = CONNECTION_FLAGS
            .iter()
            .find(|flag| on_command_line(&matches, flag))
    {
        return Err(command().error(
            clap::error::ErrorKind::ArgumentConflict,
            format!(
                "`liner {local}` connects to no Liner server: --{} does nothing here",
                flag.replace('_', "-")
            ),
        ));
    }
    let mut cli = Cli::from_arg_matches(&matches)?;
    cli.given = Given {
        base_url: on_command_line(&matches, "base_url"),
        api_key_file: on_command_line(&matches, "api_key_file"),
        ca_cert: on_command_line(&matches, "ca_cert"),
        proxy: on_command_line(&matches, "proxy"),
        rate: on_command_line(&matches, "rate"),
    };
    if let Command::Lead(LeadCommand::Update(update)) = &mut cli.command
        && let Some(("lead", lead)) = matches.subcommand()
        && let Some(("update", given)) = lead.subcommand()
    {
        for field in patch_fields() {
            if let Some(value) = given.get_one::<String>(&field.name) {
                update.fields.push((field.clone(), value.clone()));
            }
        }
    }
    Ok(cli)
}

#[cfg(test)]
mod tests;
