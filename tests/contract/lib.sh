# Helpers shared by the contract scripts in this folder (sourced, not run).
# Every process a script starts is stopped when it exits, whatever happens.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work="$root/target/contract"
mkdir -p "$work"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# wait_for FILE PATTERN SECONDS: waits until FILE has a line matching PATTERN.
wait_for() {
  local file=$1 pattern=$2 seconds=$3 waited=0
  until grep -qs -- "$pattern" "$file"; do
    sleep 0.1
    waited=$((waited + 1))
    if [ "$waited" -ge $((seconds * 10)) ]; then
      echo "!!! nothing matched '$pattern' in $file after ${seconds}s:" >&2
      cat "$file" >&2 || true
      return 1
    fi
  done
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_fake NAME [liner-fake options]: starts target/debug/liner-fake on a
# free port and sets FAKE_URL. Its stderr goes to $work/NAME.fake.log.
start_fake() {
  local name=$1
  shift
  local out="$work/$name.fake.url"
  : >"$out"
  "$root/target/debug/liner-fake" --port 0 "$@" >"$out" 2>"$work/$name.fake.log" &
  pids+=($!)
  wait_for "$out" '^http://' 10
  FAKE_URL=$(head -n 1 "$out")
}

# start_prism NAME prism-arguments...: starts Prism (pinned in .ci/lint) on a
# free port and sets PRISM_URL. Its log is $work/NAME.prism.log.
start_prism() {
  local name=$1
  shift
  local port
  port=$(free_port)
  local log="$work/$name.prism.log"
  "$root/.ci/lint/node_modules/.bin/prism" "$@" --host 127.0.0.1 --port "$port" >"$log" 2>&1 &
  pids+=($!)
  wait_for "$log" 'Prism is listening' 60
  PRISM_URL="http://127.0.0.1:$port"
}
