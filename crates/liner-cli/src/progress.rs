//! Progress bars on stderr, only when stderr is a terminal: piped or
//! redirected, a command prints its summary and nothing else.

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A bar counting `unit`s, its length unknown until [`ProgressBar::set_length`];
/// hidden when stderr is not a terminal, with `--quiet`, and with
/// `--verbose` or `LINER_LOG`, whose lines a bar would garble.
pub fn bar(unit: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal()
        || crate::notes::quiet()
        || crate::notes::verbosity() > 0
        || crate::notes::logging()
    {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template(&format!(
        "{{spinner}} [{{elapsed_precise}}] {{wide_bar}} {{human_pos}}/{{human_len}} {unit} \
         ({{per_sec}}, ETA {{eta}})"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    let bar = ProgressBar::new(0).with_style(style);
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
