#!/usr/bin/env bash
# Mutation check: each mutation below turns off one guarded branch of the
# code, and some test must then fail. A mutation every test survives means
# the branch is untested, whatever the test names say.
#
#   bash tests/mutations.sh
#   MUTATIONS_MATCHING='import|tls' bash tests/mutations.sh   # names or files matching a regex
#
# It works on a copy of the working tree with a target directory of its own
# (never the workspace's: cargo's artifact names do not depend on the path),
# so the tree is never left mutated. Not part of .ci/run: it builds the
# workspace once more and runs the tests once per mutation (about 10 minutes
# on 2 cores). Exit status: non-zero when a mutation survives.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/liner-mutations.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Tracked and untracked-but-not-ignored files: the tree as it is, not as
# committed.
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
  xargs -0 cp --parents -t "$work")
export CARGO_TARGET_DIR="$work/target"
export CARGO_TERM_COLOR=never
# A mismatching snapshot must fail, not be written.
export INSTA_UPDATE=no
cd "$work"

survived=0

# mutate NAME FILE FROM TO -- TEST COMMAND...: replaces the one occurrence
# of FROM in FILE with TO, runs the test command (which must fail), and
# restores the file.
mutate() {
  local name=$1 file=$2 from=$3 to=$4
  shift 5
  if [ -n "${MUTATIONS_MATCHING:-}" ] && [[ ! "$name $file" =~ $MUTATIONS_MATCHING ]]; then
    return
  fi
  cp "$file" "$file.orig"
  python3 - "$file" "$from" "$to" <<'EOF'
import sys
path, old, new = sys.argv[1:4]
text = open(path).read()
count = text.count(old)
if count != 1:
    sys.exit(f"mutation target found {count} times in {path}: {old!r}")
open(path, "w").write(text.replace(old, new))
EOF
  # A mutation that makes a test hang (a loop it should end) is caught
  # by the time limit: 124 is a failure like any other.
  if timeout 900 "$@" >"$work/last.log" 2>&1; then
    echo "SURVIVED  $name  ($*)"
    survived=$((survived + 1))
  else
    local failed
    # A test killed by a signal prints no FAILED line: grep may find none.
    failed=$({ grep -E '^test .* FAILED$|^    [a-z0-9_:]+$' "$work/last.log" || true; } | sed 's/^test //; s/ \.\.\. FAILED$//; s/^ *//' | sort -u | tr '\n' ' ')
    echo "caught    $name  by: ${failed:-a build or test failure (see the command)}"
  fi
  mv "$file.orig" "$file"
}

echo "building the copy in $work (tests included)..."
cargo test --workspace --all-features --no-run --quiet

mutate "a create is never retried, even after a refused connection" \
  crates/liner/src/retry.rs \
  "Effect::Create => error.is_connect()," \
  "Effect::Create => false," \
  -- sh -c "cargo test -q -p liner --lib retry:: && cargo test -q -p liner --test integration reliability::a_create_refused"

mutate "strict mode off (an inconsistency only warns)" \
  crates/liner/src/list/pager.rs \
  "if self.source.strict {" \
  "if false {" \
  -- cargo test -q -p liner --all-features --test inconsistent_pages --test integration

mutate "a short page before the end goes unnoticed" \
  crates/liner/src/list/pager.rs \
  "if !position.at_end && (position.served as u64) < self.source.page_size {" \
  "if false {" \
  -- cargo test -q -p liner --test inconsistent_pages

mutate "a next other than the page's end goes unnoticed" \
  crates/liner/src/list/pager.rs \
  "Some(next) if !position.at_end && next != position.end => Some(format!(" \
  "Some(next) if false => Some(format!(" \
  -- cargo test -q -p liner --test inconsistent_pages

mutate "the snippet is cut inside a character" \
  crates/liner/src/error.rs \
  "        while !text.is_char_boundary(end) {
            end -= 1;
        }" \
  "" \
  -- cargo test -q -p liner --lib error::

mutate "a character cut in half stays as U+FFFD" \
  crates/liner/src/error.rs \
  "        if text.ends_with('\u{FFFD}') {
            text.pop();
        }" \
  "" \
  -- cargo test -q -p liner --lib error::

mutate "the fake's mid-body cut cuts before the answer" \
  crates/liner-fake/src/api.rs \
  "Fault::CutMidBody => reply.cut = Some(Cut::MidBody)" \
  "Fault::CutMidBody => reply.cut = Some(Cut::BeforeAnswer)" \
  -- sh -c "cargo test -q -p liner --all-features --test integration errors::; e=\$?; cargo test -q -p liner-api --test integration fake_ && exit \$e"

