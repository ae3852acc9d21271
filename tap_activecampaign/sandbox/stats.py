"""Counters and a bounded request log of ``/api/3`` traffic, for tests to assert on."""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Sequence
from typing import Any

RESET = "reset"


class Stats:
    """Thread-safe request accounting; control endpoints are not counted."""

    def __init__(self, log_size: int = 10_000) -> None:
        """Start with empty counters and a log keeping the last ``log_size`` requests.

        Each log entry has ``at``, the seconds since the server started when the request
        arrived, and ``fault``, the kind of fault injected into it (or None).
        """
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._log: deque[dict[str, Any]] = deque(maxlen=log_size)
        self.reset()

    def reset(self) -> None:
        """Zero the counters and clear the log."""
        with self._lock:
            self._requests = 0
            self._by_status: Counter[str] = Counter()
            self._by_resource: Counter[str] = Counter()
            self._rate_limited = 0
            self._faults = 0
            self._first_at: float | None = None
            self._last_at: float | None = None
            self._log.clear()

    def record(
        self,
        path: str,
        resource: str,
        pairs: Sequence[tuple[str, str]],
        status: int | str,
        *,
        rate_limited: bool = False,
        fault: str | None = None,
        arrived: float | None = None,
    ) -> None:
        """Count one answered (or deliberately dropped) API request."""
        params: dict[str, Any] = {}
        for key, value in pairs:
            if key in params:
                previous = params[key]
                params[key] = (
                    [*previous, value] if isinstance(previous, list) else [previous, value]
                )
            else:
                params[key] = value
        now = time.time()
        with self._lock:
            if self._first_at is None:
                self._first_at = now
            self._last_at = now
            self._requests += 1
            self._by_status[str(status)] += 1
            self._by_resource[resource] += 1
            self._rate_limited += int(rate_limited)
            self._faults += int(fault is not None)
            at = round((arrived or time.monotonic()) - self._started, 3)
            entry = {"path": path, "params": params, "status": status, "at": at, "fault": fault}
            self._log.append(entry)

    def snapshot(self) -> dict[str, Any]:
        """Return the counters as JSON-ready data."""
        with self._lock:
            return {
                "requests": self._requests,
                "by_status": dict(self._by_status),
                "by_resource": dict(self._by_resource),
                "rate_limited": self._rate_limited,
                "faults_injected": self._faults,
                "first_request_at": self._first_at,
                "last_request_at": self._last_at,
            }

    def requests(self) -> list[dict[str, Any]]:
        """Return the logged requests, oldest first."""
        with self._lock:
            return list(self._log)
