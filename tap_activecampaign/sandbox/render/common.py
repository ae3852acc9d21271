"""Shared pieces of the record renderers: the row view, the render context and small helpers."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tap_activecampaign.sandbox.clock import REFERENCE_EPOCH
from tap_activecampaign.sandbox.hashing import pick, row_rng
from tap_activecampaign.sandbox.options import DataOptions
from tap_activecampaign.sandbox.store import Store

Record = dict[str, Any]

# Links are informational in the real API and point at the account's own host.
API_HOST = "https://sandbox.api-us1.com"


@dataclass(frozen=True)
class Row:
    """The stored facts of one record; everything else is derived from (seed, table, id)."""

    id: int
    created: int
    updated: int
    revision: int
    quirks: frozenset[str]


@dataclass(frozen=True)
class RenderContext:
    """What a renderer may consult besides the row itself."""

    seed: int
    store: Store
    options: DataOptions = field(default_factory=DataOptions)

    def rng(self, table: int, row: Row) -> random.Random:
        """Return the row's private random stream (same draws on every render)."""
        return row_rng(self.seed, table, row.id)

    def pick_id(self, stream: str, value: int) -> str | None:
        """Point a foreign key at a generated row of another table, or None if it is empty."""
        ids = self.store.initial_ids(stream)
        return str(pick(ids, value)) if ids else None


Renderer = Callable[[RenderContext, Row], Record]
SortKey = Callable[["RenderContext", Row], Any]


def edited(text: str, revision: int) -> str:
    """Make an update visible: the control endpoint's edits add a numbered suffix."""
    return text if revision == 0 else f"{text} (edited {revision})"


def between(start: int, end: int, fraction: float) -> int:
    """Return the epoch second ``fraction`` of the way from ``start`` to ``end``."""
    return start + int((max(end, start) - start) * fraction)


def history_end(row: Row) -> int:
    """Return the latest moment generated activity of a row may have (never before updates)."""
    return max(REFERENCE_EPOCH, row.updated)


def blank(rng: random.Random) -> str | None:
    """Return "no value" the way the API does: sometimes null, sometimes an empty string."""
    return None if rng.random() < 0.5 else ""


def links(prefix: str, row_id: int, names: Iterable[str]) -> dict[str, str]:
    """Build a ``links`` object of sub-resource URLs under ``prefix`` (absolute or relative)."""
    return {name: f"{prefix}/{row_id}/{name}" for name in names}


def flag(rng: random.Random, chance: float) -> str:
    """Return a string flag, ``"1"`` with the given chance."""
    return "1" if rng.random() < chance else "0"
