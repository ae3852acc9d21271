"""One request budget per ActiveCampaign account, shared by every stream of the tap.

ActiveCampaign allows 5 requests per second per account, across every integration. The
budget spaces requests evenly, a little wider than 1/rate seconds, rather than in bursts:
requests then reach the API with room for the jitter between sending and arriving, so six
never land in one second. A 429 pauses the whole budget for as long as ``Retry-After``
says, not just the request that got it.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import ClassVar

from pyrate_limiter import Limiter, Rate

logger = logging.getLogger(__name__)

MAX_PAUSE_SECONDS = 120.0
"""Longest pause a ``Retry-After`` can impose, so a bogus header cannot stall a sync."""

DEFAULT_PAUSE_SECONDS = 2.0
"""Pause after a 429 that carries no usable ``Retry-After``."""

JITTER_ALLOWANCE = 0.02
"""Spacing added to 1/rate: at 5/s, six requests span 1.02 s, so up to 20 ms of uneven
delay between sending and arriving still keeps five in any one second at the API."""


class RequestBudget:
    """Blocks each caller until its request fits the account's rate."""

    _shared: ClassVar[dict[tuple[str, float], RequestBudget]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, requests_per_second: float) -> None:
        """Allow ``requests_per_second`` requests, evenly spaced."""
        spacing_ms = max(1, round(1000 * (1 + JITTER_ALLOWANCE) / requests_per_second))
        self.requests_per_second = requests_per_second
        self._limiter = Limiter(Rate(1, spacing_ms), buffer_ms=1)
        self._paused_until = 0.0
        self._lock = threading.Lock()

    @classmethod
    def for_account(cls, api_url: str, requests_per_second: float) -> RequestBudget:
        """The one budget of this account (API URL) and rate in this process."""
        key = (api_url, requests_per_second)
        with cls._shared_lock:
            if key not in cls._shared:
                cls._shared[key] = cls(requests_per_second)
            return cls._shared[key]

    def acquire(self) -> None:
        """Wait for a pause to end, then for the request's turn."""
        while (wait := self._paused_until - time.monotonic()) > 0:
            time.sleep(wait)
        self._limiter.try_acquire("activecampaign")

    def pause(self, seconds: float | None) -> float:
        """Stop all requests for ``seconds`` (bounded); returns the pause applied."""
        pause = DEFAULT_PAUSE_SECONDS if seconds is None else seconds
        pause = min(max(pause, 0.0), MAX_PAUSE_SECONDS)
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + pause)
        return pause