mutate "the fake's mid-body cut sends the whole body" \
  crates/liner-fake/src/api.rs \
  "half.truncate(length / 2);" \
  "" \
  -- sh -c "cargo test -q -p liner --all-features --test integration errors::; e=\$?; cargo test -q -p liner-api --test integration fake_ && exit \$e"

# The import against a real server (issue 22): each fix, turned off.
import_field="cargo test -q -p liner-cli --test import_field"
mutate "the look-up bounded by the server's dates" \
  crates/liner-cli/src/import/reconcile.rs \
  ".order_ids([order_id])" \
  ".order_ids([order_id]).created_from(jiff::Timestamp::now() - jiff::SignedDuration::from_secs(600))" \
  -- $import_field no_duplicate_whatever_the_servers_clock

mutate "a lead recognised by its phone as written, not its digits" \
  crates/liner-cli/src/import/reconcile.rs \
  "phone: digits(lead.phone.as_deref()?)," \
  "phone: lead.phone.clone()?," \
  -- $import_field no_duplicate_when_leads_are_edited

mutate "every read of an order pages alike" \
  crates/liner-cli/src/import/reconcile.rs \
  "const PAGE_SIZES: [u64; 4] = [100, 97, 89, 83];" \
  "const PAGE_SIZES: [u64; 4] = [100, 100, 100, 100];" \
  -- cargo test -q -p liner-cli --bin liner reconcile::

