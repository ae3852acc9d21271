#!/usr/bin/env bash
# The demo: install the tap, start the sandbox API, sync every table into a local DuckDB
# file, and print the tables with their row counts. Needs only Python 3.10+ and PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv-demo
CONTACTS=${SANDBOX_CONTACTS:-5000}
OUT=output
KEY=sandbox-demo-key

fail() {
  echo "demo failed: $1" >&2
  for log in "$OUT"/sandbox.log "$OUT"/tap.log "$OUT"/target.log; do
    [ -s "$log" ] && { echo "--- last lines of $log" >&2; tail -n 5 "$log" >&2; }
  done
  exit 1
}

echo "==> Installing tap-activecampaign and target-duckdb into $VENV"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[demo]' \
  || fail "pip could not install the project"

mkdir -p "$OUT"
rm -f "$OUT/activecampaign.duckdb" "$OUT"/*.log
PORT=${SANDBOX_PORT:-$("$VENV/bin/python" -c \
  "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")}

echo "==> Starting the sandbox API on port $PORT with $CONTACTS contacts"
"$VENV/bin/tap-activecampaign-sandbox" --port "$PORT" --contacts "$CONTACTS" --api-key "$KEY" \
  2> "$OUT/sandbox.log" &
SANDBOX_PID=$!
trap 'kill $SANDBOX_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "listening" "$OUT/sandbox.log" 2>/dev/null && break
  kill -0 "$SANDBOX_PID" 2>/dev/null || fail "the sandbox did not start (is port $PORT free?)"
  sleep 0.1
done

cat > "$OUT/tap-config.json" <<JSON
{"api_url": "http://127.0.0.1:$PORT", "api_key": "$KEY"}
JSON
cat > "$OUT/target-config.json" <<JSON
{"filepath": "$OUT/activecampaign.duckdb", "default_target_schema": "activecampaign"}
JSON

echo "==> tap-activecampaign | target-duckdb (logs in $OUT/tap.log and $OUT/target.log)"
"$VENV/bin/tap-activecampaign" --config "$OUT/tap-config.json" 2> "$OUT/tap.log" \
  | "$VENV/bin/target-duckdb" --config "$OUT/target-config.json" \
    > "$OUT/target-state.jsonl" 2> "$OUT/target.log" \
  || fail "the sync did not finish"

"$VENV/bin/python" scripts/show_tables.py "$OUT/activecampaign.duckdb" "$OUT/tap.log" \
  || fail "the tables in DuckDB do not match what the tap sent"
