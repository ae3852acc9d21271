"""Progress lines a person can read while a large table syncs."""

from __future__ import annotations

import logging
import time

REPORT_EVERY_SECONDS = 10.0


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


class Progress:
    """Counts a stream's records and logs about every 10 s: count, total, %, rate, ETA."""

    def __init__(self, stream: str, logger: logging.Logger) -> None:
        """Start the clock for ``stream``."""
        self.stream = stream
        self.logger = logger
        self.records = 0
        self.total: int | None = None
        self.started = time.monotonic()
        self._next_report = self.started + REPORT_EVERY_SECONDS

    def add(self, count: int, total: int | None = None) -> None:
        """Count ``count`` more records; ``total`` is the API's ``meta.total`` if known."""
        self.records += count
        if total is not None:
            self.total = max(total, self.records)
        now = time.monotonic()
        if now >= self._next_report:
            self._next_report = now + REPORT_EVERY_SECONDS
            self.logger.info("%s", self.line(now))

    def line(self, now: float | None = None) -> str:
        """The progress sentence, e.g. ``contacts: 12,300 of 100,000 (12%), 480/s, ETA 3m02s``."""
        elapsed = max((now or time.monotonic()) - self.started, 1e-6)
        rate = self.records / elapsed
        text = f"{self.stream}: {self.records:,} records"
        if self.total:
            text += f" of {self.total:,} ({100 * self.records / self.total:.0f}%)"
        text += f", {rate:,.0f} records/s"
        if self.total and rate > 0 and self.records < self.total:
            text += f", ETA {_duration((self.total - self.records) / rate)}"
        return text

    def finish(self) -> None:
        """Log the final count and rate."""
        elapsed = time.monotonic() - self.started
        self.logger.info(
            "%s: done, %s records in %s (%.0f records/s)",
            self.stream,
            f"{self.records:,}",
            _duration(elapsed),
            self.records / max(elapsed, 1e-6),
        )
