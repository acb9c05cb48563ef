#!/usr/bin/env bash
# The sign-in storm alone, to compare builds: for each concurrency, a fresh server of the given
# binary, wrk posting the demo guardian's sign-in (Argon2id) for SECONDS, and the server's
# resident memory from /proc: idle, peak during the storm, and one second after it.
# Runs against DATABASE_URL and REDIS_URL as they are; prepares the municipality "signins"
# with the demo families the first time.
#   scripts/bench.d/signins.sh PORTAIL_BIN [SECONDS] [CONCURRENCY...]   (default: 10 s; 10 50)
set -euo pipefail
. "$(dirname "$0")/../lib/services.sh"
. "$(dirname "$0")/../lib/accounts.sh"
cd "$ROOT"

PORTAIL="$(realpath "$1")"
SECONDS_="${2:-10}"
shift $(( $# >= 2 ? 2 : $# ))
LEVELS=("$@")
[ ${#LEVELS[@]} -gt 0 ] || LEVELS=(10 50)
SLUG=signins PASSWORD='Bench#Portail2026'
STATE="$(mktemp -d)"
trap 'rm -rf "$STATE"' EXIT
export RUST_LOG=warn MAIL_DIR="$STATE/mail"

kb() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$2/status"; }

serve() {
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  LISTEN_ADDR="127.0.0.1:$port" PUBLIC_URL="http://127.0.0.1:$port" "$PORTAIL" serve &
  server=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return 0; sleep 0.1; done
  echo "the server did not become ready" >&2; return 1
}

"$PORTAIL" migrate >/dev/null
if "$PORTAIL" tenant create "$SLUG" --config tenants/examples/demo.toml >/dev/null 2>&1; then
  "$PORTAIL" tenant import-families "$SLUG" tenants/examples/families.csv >/dev/null
fi
serve
create_account "http://127.0.0.1:$port" "$SLUG" paul.alain@demo.example "$PASSWORD" "$MAIL_DIR"
kill "$server"; wait "$server" 2>/dev/null || true

printf '%-11s %10s %9s %8s %9s %10s %10s\n' concurrency "sign-in/s" p99 non-2xx "idle MB" "peak MB" "after MB"
for c in "${LEVELS[@]}"; do
  serve
  idle=$(kb VmRSS "$server")
  # The peak counts from here: writing 5 to clear_refs resets VmHWM; sampled as well.
  echo 5 > "/proc/$server/clear_refs" 2>/dev/null || true; echo 0 > "$STATE/peak"
  ( peak=0; while [ ! -e "$STATE/done" ] && kill -0 "$server" 2>/dev/null; do
      rss=$(kb VmRSS "$server"); [ "$rss" -gt "$peak" ] && peak=$rss
      echo "$peak" > "$STATE/peak"; sleep 0.05; done ) &
  sampler=$!
  out=$(BENCH_SLUG="$SLUG" wrk -t1 -c"$c" -d"${SECONDS_}s" --latency -s scripts/bench.d/login.lua "http://127.0.0.1:$port")
  touch "$STATE/done"; wait "$sampler" 2>/dev/null || true; rm -f "$STATE/done"
  sleep 1
  after=$(kb VmRSS "$server")
  peak=$(kb VmHWM "$server"); sampled=$(cat "$STATE/peak")
  [ "$sampled" -gt "$peak" ] && peak=$sampled
  kill "$server"; wait "$server" 2>/dev/null || true
  printf '%-11s %10s %9s %8s %9s %10s %10s\n' "$c" \
    "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" "$(echo "$out" | awk '$1 == "99%" {print $2}')" \
    "$(echo "$out" | awk '/Non-2xx/ {print $5}' | grep . || echo 0)" \
    $(( idle / 1024 )) $(( peak / 1024 )) $(( after / 1024 ))
done