mutate "one listing proves absence" \
  crates/liner-cli/src/import/reconcile.rs \
  "    if absent.is_empty() {
        return (verdicts, None);" \
  "    if true {
        return (verdicts, None);" \
  -- cargo test -q -p liner-cli --bin liner reconcile::

mutate "the settle ignores the slowest answer" \
  crates/liner-cli/src/import/look_up.rs \
  "settle.max(slowest.saturating_mul(2))" \
  "settle" \
  -- cargo test -q -p liner-cli --bin liner import::look_up::tests::

mutate "a lead made another way may be a row's" \
  crates/liner-cli/src/import/reconcile.rs \
  "            && !made_otherwise" \
  "" \
  -- $import_field a_lead_made_by_someone_else

mutate "no baseline before the first create of an order" \
  crates/liner-cli/src/import/mod.rs \
  "if self.args.no_reconcile || recorded.is_baselined(order) || attempted.contains(&order)" \
  "if true" \
  -- $import_field rows_already_on_the_server

mutate "rows of one identity decided one by one" \
  crates/liner-cli/src/import/reconcile.rs \
  "} else if found.len() == group.len() {" \
  "} else if !found.is_empty() {" \
  -- $import_field rows_that_cannot_be_told_apart

mutate "an unreachable server never stops the import" \
  crates/liner-cli/src/import/stop.rs \
  "if self.connect_failures.fetch_add(1, Ordering::SeqCst) + 1 >= UNREACHABLE_AFTER {" \
  "if false {" \
  -- $import_field a_server_that_cannot_be_reached

mutate "--settle unbounded" \
  crates/liner-cli/src/cli.rs \
  "value_parser = clap::value_parser!(u64).range(0..=86_400))]" \
  ")]" \
  -- $import_field settle_is_bounded

mutate "an unsent after an unknown makes the row new" \
  crates/liner-cli/src/import/journal/format.rs \
  "                } => Self::Unknown { reason }," \
  "                } => Self::New," \
  -- cargo test -q -p liner-cli --bin liner journal::

mutate "lines a power cut zeroed are read as entries" \
  crates/liner-cli/src/import/journal/replay.rs \
  "if line.contains('\\0') {" \
  "if false {" \
  -- cargo test -q -p liner-cli --bin liner journal::

mutate "the journal appends without syncing" \
  crates/liner-cli/src/import/journal.rs \
  ".and_then(|()| sink.sync())" \
  "" \
  -- cargo test -q -p liner-cli --bin liner journal::

mutate "the journal's lock goes with its writer" \
  crates/liner-cli/src/import/journal.rs \
  "                _lock: lock," \
  "                _lock: { drop(lock); File::open(path).map_err(|err| failed(\"reopen\", err))? }," \
  -- cargo test -q -p liner-cli --bin liner journal::

mutate "a failure envelope at 200 is unknown" \
  crates/liner-cli/src/import/send.rs \
  "Error::Api { status, .. } if !status.is_server_error() => Event::Refused" \
  "Error::Api { status, .. } if status.is_client_error() => Event::Refused" \
  -- cargo test -q -p liner-cli --bin liner send::

mutate "a redirect after a create is refused" \
  crates/liner-cli/src/import/send.rs \
  "        Error::InvalidInput { .. } => Event::Refused { message: text }," \
  "        Error::InvalidInput { .. } | Error::Redirect { .. } => Event::Refused { message: text }," \
  -- cargo test -q -p liner-cli --bin liner send::

# HTTPS (issue 23).
mutate "a certificate failure is a plain connection failure (and retried)" \
  crates/liner/src/transport/attempt.rs \
  "} else if let Some(problem) = crate::cause::tls_problem(&source) {" \
  "} else if let Some(problem) = None::<&'static str> {" \
  -- cargo test -q -p liner --test integration tls::certificate_failures

mutate "a refusing proxy is a plain connection failure" \
  crates/liner/src/transport/attempt.rs \
  "} else if crate::cause::proxy_refused(&source) {" \
  "} else if false {" \
  -- cargo test -q -p liner --test integration tls::a_proxy_that_refuses

mutate "a cause printed again though the line holds it" \
  crates/liner-cli/src/exit.rs \
  "if !text.is_empty() && !message.contains(&text) {" \
  "if !text.is_empty() {" \
  -- cargo test -q -p liner-cli --bin liner exit::

# The transport's corners (issue 26).
mutate "502 and 504 are not retried" \
  crates/liner/src/cause.rs \
  "            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT" \
  "            | StatusCode::SERVICE_UNAVAILABLE" \
  -- cargo test -q -p liner --test integration errors::gateway_failures

mutate "the key header is not marked sensitive" \
  crates/liner/src/transport.rs \
  "        key.set_sensitive(true);" \
  "" \
  -- cargo test -q -p liner --lib transport::

mutate "a body buffer reserves what the server announces" \
  crates/liner/src/transport/body.rs \
  "announced.unwrap_or(0).min(limit).min(RESERVED_AHEAD) as usize" \
  "announced.unwrap_or(0).min(limit) as usize" \
  -- cargo test -q -p liner --lib transport::

mutate "the deadline does not bound retries" \
  crates/liner/src/retry.rs \
  "        self.deadline = Some(deadline);" \
  "        let _ = deadline;" \
  -- cargo test -q -p liner --test integration hostile::a_deadline_ends

mutate "an undecodable lead counts as new" \
  crates/liner/src/list/pager.rs \
  "!page.items.is_empty() || page.undecodable.iter().any(|bad| bad.id.is_some());" \
  "!page.items.is_empty() || !page.undecodable.is_empty();" \
  -- cargo test -q -p liner --test integration hostile::undecodable_leads

# The export's atomic output and the signals (issue 26).
mutate "the signals are listened for only once awaited" \
  crates/liner-cli/src/main.rs \
  "    if let Err(err) = runtime.block_on(async { interrupt::install() }) {" \
  "    if let Err(err) = Ok::<(), std::io::Error>(()) {" \
  -- cargo test -q -p liner-cli --test export_atomic

mutate "SIGTERM reported as Ctrl-C" \
  crates/liner-cli/src/interrupt.rs \
  "Some(()) = terminate.recv() => Stop::Terminate," \
  "Some(()) = terminate.recv() => Stop::Interrupt," \
  -- cargo test -q -p liner-cli --test export_atomic

mutate "an export that fails after a page commits what it has" \
  crates/liner-cli/src/export.rs \
  "    let report = report?;" \
  "    let report = report.unwrap_or_default();" \
  -- cargo test -q -p liner-cli --test export_atomic

mutate "a stop during the commit is swallowed" \
  crates/liner-cli/src/export.rs \
  "    if let Some(stop) = crate::interrupt::pending() {" \
  "    if let Some(stop) = None::<crate::interrupt::Stop> {" \
  -- cargo test -q -p liner-cli --test export_atomic

mutate "the directory is not synced after the rename" \
  crates/liner-cli/src/output.rs \
  "                sync_directory(directory_of(&path))" \
  "                Ok(())" \
  -- cargo test -q -p liner-cli --bin liner output::

# The files operators have (issue 24).
import_files="cargo test -q -p liner-cli --test import_files"
mutate "the delimiter is always a comma" \
  crates/liner-cli/src/import/source.rs \
  "        if names > best.0 {" \
  "        if names > usize::MAX - 1 {" \
  -- $import_files a_csv_from_excel

mutate "a file that is not UTF-8 is refused" \
  crates/liner-cli/src/import/source.rs \
  "        (Some(Encoding::Utf8), Err(err)) => Err(format!(" \
  "        (Some(Encoding::Utf8) | None, Err(err)) => Err(format!(" \
  -- sh -c "cargo test -q -p liner-cli --bin liner source:: && $import_files a_csv_from_excel"

mutate "phones are not tidied" \
  crates/liner-cli/src/import/phones.rs \
  ".filter(|c| !matches!(c, ' ' | '\u{a0}' | '-' | '.' | '(' | ')'))" \
  ".filter(|_| true)" \
  -- $import_files a_csv_from_excel

mutate "a domestic 8 is sent as it is" \
  crates/liner-cli/src/import/phones.rs \
  "        if digits && clean.starts_with('8') {" \
  "        if digits && clean.starts_with('8') && domestic_8_as_7 {" \
  -- $import_files domestic_and_invalid_phones

# Files out, profiles and conventions (issue 24).
mutate "--excel writes no byte-order mark" \
  crates/liner-cli/src/export.rs \
  '                    out.write_all("\u{feff}".as_bytes())?;' \
  "" \
  -- cargo test -q -p liner-cli --test files_round_trip excel

mutate "a workbook's numbers written as text" \
  crates/liner-cli/src/xlsx.rs \
  "            Some(float) => sheet.write_number(row, col, float)," \
  "            Some(float) => sheet.write_string(row, col, float.to_string())," \
  -- cargo test -q -p liner-cli --test files_round_trip every_cell

mutate "the environment wins over the profile" \
  crates/liner-cli/src/client.rs \
  "        if given { flag } else { from_profile.or(flag) }" \
  "        if given { flag.clone() } else { flag.or(from_profile) }" \
  -- cargo test -q -p liner-cli --test conventions profile

mutate "a key in a config file others can read is used" \
  crates/liner-cli/src/profile.rs \
  "        if mode & 0o077 != 0 {" \
  "        if mode & 0o077 == 0o777 {" \
  -- cargo test -q -p liner-cli --test conventions readable_config

mutate "demo takes the connection flags" \
  crates/liner-cli/src/cli.rs \
  "        && LOCAL_COMMANDS.contains(&local)" \
  "        && LOCAL_COMMANDS.contains(&\"none\")" \
  -- cargo test -q -p liner-cli --test conventions local_commands

# Slowing down together (issue 25).
mutate "a 429 pauses only its own request" \
  crates/liner/src/transport/throttle.rs \
  "            *paused = Some(until);" \
  "            let _ = until;" \
  -- cargo test -q -p liner --test integration slowing_down::a_429_pauses

mutate "the retry budget is never spent" \
  crates/liner/src/transport.rs \
  "            if !self.shared.throttle.take(cost) {" \
  "            if !self.shared.throttle.take(0) {" \
  -- cargo test -q -p liner --test integration slowing_down::the_retry_budget

mutate "the rate limit never spaces requests" \
  crates/liner/src/transport/throttle.rs \
  "        *next = Some(at + interval);" \
  "        *next = Some(at);" \
  -- cargo test -q -p liner --test integration slowing_down::a_rate_limit

mutate "a rate-limit slot past the deadline is waited for" \
  crates/liner/src/transport/throttle.rs \
  "        if within.is_some_and(|left| wait > left) {" \
  "        if false {" \
  -- cargo test -q -p liner --test integration slowing_down::a_slot_past

mutate "leads import --adaptive is ignored" \
  crates/liner-cli/src/import/send.rs \
  "        let adaptive = self
            .args
            .adaptive
            .then(" \
  "        let adaptive = false
            .then(" \
  -- cargo test -q -p liner-cli --test import_adaptive adaptive_creates_start

mutate "the status label is another status" \
  crates/liner/src/meters.rs \
  "            let at = usize::from(status - 100) * 3;" \
  "            let at = usize::from(status - 99) * 3;" \
  -- cargo test -q -p liner --features metrics --lib meters

mutate "leads import sends a block the first pass did not check" \
  crates/liner-cli/src/import/mod.rs \
  "            if survey::Digest::of(&block) != expected {" \
  "            if false && survey::Digest::of(&block) != expected {" \
  -- cargo test -q -p liner-cli --test import_passes a_file_changed

mutate "leads import leaves a row decided last out of the ids file" \
  crates/liner-cli/src/import/summary.rs \
  "            ids.later.insert(place, ids_line(line, outcome));" \
  "            let _ = (place, line);" \
  -- cargo test -q -p liner-cli --test import_passes outcomes_decided_last

if [ "$survived" -gt 0 ]; then
  echo "$survived mutation(s) survived: those branches are untested"
  exit 1
fi
echo "every mutation was caught"
