#!/usr/bin/env bash
# Memory under uploads: N concurrent uploads of a 10 MB PDF to a running portail, the server's
# peak resident memory read from /proc during them. Sourced by scripts/bench; runs alone too:
#   scripts/bench.d/memory.sh BASE_URL SERVER_PID SLUG COOKIE [UPLOADS]
# Prints "uploads: A stored, B refused (503), C other; peak RSS P MB" and sets
# upload_peak_mb, upload_stored, upload_busy, upload_other.
memory_under_uploads() {
  local base="$1" pid="$2" slug="$3" cookie="$4" uploads="${5:-20}"
  local dir
  dir=$(mktemp -d)
  # 10 MB (10^7 bytes, under the 10 MiB MAX_UPLOAD_BYTES) of a PDF.
  { printf '%%PDF-1.4\n'; head -c 9999991 /dev/zero | tr '\0' 'x'; } > "$dir/big.pdf"
  # The peak is counted from here: writing 5 to clear_refs resets VmHWM.
  echo 5 > "/proc/$pid/clear_refs" 2>/dev/null || true
  local sampled=0
  ( peak=0; while kill -0 "$pid" 2>/dev/null && [ ! -e "$dir/done" ]; do
      rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status"); [ "$rss" -gt "$peak" ] && peak=$rss
      echo "$peak" > "$dir/peak"; sleep 0.02; done ) &
  local sampler=$!
  local i pids=()
  for i in $(seq 1 "$uploads"); do
    curl -s -o /dev/null -w '%{http_code}\n' -H "Cookie: $cookie" \
      -F "name=Bench $i" -F "file=@$dir/big.pdf;type=application/pdf" \
      "$base/$slug/api/v1/documents" > "$dir/status.$i" &
    pids+=($!)
  done
  wait "${pids[@]}" || true
  touch "$dir/done"; wait "$sampler" 2>/dev/null || true
  sampled=$(cat "$dir/peak" 2>/dev/null || echo 0)
  local hwm
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  [ "$sampled" -gt "$hwm" ] && hwm=$sampled
  upload_peak_mb=$(( hwm / 1024 ))
  upload_stored=$(cat "$dir"/status.* | grep -c '^201$' || true)
  upload_busy=$(cat "$dir"/status.* | grep -c '^503$' || true)
  upload_other=$(( uploads - upload_stored - upload_busy ))
  rm -rf "$dir"
  echo "uploads: $upload_stored stored, $upload_busy refused (503), $upload_other other; peak RSS $upload_peak_mb MB"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  memory_under_uploads "$@"
fi
