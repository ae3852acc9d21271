"""Walking through ActiveCampaign list endpoints with several pages in flight.

A list response is ``{"<plural key>": [...], "meta": {"total": "123"}}``. ``meta.total`` is
a string on most endpoints, an integer on ``/deals`` and absent on some, so it only ever
lets pages be requested ahead; the end of the data is always a page shorter than the limit.

Pages are fetched side by side but handed out in a fixed order, so a stream's output does
not depend on which response came back first.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

PAGE_SIZE = 100
"""The API's maximum ``limit``; it defaults to 20 when none is sent."""

Body = dict[str, Any]
Fetch = Callable[[dict[str, Any]], Body]


def meta_total(body: Body) -> int | None:
    """``meta.total`` as an integer, whether the API sent a string, a number or nothing."""
    meta = body.get("meta")
    total = meta.get("total") if isinstance(meta, dict) else None
    try:
        return None if total is None or isinstance(total, bool) else int(total)
    except (TypeError, ValueError):
        return None


@dataclass
class Page:
    """One page of records, in the order it is handed out."""

    records: list[dict[str, Any]]
    total: int | None = None
    emitted: Callable[[], None] = field(default=lambda: None)
    """Call once every record of the page has been written (moves resumable state)."""


def records_of(body: Body, records_key: str) -> list[dict[str, Any]]:
    """The records of one page, tolerating a missing or null array."""
    records = body.get(records_key)
    return records if isinstance(records, list) else []


class OffsetWalk:
    """One pass over an offset-paged endpoint, with pages fetched ahead.

    Once the first page tells ``meta.total``, the pages up to it are requested side by side
    and handed out in order. The pass ends at the first page shorter than the limit, however
    large the total claimed; a full last page is followed by more, however small. Offset
    pages shift when rows are added or deleted meanwhile, which can hide a row from every
    page: :attr:`held_still` says whether the pass saw no sign of that (the same total
    throughout, as many rows as it said, no row twice). A page that only repeats rows
    already seen ends the pass, so an API that ignores ``offset`` cannot loop it forever.
    """

    def __init__(
        self, fetch: Fetch, params: dict[str, Any], records_key: str, pool: ThreadPoolExecutor
    ) -> None:
        """Prepare a pass; iterate :meth:`pages` to run it."""
        self._fetch = fetch
        self._params = params
        self._records_key = records_key
        self._pool = pool
        self._totals: set[int | None] = set()
        self._ids: set[Any] = set()
        self._repeated = 0
        self._received = 0

    @property
    def held_still(self) -> bool:
        """Whether the pass saw the table unchanged, so no row can have slipped past."""
        (total,) = self._totals if len(self._totals) == 1 else (None,)
        return (
            len(self._totals) == 1
            and not self._repeated
            and (total is None or total == self._received)
        )

    def pages(self, ahead: int) -> Iterator[Page]:
        """The pages of the pass, in offset order, with ``ahead`` requests in flight."""
        page, total, fresh = self._take(self._fetch({**self._params, "offset": 0}))
        yield Page(page, total)
        consumed = 0  # offset of the last page handed out
        pending: deque[Future[Body]] = deque()
        try:
            submitted = PAGE_SIZE
            while len(page) == PAGE_SIZE and total is not None and (submitted < total or pending):
                while submitted < total and len(pending) < ahead:
                    request = {**self._params, "offset": submitted}
                    pending.append(self._pool.submit(self._fetch, request))
                    submitted += PAGE_SIZE
                page, _, fresh = self._take(pending.popleft().result())
                consumed += PAGE_SIZE
                yield Page(page, total)
        finally:
            for future in pending:
                future.cancel()
        while len(page) == PAGE_SIZE and fresh:  # a full last page: there may be more
            consumed += PAGE_SIZE
            page, _, fresh = self._take(self._fetch({**self._params, "offset": consumed}))
            yield Page(page, total)

    def _take(self, body: Body) -> tuple[list[dict[str, Any]], int | None, int]:
        """Count a page in; returns its records, its total and how many were new."""
        page = records_of(body, self._records_key)
        total = meta_total(body)
        self._totals.add(total)
        self._received += len(page)
        fresh = 0
        for record in page:
            key = record.get("id")
            if key in self._ids:
                self._repeated += 1
            else:
                fresh += 1
                self._ids.add(key)
        return page, total, fresh


