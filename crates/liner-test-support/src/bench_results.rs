//! The results files of the workspace's benchmarks: a bench run with
//! `-- --write-results` replaces the "latest run" section of its crate's
//! `benches/RESULTS.md` with its table, dated, with the machine and the
//! command.

const BEGIN: &str = "<!-- bench:latest:begin -->";
const END: &str = "<!-- bench:latest:end -->";

/// Prints `rows` as a bench's table and, when the bench was run with
/// `-- --write-results` (`args`), records it with [`write_latest`].
pub fn report(
    rows: &[String],
    args: &[String],
    manifest_dir: &str,
    package: &str,
    bench: &str,
    picked: &[&str],
) {
    let mut table = String::from(
        "| measure | subject | baseline | ratio | goal |\n| --- | --- | --- | --- | --- |\n",
    );
    for row in rows {
        table.push_str(row);
        table.push('\n');
    }
    println!();
    print!("{table}");
    if args.iter().any(|arg| arg == "--write-results") {
        write_latest(manifest_dir, package, bench, picked, &table);
    }
}

/// Replaces the section between the markers of `benches/RESULTS.md` in
/// the crate at `manifest_dir` (package `package`) with `table`, measured
/// on this machine now by `cargo bench -p <package> --bench <bench>` with
/// the measures `picked` (none: all of them).
///
/// # Panics
///
/// When the file cannot be read or written, or has no markers: a bench's
/// results file is part of the repository.
pub fn write_latest(manifest_dir: &str, package: &str, bench: &str, picked: &[&str], table: &str) {
    let path = format!("{manifest_dir}/benches/RESULTS.md");
    let mut command = format!("cargo bench -p {package} --bench {bench}");
    if !picked.is_empty() {
        command.push_str(" -- ");
        command.push_str(&picked.join(" "));
    }
    let path = path.as_str();
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
