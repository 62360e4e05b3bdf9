#!/usr/bin/env bash
# Prism (pinned in .ci/lint), as a validating proxy between the `liner` client
# and liner-fake with its faults on: every request and every answer that passes
# through is checked against spec/liner.yaml, faults included (429s, 500s, the
# proxy's HTML 502 and 503 pages, failures at 200). Traffic: the quickstart,
# which (writes allowed) creates, reads and updates a lead, pages through a
# filtered list, reads the first 500 leads of the list and reads a call. Any violation Prism reports fails
# this script.
#
# Faults left out: a cut connection and truncated JSON. Prism cannot pass
# either on (it answers its own 500 instead), so they would test Prism.
#
# Prism's own limit, worked around: it checks integers as JavaScript numbers
# and refuses values above 2^53 - 1 that int64 allows. The fake here serves
# only its seeded data and what the quickstart sends, all far below that.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

cargo build --locked --quiet -p liner-fake --features cli --bin liner-fake
cargo build --locked --quiet -p liner --example quickstart

quickstart() { # NAME RUN: the quickstart through Prism, writes allowed; its output in $work
  LINER_BASE_URL="$PRISM_URL" LINER_API_KEY=test-key LINER_EXAMPLES_WRITE=1 \
    "$root/target/debug/examples/quickstart" >"$work/$1.quickstart.$2.log" 2>&1
}

# 0. A configured server is read-only unless LINER_EXAMPLES_WRITE=1: the
#    quickstart run as an operator would, with LINER_BASE_URL and
#    LINER_API_KEY exported, sends no POST (Prism logs every request).
start_fake prism-read-only --leads 1000 --calls 100 --seed 3
start_prism prism-read-only proxy "$root/spec/liner.yaml" "$FAKE_URL"
if ! env -u LINER_EXAMPLES_WRITE LINER_BASE_URL="$PRISM_URL" LINER_API_KEY=test-key \
  "$root/target/debug/examples/quickstart" >"$work/prism-read-only.quickstart.log" 2>&1; then
  echo "!!! the read-only quickstart failed through Prism:" >&2
  cat "$work/prism-read-only.quickstart.log" >&2
  exit 1
fi
received() { grep -c "\[HTTP SERVER\] $1 .*Request received" "$work/prism-read-only.prism.log" || true; }
if [ "$(received post)" != 0 ] || [ "$(received get)" = 0 ]; then
  echo "!!! the quickstart without LINER_EXAMPLES_WRITE sent $(received post) POSTs ($(received get) GETs):" >&2
  grep 'Request received' "$work/prism-read-only.prism.log" >&2
  exit 1
fi
echo "ok: read-only quickstart: $(received get) GETs, no POST"

# 1. Without faults, the quickstart completes: every operation, paging and a
#    bounded read of the list, each request and answer checked.
start_fake prism-clean --leads 1000 --calls 100 --seed 3
# Without --errors Prism passes every answer on unchanged and logs each
# violation as a line "Violation: <where> <what>".
start_prism prism-clean proxy "$root/spec/liner.yaml" "$FAKE_URL"
if ! quickstart prism-clean 1; then
  echo "!!! the quickstart failed through Prism without faults:" >&2
  cat "$work/prism-clean.quickstart.1.log" >&2
  exit 1
fi

# 2. With faults: the answers the spec allows for failures pass through too.
#    A run may end early with a typed error (a create is never retried after a
#    5xx, a failure at 200 is not retried): that is the client's behaviour.
start_fake prism-faults --leads 1000 --calls 100 --seed 3 \
  --fault too-many-requests=0.04 --fault internal-error=0.04 --fault bad-gateway=0.04 \
  --fault unavailable=0.04 --fault success-false=0.04 \
  --retry-after 0
start_prism prism-faults proxy "$root/spec/liner.yaml" "$FAKE_URL"
for run in $(seq 1 12); do
  quickstart prism-faults "$run" || tail -n 1 "$work/prism-faults.quickstart.$run.log"
done

logs=("$work/prism-clean.prism.log" "$work/prism-faults.prism.log")
requests=$(cat "${logs[@]}" | grep -c 'Request received' || true)
echo "requests checked by Prism: $requests; upstream statuses:"
cat "${logs[@]}" | grep -o 'has returned [0-9]*' | sort | uniq -c
for status in 200 429 500 502 503; do
  if ! cat "${logs[@]}" | grep -q "has returned $status\$"; then
    echo "!!! no $status went through Prism; the faults did not happen" >&2
    exit 1
  fi
done
if cat "${logs[@]}" | grep -q 'Violation:'; then
  echo "!!! Prism reported violations of spec/liner.yaml:" >&2
  cat "${logs[@]}" | grep 'Violation:' >&2
  exit 1
fi
echo "ok: no violation of spec/liner.yaml in either direction"
