"""Fault injection and the account-wide rate limit, so taps can be tested against bad days.

Rules are matched in order (on ``resource``, ``offset`` or ``min_offset``, ``min_id_greater``
and the ``times`` left); the first matching rule whose seeded draw succeeds fires, else
``fault_rate`` may inject a random transient fault. Every draw is a hash of the seed, the
request (path and query) and how many times that same request was made before, so the same
requests get the same faults whatever order parallel clients send them in, and a retried
request draws afresh. ``times`` counts down in arrival order.

Kinds: ``status`` (any status, optional ``retry_after`` and JSON ``body``), ``forbidden``
(a 403 with the API's permission message for the resource), ``empty_body`` and
``truncated_json`` (a 200 with no or half a body), ``reset`` (connection dropped without an
answer), ``stall`` (answer only after ``seconds``) and ``redirect`` (302 to ``location``, by
default the same path on 127.0.0.2).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from tap_activecampaign.sandbox.hashing import code, mix
from tap_activecampaign.sandbox.tables import lookup

KINDS = frozenset(
    {"status", "forbidden", "empty_body", "truncated_json", "reset", "stall", "redirect"}
)

_FAULTS = code("faults")
_RATE = code("fault_rate")
_KIND = code("fault_kind")

# The mix of transient failures ``fault_rate`` applies: (kind, status).
_TRANSIENT = (
    ("status", 429),
    ("status", 500),
    ("status", 502),
    ("status", 503),
    ("status", 504),
    ("reset", 0),
    ("empty_body", 200),
    ("truncated_json", 200),
)


@dataclass(frozen=True)
class FaultRule:
    """One fault rule as posted to ``/__sandbox/faults``."""

    kind: str
    resource: str | None = None
    min_offset: int = 0
    offset: int | None = None
    min_id_greater: int | None = None
    status: int = 500
    retry_after: int | None = None
    probability: float = 1.0
    times: int | None = None
    seconds: float = 30.0
    body: Any = None
    location: str | None = None

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> FaultRule:
        """Validate a JSON rule; raise ValueError with a readable message."""
        kind = raw.get("kind")
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}")
        resource = raw.get("resource")
        if resource is not None and resource not in {"*", "users"} and lookup(resource) is None:
            raise ValueError(f"unknown resource {resource!r}")
        spec = lookup(resource) if resource else None
        location = raw.get("location")
        if location is not None and not (
            isinstance(location, str) and location.startswith(("http://", "https://"))
        ):
            raise ValueError("location must be an http:// or https:// URL")
        probability = float(raw.get("probability", 1.0))
        if not 0.0 <= probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        return cls(
            kind=kind,
            resource=spec.path if spec else (None if resource in {None, "*"} else resource),
            min_offset=int(raw.get("min_offset") or 0),
            offset=_optional_int(raw.get("offset")),
            min_id_greater=_optional_int(raw.get("min_id_greater")),
            status=int(raw.get("status") or 500),
            retry_after=_optional_int(raw.get("retry_after")),
            probability=probability,
            times=_optional_int(raw.get("times")),
            seconds=float(raw.get("seconds", 30.0)),
            body=raw.get("body"),
            location=location.rstrip("/") if location else None,
        )

    def matches(self, resource: str, params: Mapping[str, str]) -> bool:
        """Tell whether a request falls under this rule (before the random draw)."""
        if self.resource is not None and self.resource.lower() != resource.lower():
            return False
        offset = _optional_int(params.get("offset")) or 0
        if offset < self.min_offset or (self.offset is not None and offset != self.offset):
            return False
        if self.min_id_greater is not None:
            id_greater = _optional_int(params.get("id_greater"))
            if id_greater is None or id_greater < self.min_id_greater:
                return False
        return self.times is None or self.times > 0

    def as_json(self) -> dict[str, Any]:
        """Render the rule for the control API."""
        return {
            "kind": self.kind,
            "resource": self.resource,
            "min_offset": self.min_offset,
            "offset": self.offset,
            "min_id_greater": self.min_id_greater,
            "status": self.status,
            "retry_after": self.retry_after,
            "probability": self.probability,
            "times": self.times,
            "seconds": self.seconds,
            "body": self.body,
            "location": self.location,
        }


@dataclass
class FaultPlan:
    """The active rules plus the background ``fault_rate``; thread-safe."""

    seed: int
    fault_rate: float = 0.0
    rules: list[FaultRule] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Validate the rate and start counting requests."""
        self.fault_rate = _rate(self.fault_rate)
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()

    def replace_rules(self, rules: list[FaultRule]) -> None:
        """Install a new rule list (and restart the draws, for reproducible tests)."""
        with self._lock:
            self.rules = list(rules)
            self._seen.clear()

    def set_fault_rate(self, rate: float) -> None:
        """Change the share of requests that get a random transient fault."""
        with self._lock:
            self.fault_rate = _rate(rate)
            self._seen.clear()

    def draw(
        self, resource: str, params: Mapping[str, str], path: str | None = None
    ) -> FaultRule | None:
        """Return the fault to inject into this API request, if any."""
        key = f"{(path or resource).lower()}?{sorted(params.items())!r}"
        request = code(key)
        with self._lock:
            attempt = self._seen.get(key, 0)
            self._seen[key] = attempt + 1
            for index, rule in enumerate(self.rules):
                if not rule.matches(resource, params):
                    continue
                chance = _unit(mix(self.seed, _FAULTS, request, attempt, index))
                if rule.probability < 1.0 and chance >= rule.probability:
                    continue
                if rule.times is not None:
                    self.rules[index] = replace(rule, times=rule.times - 1)
                return rule
            if self.fault_rate > 0 and _unit(mix(self.seed, _RATE, request, attempt)) < (
                self.fault_rate
            ):
                pick = mix(self.seed, _KIND, request, attempt)
                kind, status = _TRANSIENT[pick % len(_TRANSIENT)]
                return FaultRule(kind=kind, status=status, retry_after=1 if status == 429 else None)
        return None


def _unit(value: int) -> float:
    """Map a 64-bit hash onto [0, 1)."""
    return value / 2**64


def _rate(value: Any) -> float:
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise ValueError("fault_rate must be between 0 and 1")
    return rate


@dataclass(frozen=True)
class Admission:
    """The rate limiter's verdict on one request."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: int


class RateLimiter:
    """A sliding-window limit shared by every request to the server, like the per-account one.

    ``rate`` is requests per second; below 1 the window widens so one request fits in it.
    """

    def __init__(self, rate: float) -> None:
        """Configure a positive rate."""
        self.window = 1.0 if rate >= 1 else 1.0 / rate
        self.capacity = max(int(rate), 1)
        self._stamps: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self) -> Admission:
        """Count the request if it fits in the window, else say how long to wait."""
        with self._lock:
            now = time.monotonic()
            while self._stamps and now - self._stamps[0] >= self.window:
                self._stamps.popleft()
            if len(self._stamps) >= self.capacity:
                wait = self.window - (now - self._stamps[0])
                return Admission(False, self.capacity, 0, max(1, math.ceil(wait)))
            self._stamps.append(now)
            return Admission(True, self.capacity, self.capacity - len(self._stamps), 0)


def _optional_int(value: Any) -> int | None:
    """Read an optional integer from JSON or a query string; junk reads as None."""
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
