//! The texts `--help` shows after the flags: where the key comes from, and
//! examples for every command.

pub(super) const AFTER_HELP: &str = "\
Configuration:
  LINER_BASE_URL      the API's base URL (or --base-url)
  LINER_API_KEY       the API key (or --api-key-file, LINER_API_KEY_FILE). There is no
                      --api-key flag: a key on the command line shows in `ps` and in shell
                      history.
  LINER_PROFILE       a profile of the config file (or --profile): base URL and key of one
                      Liner account (see the README)
  --fake              no account needed: every command runs against a fake Liner server
                      started in-process (a fresh one each time; `liner demo` keeps one up)

Examples:
  liner --fake leads export --output leads.xlsx
  liner --profile moscow leads import leads.csv
  liner completions bash > ~/.local/share/bash-completion/completions/liner
";

pub(super) const LEADS_EXAMPLES: &str = "\
Examples:
  liner leads export --output leads.xlsx
  liner leads import leads.csv
";

pub(super) const LEAD_EXAMPLES: &str = "\
Examples:
  liner lead get 5
  liner lead update 5 --status-id 12
";

pub(super) const EXPORT_EXAMPLES: &str = "\
Examples:
  liner leads export --output leads.jsonl
  liner leads export --order-id 202 --created-from 2024-01-01T00:00:00Z --output leads.csv
  liner leads export --excel --output leads.csv     # opens in Excel in a Russian locale
  liner leads export --output leads.xlsx
  liner leads export | jq -r .phone
";

pub(super) const IMPORT_EXAMPLES: &str = "\
Examples:
  liner leads import leads.csv                       # resumable: run it again after a failure
  liner leads import leads.csv --dry-run             # what would be sent, sending nothing
  liner leads import leads.xlsx --sheet Лиды
  liner leads import leads.csv --domestic-8-as-7     # 8 900 111-22-33 as +7
  cat leads.csv | liner leads import - --format csv --journal leads.journal
";

pub(super) const LEAD_GET_EXAMPLES: &str = "\
Examples:
  liner lead get 5
  liner lead get 5 | jq .phone
";

pub(super) const LEAD_UPDATE_EXAMPLES: &str = "\
Examples:
  liner lead update 5 --status-id 12
  liner lead update 5 --name 'Анна Петрова' --phone +79001112233
  liner lead update 5 --custom-values '{\"10\": \"hot\"}'
";

pub(super) const CALL_GET_EXAMPLES: &str = "\
Examples:
  liner call get 7
";

pub(super) const DEMO_EXAMPLES: &str = "\
Examples:
  liner demo --port 8080 &
  LINER_BASE_URL=http://127.0.0.1:8080 LINER_API_KEY=demo-key liner lead get 1
";

pub(super) const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  liner completions bash > ~/.local/share/bash-completion/completions/liner
  liner completions zsh > ~/.zfunc/_liner        # with fpath+=~/.zfunc in ~/.zshrc
  liner completions fish > ~/.config/fish/completions/liner.fish
  liner completions powershell >> $PROFILE
";
