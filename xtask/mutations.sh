#!/usr/bin/env bash
# Mutation check: each mutation below turns off one guarded branch of the
# code, and some test must then fail. A mutation every test survives means
# the branch is untested, whatever the test names say.
#
#   bash xtask/mutations.sh
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
  if "$@" >"$work/last.log" 2>&1; then
    echo "SURVIVED  $name  ($*)"
    survived=$((survived + 1))
  else
    local failed
    failed=$(grep -E '^test .* FAILED$|^    [a-z_:]+$' "$work/last.log" | sed 's/^test //; s/ \.\.\. FAILED$//; s/^ *//' | sort -u | tr '\n' ' ')
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
  -- sh -c "cargo test -q -p liner --lib retry:: && cargo test -q -p liner --test reliability a_create_refused"

mutate "strict mode off (an inconsistency only warns)" \
  crates/liner/src/list/pager.rs \
  "if self.query.strict {" \
  "if false {" \
  -- cargo test -q -p liner --all-features --test inconsistent_pages --test reliability

mutate "a short page before the end goes unnoticed" \
  crates/liner/src/list/pager.rs \
  "if !position.at_end && (position.served as u64) < self.query.page_size {" \
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
  -- sh -c "cargo test -q -p liner --all-features --test errors; e=\$?; cargo test -q -p liner-api --test fake_e2e && exit \$e"

mutate "the fake's mid-body cut sends the whole body" \
  crates/liner-fake/src/api.rs \
  "half.truncate(length / 2);" \
  "" \
  -- sh -c "cargo test -q -p liner --all-features --test errors; e=\$?; cargo test -q -p liner-api --test fake_e2e && exit \$e"

if [ "$survived" -gt 0 ]; then
  echo "$survived mutation(s) survived: those branches are untested"
  exit 1
fi
echo "every mutation was caught"
