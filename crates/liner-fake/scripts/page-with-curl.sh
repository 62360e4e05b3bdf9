#!/usr/bin/env bash
# Pages through the fake's lead list with curl, 100 at a time, following `next`.
set -euo pipefail
url=${1:?usage: page-with-curl.sh BASE_URL [API_KEY]}; key=${2:-test-key}
ids=$(mktemp); next_file=$(mktemp); trap 'rm -f "$ids" "$next_file"' EXIT
offset=0; pages=0
: > "$ids"
while :; do
  body=$(curl -sf -H "X-Api-Key: $key" "$url/v2/lead/?offset=$offset&limit=100")
  pages=$((pages+1))
  printf '%s' "$body" | python3 -c 'import json,sys; d=json.load(sys.stdin)["data"]; [print(l["id"]) for l in d["list"]]; print("NEXT", d["next"] if d["next"] is not None else "", file=sys.stderr)' >> "$ids" 2> "$next_file"
  next=$(sed 's/NEXT //' "$next_file")
  [ -z "$next" ] && break
  offset=$next
done
echo "pages=$pages ids=$(wc -l < "$ids") unique=$(sort -u "$ids" | wc -l)"
