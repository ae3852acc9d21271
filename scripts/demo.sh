#!/usr/bin/env bash
# The demo: install the tap, start the sandbox API, sync every table into a local DuckDB
# file, and print the tables with their row counts. Needs only Python 3.10+ and PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
PORT=${SANDBOX_PORT:-8800}
CONTACTS=${SANDBOX_CONTACTS:-5000}
OUT=output
KEY=sandbox-demo-key

echo "==> Installing tap-activecampaign and target-duckdb into .venv"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[demo]'

mkdir -p "$OUT"
rm -f "$OUT/activecampaign.duckdb"

echo "==> Starting the sandbox API on port $PORT with $CONTACTS contacts"
.venv/bin/tap-activecampaign-sandbox --port "$PORT" --contacts "$CONTACTS" --api-key "$KEY" 2> "$OUT/sandbox.log" &
SANDBOX_PID=$!
trap 'kill $SANDBOX_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if .venv/bin/python -c "import socket,sys; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null; then
    break
  fi
  sleep 0.1
done

cat > "$OUT/tap-config.json" <<JSON
{"api_url": "http://127.0.0.1:$PORT", "api_key": "$KEY"}
JSON
cat > "$OUT/target-config.json" <<JSON
{"filepath": "$OUT/activecampaign.duckdb", "default_target_schema": "activecampaign"}
JSON

echo "==> tap-activecampaign | target-duckdb (logs in $OUT/tap.log and $OUT/target.log)"
.venv/bin/tap-activecampaign --config "$OUT/tap-config.json" 2> "$OUT/tap.log" \
  | .venv/bin/target-duckdb --config "$OUT/target-config.json" \
    > "$OUT/target-state.jsonl" 2> "$OUT/target.log"

.venv/bin/python scripts/show_tables.py "$OUT/activecampaign.duckdb" "$OUT/tap.log"
