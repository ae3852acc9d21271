"""Print each table of the demo's DuckDB file with its row count, next to what the tap sent.

Exits non-zero when a table is missing, empty, or holds a different number of rows than
the tap's ``record_count`` metrics say it synced.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import duckdb

METRIC = re.compile(r"METRIC: (\{.*\})")


def synced_counts(tap_log: Path) -> dict[str, int]:
    """Records per stream, from the tap's ``record_count`` metric lines."""
    counts: dict[str, int] = {}
    for line in tap_log.read_text().splitlines():
        if match := METRIC.search(line):
            metric = json.loads(match.group(1))
            if metric["metric"] == "record_count":
                stream = metric["tags"]["stream"]
                counts[stream] = counts.get(stream, 0) + int(metric["value"])
    return counts


def table_counts(path: str, schema: str) -> dict[str, int]:
    """Rows per table in ``schema`` of the DuckDB file."""
    with duckdb.connect(path, read_only=True) as connection:
        tables = connection.execute(
            "select table_catalog, table_name from information_schema.tables "
            "where table_schema = ? order by table_name",
            [schema],
        ).fetchall()
        return {
            table: connection.execute(
                f'select count(*) from "{catalog}"."{schema}"."{table}"'
            ).fetchone()[0]
            for catalog, table in tables
        }


def main(path: str, tap_log: str, schema: str = "activecampaign") -> int:
    """Print the comparison; return the process exit code."""
    loaded = table_counts(path, schema)
    synced = synced_counts(Path(tap_log))
    width = max(map(len, synced | loaded), default=5)
    print(f"\n{'table'.ljust(width)}  {'rows':>6}  {'synced':>6}")
    problems = 0
    for table in sorted(synced | loaded):
        rows, sent = loaded.get(table), synced.get(table)
        flag = "" if rows and rows == sent else "  <-- mismatch"
        problems += bool(flag)
        print(f"{table.ljust(width)}  {rows if rows is not None else '-':>6}  {sent or 0:>6}{flag}")
    print(f"\n{len(loaded)} tables in {path} (schema {schema})")
    return 1 if problems or not loaded else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