@dataclass
class IdRange:
    """Contacts with ``after < id <= upto`` (``upto`` None: no upper end)."""

    after: int
    upto: int | None

    def params(self) -> dict[str, Any]:
        """The keyset parameters for the next page of this range."""
        bounds: dict[str, Any] = {"id_greater": self.after}
        if self.upto is not None:
            bounds["id_less"] = self.upto + 1
        return bounds

    def contains(self, record_id: int) -> bool:
        """Whether an id belongs to this range (the API's bounds are re-checked here)."""
        return record_id > self.after and (self.upto is None or record_id <= self.upto)


def split_ids(highest_id: int, parts: int, after: int = 0) -> list[IdRange]:
    """Cut ``(after, highest_id]`` into ``parts`` ranges; the last one stays open-ended."""
    parts = max(1, min(parts, highest_id - after))
    bounds = [after + (highest_id - after) * i // parts for i in range(parts + 1)]
    ranges = [IdRange(bounds[i], bounds[i + 1]) for i in range(parts)]
    ranges[-1].upto = None  # contacts created during the sync land here
    return ranges


def plan_id_ranges(
    fetch: Fetch, params: dict[str, Any], records_key: str, parallel: int
) -> tuple[list[IdRange], int | None]:
    """Ask for the highest id, then cut the ids into ranges to walk side by side.

    Small tables get one range (about four pages per range at least), large ones one
    range per parallel request. Returns the ranges and the API's ``meta.total``.
    """
    probe = fetch({**params, "orders[id]": "DESC", "limit": 1})
    newest = [_int_id(record) for record in records_of(probe, records_key)]
    total = meta_total(probe)
    highest = max((i for i in newest if i is not None), default=None)
    if highest is None:
        return split_ids(0, 1), total
    pages = -(-(total or PAGE_SIZE) // PAGE_SIZE)
    return split_ids(highest, min(parallel, max(1, pages // 4))), total


_DONE = object()


def keyset_pages(
    fetch: Fetch, params: dict[str, Any], records_key: str, ranges: list[IdRange], ahead: int = 4
) -> Iterator[tuple[IdRange, Page]]:
    """Walk each id range with ``id_greater`` on its own thread; hand pages out round-robin.

    Within a range each request needs the last id of the page before, so the ranges are
    what runs side by side. Every range buffers at most ``ahead`` pages, which bounds
    memory however large the account. The range's ``after`` moves only when the caller
    marks a page emitted, so it always describes what was really written.
    """

    def fetch_records(bounds: dict[str, Any]) -> list[dict[str, Any]]:
        return records_of(fetch({**params, **bounds}), records_key)

    stop = threading.Event()
    feeds = [queue.Queue[Any](maxsize=ahead) for _ in ranges]
    workers = [
        threading.Thread(
            target=_walk_range,
            args=(fetch_records, IdRange(r.after, r.upto), feed, stop),
            daemon=True,
            name=f"contacts-ids-{r.after}",
        )
        for r, feed in zip(ranges, feeds, strict=True)
    ]
    for worker in workers:
        worker.start()
    active = list(range(len(ranges)))
    try:
        while active:
            for index in list(active):
                item = feeds[index].get()
                if item is _DONE:
                    active.remove(index)
                    continue
                if isinstance(item, BaseException):
                    raise item
                yield ranges[index], _emitting(ranges[index], item)
    finally:
        stop.set()
        for feed in feeds:  # unblock workers waiting for room
            while not feed.empty():
                feed.get_nowait()


def _int_id(record: dict[str, Any]) -> int | None:
    """The record's id as an integer; None when the API sent none, or not a number."""
    try:
        return int(record["id"])
    except (KeyError, TypeError, ValueError):
        return None


def _emitting(id_range: IdRange, records: list[dict[str, Any]]) -> Page:
    def emitted() -> None:
        if records:
            id_range.after = max(_int_id(record) or 0 for record in records)

    return Page(records, emitted=emitted)


def _walk_range(
    fetch_records: Callable[[dict[str, Any]], list[dict[str, Any]]],
    id_range: IdRange,
    feed: queue.Queue[Any],
    stop: threading.Event,
) -> None:
    try:
        while not stop.is_set():
            page = fetch_records(id_range.params())
            numbered = [r for r in page if _int_id(r) is not None]
            inside = [r for r in numbered if id_range.contains(_int_id(r) or 0)]
            _put(feed, inside, stop)
            if len(page) < PAGE_SIZE or not inside or len(inside) < len(numbered):
                break
            id_range.after = max(_int_id(record) or 0 for record in inside)
    except Exception as exc:  # handed to the consuming thread, which raises it
        _put(feed, exc, stop)
    _put(feed, _DONE, stop)


def _put(feed: queue.Queue[Any], item: Any, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            feed.put(item, timeout=0.2)
        except queue.Full:
            continue
        return
