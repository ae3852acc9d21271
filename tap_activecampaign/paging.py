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


def offset_pages(
    fetch: Fetch, params: dict[str, Any], records_key: str, pool: ThreadPoolExecutor, ahead: int
) -> Iterator[Page]:
    """Pages by ``offset``; once the first page tells the total, the rest are fetched ahead.

    Args:
        fetch: Sends one request with these query parameters and returns the JSON body.
        params: The query parameters every page shares (limit, order, filters).
        records_key: The response key that holds the records.
        pool: Threads to fetch pages on.
        ahead: How many pages may be in flight at once.
    """
    first = fetch({**params, "offset": 0})
    total = meta_total(first)
    page = records_of(first, records_key)
    yield Page(page, total)
    offset = PAGE_SIZE
    if len(page) < PAGE_SIZE:
        return
    pending: deque[Future[Body]] = deque()
    try:
        while total is not None and (offset < total or pending):
            while total is not None and offset < total and len(pending) < ahead:
                pending.append(pool.submit(fetch, {**params, "offset": offset}))
                offset += PAGE_SIZE
            page = records_of(pending.popleft().result(), records_key)
            yield Page(page, total)
    finally:
        for future in pending:
            future.cancel()
    while total is None and len(page) == PAGE_SIZE:  # no total: read until a short page
        page = records_of(fetch({**params, "offset": offset}), records_key)
        offset += PAGE_SIZE
        yield Page(page, total)


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
    newest = records_of(probe, records_key)
    total = meta_total(probe)
    if not newest:
        return split_ids(0, 1), total
    pages = -(-(total or PAGE_SIZE) // PAGE_SIZE)
    return split_ids(int(newest[0]["id"]), min(parallel, max(1, pages // 4))), total


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


def _emitting(id_range: IdRange, records: list[dict[str, Any]]) -> Page:
    def emitted() -> None:
        if records:
            id_range.after = max(int(record["id"]) for record in records)

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
            inside = [r for r in page if id_range.contains(int(r["id"]))]
            _put(feed, inside, stop)
            if len(page) < PAGE_SIZE or len(inside) < len(page):
                break
            id_range.after = max(int(record["id"]) for record in inside)
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
