"""Paging, ordering and filtering of a collection request, with a cache of sorted selections.

Semantics (documented for the tap's authors): ``limit`` defaults to 20 and is capped at 100;
``offset`` is zero-based. ``filters[*_after]`` keep rows whose stamp is >= the value and
``filters[*_before]`` rows whose stamp is < the value (exclusive). Unreadable values and
unsupported filters or orders are ignored, as the real API does. Ties sort by id ascending.
Without ``orders[...]`` rows come in a fixed seeded permutation, not by id.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tap_activecampaign.sandbox.clock import parse_instant
from tap_activecampaign.sandbox.hashing import code
from tap_activecampaign.sandbox.render import EQUALITY_KEYS, SORT_KEYS, RenderContext, row_at
from tap_activecampaign.sandbox.store import TableState
from tap_activecampaign.sandbox.tables import CREATED, UPDATED, TableSpec

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

_BRACKETED = re.compile(r"^(filters|orders)\[([^\]]+)\]$")

# Orders that read a stored column instead of a generated field.
_STAMP_ORDERS = {"id": "ids", "cdate": CREATED, "created_timestamp": CREATED, "mdate": UPDATED}


@dataclass(frozen=True)
class Bound:
    """A date filter resolved to a stored column and an epoch second."""

    stamp: str
    lower: bool
    epoch: int


@dataclass(frozen=True)
class ListQuery:
    """The parts of a collection request that the sandbox honours."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0
    orders: tuple[tuple[str, bool], ...] = ()
    bounds: tuple[Bound, ...] = ()
    equals: tuple[tuple[str, str], ...] = ()
    id_greater: int | None = None
    id_less: int | None = None


@dataclass
class Selection:
    """The matching rows of one request, in response order, on one table snapshot."""

    state: TableState
    positions: Sequence[int]


def parse_query(spec: TableSpec, pairs: Sequence[tuple[str, str]]) -> ListQuery:
    """Read paging, supported filters and orders (in query-string order) from the params."""
    params: dict[str, str] = {}
    orders: dict[str, bool] = {}
    for key, value in pairs:
        params[key] = value
        match = _BRACKETED.match(key)
        if match and match.group(1) == "orders" and match.group(2).lower() in spec.orders:
            orders.pop(match.group(2).lower(), None)
            orders[match.group(2).lower()] = value.strip().upper() == "DESC"

    bounds = []
    for name, date_filter in spec.date_filters.items():
        epoch = parse_instant(params.get(f"filters[{name}]", ""))
        if epoch is not None:
            bounds.append(Bound(date_filter.stamp, date_filter.lower, epoch))
    equals = tuple(
        (name, params[f"filters[{name}]"])
        for name in spec.equality_filters
        if f"filters[{name}]" in params
    )
    limit = _integer(params.get("limit")) or DEFAULT_LIMIT
    return ListQuery(
        limit=min(limit, MAX_LIMIT) if limit > 0 else DEFAULT_LIMIT,
        offset=max(_integer(params.get("offset")) or 0, 0),
        orders=tuple(orders.items()),
        bounds=tuple(bounds),
        equals=equals,
        id_greater=_integer(params.get("id_greater")) if spec.keyset else None,
        id_less=_integer(params.get("id_less")) if spec.keyset else None,
    )


class Selector:
    """Selects matching rows, caching the expensive sorted lists per snapshot and query."""

    def __init__(self, ctx: RenderContext, max_entries: int = 24) -> None:
        """Create an empty cache for one dataset."""
        self._ctx = ctx
        self._max_entries = max_entries
        self._cache: OrderedDict[tuple[Any, ...], Sequence[int]] = OrderedDict()
        self._lock = threading.Lock()

    def select(self, spec: TableSpec, query: ListQuery) -> Selection:
        """Return the rows matching the query's filters, ordered, before paging."""
        state = self._ctx.store.state(spec.stream)
        key = (spec.stream, state.version, query.bounds, query.equals, query.orders)
        with self._lock:
            positions = self._cache.get(key)
            if positions is not None:
                self._cache.move_to_end(key)
        if positions is None:
            positions = self._ordered(spec, state, query)
            with self._lock:
                self._cache[key] = positions
                while len(self._cache) > self._max_entries:
                    self._cache.popitem(last=False)

        return Selection(state, _keyset(state, positions, query))

    def _ordered(self, spec: TableSpec, state: TableState, query: ListQuery) -> Sequence[int]:
        """Filter then sort; a plain id-ascending request stays a cheap ``range``."""
        positions: Sequence[int] = range(len(state.ids))
        for bound in query.bounds:
            column = state.created if bound.stamp == CREATED else state.updated
            if bound.lower:
                positions = [p for p in positions if column[p] >= bound.epoch]
            else:
                positions = [p for p in positions if column[p] < bound.epoch]
        for name, wanted in query.equals:
            equality = EQUALITY_KEYS[spec.stream][name]
            positions = [
                p
                for p in positions
                if equality(self._ctx, row_at(self._ctx, spec.stream, state, p)) == wanted
            ]

        if not query.orders:
            salt = code(spec.stream) ^ self._ctx.seed
            return sorted(positions, key=lambda p: (state.ids[p] * 0x9E3779B1 + salt) & 0xFFFFFFFF)
        if query.orders[0] == ("id", False):
            return positions

        ordered = list(positions)
        for name, descending in reversed(query.orders):
            ordered.sort(key=self._sort_key(spec, state, name), reverse=descending)
        return ordered

    def _sort_key(self, spec: TableSpec, state: TableState, name: str) -> Callable[[int], Any]:
        """Return the key function of one order for positions of a snapshot."""
        column = _STAMP_ORDERS.get(name)
        if column is not None:
            columns = {"ids": state.ids, CREATED: state.created, UPDATED: state.updated}
            return columns[column].__getitem__
        derive = SORT_KEYS[spec.stream][name]
        ctx = self._ctx
        return lambda p: derive(ctx, row_at(ctx, spec.stream, state, p))


def _keyset(state: TableState, positions: Sequence[int], query: ListQuery) -> Sequence[int]:
    """Apply ``id_greater``/``id_less``; bisect when the rows are in ascending id order."""
    low, high = query.id_greater, query.id_less
    if low is None and high is None:
        return positions

    ids = state.ids
    if query.orders and query.orders[0] == ("id", False):
        start = bisect.bisect_right(positions, low, key=ids.__getitem__) if low is not None else 0
        end = (
            bisect.bisect_left(positions, high, key=ids.__getitem__)
            if high is not None
            else len(positions)
        )
        return positions[start:end]
    return [
        p for p in positions if (low is None or ids[p] > low) and (high is None or ids[p] < high)
    ]


def _integer(text: str | None) -> int | None:
    """Parse an integer parameter leniently: junk reads as absent, as the API ignores it."""
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None
