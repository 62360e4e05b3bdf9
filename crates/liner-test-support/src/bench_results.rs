//! The results files of the workspace's benchmarks: a bench run with
//! `-- --write-results` replaces the "latest run" section of its crate's
//! `benches/RESULTS.md` with its table, dated, with the machine and the
//! command.

const BEGIN: &str = "<!-- bench:latest:begin -->";
const END: &str = "<!-- bench:latest:end -->";

/// Replaces the section between the markers of the file at `path` with
/// `table`, measured on this machine now by `command`.
///
/// # Panics
///
/// When the file cannot be read or written, or has no markers: a bench's
/// results file is part of the repository.
pub fn write_latest(path: &str, command: &str, table: &str) {
    let text = std::fs::read_to_string(path).expect("the results file is readable");
    let (Some(begin), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        panic!("{path} has no {BEGIN} ... {END} section");
    };
    let now = jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M UTC");
    let section = format!(
        "{BEGIN}\n\nRun on {now}, {}, with `{command}`:\n\n{table}\n{END}",
        machine()
    );
    let updated = format!("{}{section}{}", &text[..begin], &text[end + END.len()..]);
    std::fs::write(path, updated).expect("the results file is writable");
    println!("\nwrote the table into {path}");
}

/// The CPU model and the cores available (Linux's `/proc/cpuinfo`).
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|line| {
                line.strip_prefix("model name")
                    .map(|model| model.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    format!("{cpu}, {cores} cores available")
}
