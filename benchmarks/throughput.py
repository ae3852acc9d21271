"""Throughput benchmark: sync contacts from the sandbox and print what it cost.

Starts the sandbox API in its own process with a given latency and rate limit, runs the tap
on the contacts stream in another, and prints: requests/s achieved as a fraction of the
budget, records/s, the tap's CPU seconds per 1,000 records and share of one core, its peak
RSS, and how many 429s and failed requests it caused.

    python benchmarks/throughput.py --contacts 25000 --latency-ms 300 --rate-limit 5
    python benchmarks/throughput.py --contacts 100000 --unlimited --profile

``--unlimited`` removes latency, the sandbox's limit and the tap's budget, which shows
the tap's CPU-bound speed; ``--profile`` adds where the tap's time goes (cProfile).
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

KEY = "benchmark-key"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_sandbox(args: argparse.Namespace, port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "tap_activecampaign.sandbox.cli",
        "--port",
        str(port),
        "--contacts",
        str(args.contacts),
        "--api-key",
        KEY,
        "--seed",
        "7",
    ]
    if not args.unlimited:
        command += ["--latency-ms", str(args.latency_ms), "--rate-limit", str(args.rate_limit)]
    sandbox = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return sandbox
        except OSError:
            time.sleep(0.05)
    sandbox.kill()
    raise SystemExit("the sandbox did not start")


def contacts_catalog(workdir: Path, config_file: Path) -> Path:
    discovered = subprocess.run(
        [sys.executable, "-m", "tap_activecampaign", "--config", str(config_file), "--discover"],
        capture_output=True,
        text=True,
        check=True,
    )
    catalog = json.loads(discovered.stdout)
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if not item["breadcrumb"]:
                item["metadata"]["selected"] = entry["tap_stream_id"] == "contacts"
    path = workdir / "catalog.json"
    path.write_text(json.dumps(catalog))
    return path


@dataclass
class TapResult:
    """What one tap process did and cost."""

    records: int
    wall: float
    cpu: float
    rss_kib: int
    code: int


def run_tap(command: list[str], log: Path) -> TapResult:
    """Run the tap, counting the RECORD lines it writes, and read its resource usage."""
    started = time.monotonic()
    with log.open("w") as stderr:
        tap = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
        assert tap.stdout is not None
        records = sum(1 for line in tap.stdout if line.startswith('{"type":"RECORD"'))
        _, status, usage = os.wait4(tap.pid, 0)
    wall = time.monotonic() - started
    cpu = usage.ru_utime + usage.ru_stime
    return TapResult(records, wall, cpu, usage.ru_maxrss, os.waitstatus_to_exitcode(status))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=25_000)
    parser.add_argument("--latency-ms", type=int, default=300)
    parser.add_argument("--rate-limit", type=float, default=5.0, help="sandbox limit, req/s")
    parser.add_argument("--budget", type=float, default=5.0, help="the tap's budget, req/s")
    parser.add_argument("--unlimited", action="store_true", help="no latency, no limits")
    parser.add_argument("--profile", action="store_true", help="print a cProfile summary")
    args = parser.parse_args()

    port = free_port()
    sandbox = start_sandbox(args, port)
    api = f"http://127.0.0.1:{port}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            budget = 1_000_000 if args.unlimited else args.budget
            config = {"api_url": api, "api_key": KEY, "max_requests_per_second": budget}
            config_file = workdir / "config.json"
            config_file.write_text(json.dumps(config))
            catalog = contacts_catalog(workdir, config_file)
            requests.post(f"{api}/__sandbox/stats/reset", headers={"Api-Token": KEY}, timeout=10)
            command = [sys.executable]
            if args.profile:
                command += ["-m", "cProfile", "-o", str(workdir / "tap.prof")]
            command += [
                "-m",
                "tap_activecampaign",
                "--config",
                str(config_file),
                "--catalog",
                str(catalog),
            ]
            tap = run_tap(command, workdir / "tap.log")
            stats = requests.get(
                f"{api}/__sandbox/stats", headers={"Api-Token": KEY}, timeout=10
            ).json()
            log = requests.get(
                f"{api}/__sandbox/requests", headers={"Api-Token": KEY}, timeout=10
            ).json()["requests"]
            report(args, tap, stats, sustained_rate(log))
            if args.profile:
                print("\nWhere the tap's time goes (top 25 by own time):")
                pstats.Stats(str(workdir / "tap.prof")).sort_stats("tottime").print_stats(25)
            if tap.code != 0:
                print((workdir / "tap.log").read_text()[-3000:], file=sys.stderr)
            return tap.code
    finally:
        sandbox.terminate()
        sandbox.wait(10)


def sustained_rate(log: list[dict]) -> float:
    """Requests/s while paging: from the first page of contacts to the last.

    Leaves out the two requests a sync makes one after the other before paging starts (the
    key check and the highest-id probe), which no amount of parallelism can overlap.
    """
    pages = sorted(
        entry["at"]
        for entry in log
        if entry["path"] == "/api/3/contacts" and entry["params"].get("limit") == "100"
    )
    return (len(pages) - 1) / (pages[-1] - pages[0]) if len(pages) > 1 else float("nan")


def report(args: argparse.Namespace, tap: TapResult, stats: dict, sustained: float) -> None:
    records, wall, cpu = tap.records, tap.wall, tap.cpu
    requests_made = stats["requests"]
    span = (stats["last_request_at"] or 0) - (stats["first_request_at"] or 0)
    rate = (requests_made - 1) / span if span > 0 else float("nan")
    failed = sum(n for status, n in stats["by_status"].items() if status != "200")
    mode = (
        "unlimited (no latency, no limits)"
        if args.unlimited
        else f"latency {args.latency_ms} ms, sandbox limit {args.rate_limit:g}/s, "
        f"budget {args.budget:g}/s"
    )
    print(f"contacts: {args.contacts:,}   {mode}")
    print(f"  exit code                 {tap.code}")
    print(f"  records emitted           {records:,}")
    print(f"  requests                  {requests_made:,} in {span:.1f} s")
    for label, value in (("requests/s, whole run", rate), ("requests/s, sustained", sustained)):
        print(f"  {label:<26}{value:.2f}", end="")
        print("" if args.unlimited else f"  ({100 * value / args.budget:.1f} % of the budget)")
    print(f"  records/s (wall)          {records / wall:,.0f}   (whole run {wall:.1f} s)")
    print(f"  CPU seconds / 1k records  {1000 * cpu / max(records, 1):.3f}")
    print(f"  CPU share of one core     {100 * cpu / wall:.1f} %")
    print(f"  peak RSS                  {tap.rss_kib / 1024:.0f} MB")
    print(f"  429s provoked             {stats['rate_limited']}")
    print(f"  failed requests           {failed - stats['rate_limited']}")


if __name__ == "__main__":
    sys.exit(main())
