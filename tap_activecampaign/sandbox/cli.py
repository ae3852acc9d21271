"""``tap-activecampaign-sandbox``: run the sandbox API in the foreground until interrupted."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from tap_activecampaign.sandbox.options import META_TOTAL_MODES
from tap_activecampaign.sandbox.server import SandboxServer, require_loopback
from tap_activecampaign.sandbox.tables import BY_STREAM


def _count(text: str) -> tuple[str, int]:
    """Parse ``TABLE=N``."""
    table, sep, number = text.partition("=")
    if not sep or table not in BY_STREAM or not number.isdigit():
        names = ", ".join(BY_STREAM)
        raise argparse.ArgumentTypeError(f"expected TABLE=N with TABLE one of: {names}")
    return table, int(number)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tap-activecampaign-sandbox",
        description="Serve a seeded, ActiveCampaign-compatible API v3 on loopback.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=int, default=8800, help="port (0 = any free port)")
    parser.add_argument("--seed", type=int, default=1, help="dataset seed")
    parser.add_argument("--api-key", default="sandbox-key", help="the accepted Api-Token")
    parser.add_argument("--contacts", type=int, help="number of contacts (default 1000)")
    parser.add_argument(
        "--count", type=_count, action="append", default=[], metavar="TABLE=N",
        help="row count of a table, e.g. --count deals=5000 (repeatable)",
    )  # fmt: skip
    parser.add_argument("--latency-ms", type=float, default=0, help="delay per API request")
    parser.add_argument("--rate-limit", type=float, default=0, help="requests/s, 0 = unlimited")
    parser.add_argument("--fault-rate", type=float, default=0, help="share of transient faults")
    parser.add_argument(
        "--meta-total", choices=META_TOTAL_MODES, default="api",
        help="how lists send meta.total: as the API does (a string, an int on /deals), "
        "always a string, always an int, null, or absent",
    )  # fmt: skip
    parser.add_argument(
        "--hostile-data", action="store_true",
        help="add hostile values to every table: numbers as JSON numbers on some rows and "
        "strings on others, blank numbers, zero and impossible dates, links as [], "
        "unknown fields",
    )  # fmt: skip
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sandbox until SIGINT or SIGTERM; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        require_loopback(args.host)
    except ValueError as error:
        parser.error(str(error))

    counts = dict(args.count)
    if args.contacts is not None:
        counts["contacts"] = args.contacts
    try:
        sandbox = SandboxServer(
            seed=args.seed,
            counts=counts,
            api_key=args.api_key,
            host=args.host,
            port=args.port,
            latency_ms=args.latency_ms,
            rate_limit=args.rate_limit,
            fault_rate=args.fault_rate,
            meta_total=args.meta_total,
            hostile_data=args.hostile_data,
            verbose=args.verbose,
        )
        sandbox.start()
    except (OSError, TypeError, ValueError) as error:
        print(f"tap-activecampaign-sandbox: {error}", file=sys.stderr)
        return 1

    done = threading.Event()

    def _on_signal(_signum: int, _frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    contacts = sandbox.store.counts["contacts"]
    banner = f"ActiveCampaign sandbox listening on {sandbox.url}"
    print(f"{banner} (seed {args.seed}, {contacts} contacts)", file=sys.stderr, flush=True)
    while not done.wait(1.0):
        pass
    sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
