#!/usr/bin/env bash
# The quickstart against 20 seeded `prism mock --dynamic` servers: random
# answers, every one of which the spec allows (or so Prism means them to be).
# The client must never fail to decode a body the spec allows. Each run
# either completes, or ends with a typed error that the spec's own data
# explains (a generated `success: false`, a `next` that does not move
# forward, ...). To tell a body the spec allows from one the mock got wrong,
# the quickstart goes through Prism's validating proxy in front of the mock:
# a decoding error with no violation logged by the proxy fails this script.
#
# Usage: bash tests/contract/prism-mock.sh [FIRST_SEED [RUNS]]   (default 1 20)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

first=${1:-1}
count=${2:-20}
cargo build --locked --quiet -p liner --example quickstart

completed=0
explained=0
mock_errors=0
failed=0
for seed in $(seq "$first" $((first + count - 1))); do
  name="prism-mock-$seed"
  start_prism "$name" mock "$root/spec/liner.yaml" --dynamic --seed "$seed"
  mock=$PRISM_URL
  start_prism "$name-proxy" proxy "$root/spec/liner.yaml" "$mock"
  out="$work/$name.quickstart.log"
  if LINER_BASE_URL="$PRISM_URL" LINER_API_KEY=test-key LINER_EXAMPLES_WRITE=1 timeout 120 \
    "$root/target/debug/examples/quickstart" >"$out" 2>&1; then
    completed=$((completed + 1))
    echo "seed $seed: completed"
  else
    last=$(tail -n 1 "$out")
    if [[ $last == *"cannot decode"* ]]; then
      if grep -q 'Violation:' "$work/$name-proxy.prism.log"; then
        mock_errors=$((mock_errors + 1))
        echo "seed $seed: the mock sent a body the spec does not allow (Prism's proxy says so): $last"
      else
        failed=$((failed + 1))
        echo "seed $seed: FAILED, a decoding error on a body the spec allows: $last"
      fi
    else
      explained=$((explained + 1))
      echo "seed $seed: a typed error the spec's data explains: $last"
    fi
  fi
  # Stop this seed's two Prisms before the next seed starts its own.
  kill "${pids[-1]}" "${pids[-2]}" 2>/dev/null || true
  wait "${pids[-1]}" "${pids[-2]}" 2>/dev/null || true
  unset 'pids[-1]' 'pids[-1]'
done
echo "$count runs: $completed completed, $explained ended with a typed error the data explains, $mock_errors on mock bodies outside the spec, $failed failed"
[ "$failed" -eq 0 ]
