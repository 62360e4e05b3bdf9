#!/usr/bin/env bash
# schemathesis, a property-based tester nobody on this project wrote, against
# liner-fake: it generates valid and invalid requests from spec/liner.yaml and
# checks every answer against the spec (status codes, content types, schemas,
# that invalid input is refused and valid input accepted, the Allow header of
# a 405, ...), then follows the spec's `links` in its stateful phase.
# Any failure fails this script. Settings: schemathesis.toml.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

venv="$work/venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/tests/contract/requirements.txt"
fi
"$venv/bin/schemathesis" --version

cargo build --locked --quiet -p liner-fake --features cli --bin liner-fake
export LINER_API_KEY=test-key
cd "$work"  # schemathesis keeps its cache in ./.schemathesis

run() {
  "$venv/bin/schemathesis" --config-file "$root/tests/contract/schemathesis.toml" \
    run "$root/spec/liner.yaml" --url "$FAKE_URL" --no-color "$@"
}

start_fake schemathesis --leads 1000 --calls 1000 --seed 7
run

# The stateful phase starts its scenarios from listLeads when it can, and then
# never calls createLead (it takes createLead's orderId and statusId for
# references to resources nothing produces), so the links from createLead are
# not followed above. A second, short stateful run without listLeads starts
# from createLead and follows them.
start_fake schemathesis-create --leads 100 --calls 100 --seed 8
run --phases stateful --max-examples 50 --exclude-operation-id listLeads
