"""Reading ActiveCampaign list responses and walking through their pages.

A list response is ``{"<plural key>": [...], "meta": {"total": "123"}}``, possibly with
sideloaded arrays next to the records. ``meta.total`` is a string on most endpoints, an
integer on ``/deals`` and absent on some, so it only ever shortens paging; the end of the
data is a page shorter than the limit.
"""

from __future__ import annotations

import weakref
from decimal import Decimal
from typing import Any

import requests
from singer_sdk.pagination import BaseAPIPaginator, OffsetPaginator
from typing_extensions import override

PAGE_SIZE = 100
"""The API's maximum ``limit``; it defaults to 20 when none is sent."""

_decoded: weakref.WeakKeyDictionary[requests.Response, dict[str, Any]] = weakref.WeakKeyDictionary()


def page_body(response: requests.Response) -> dict[str, Any]:
    """Decode a response body once, however many hooks read it.

    Raises:
        ValueError: The body is empty, not JSON, or not a JSON object.
    """
    body = _decoded.get(response)
    if body is None:
        body = response.json(parse_float=Decimal)
        if not isinstance(body, dict):
            msg = "the response is JSON but not an object"
            raise ValueError(msg)
        _decoded[response] = body
    return body


def page_records(response: requests.Response, records_key: str) -> list[dict[str, Any]]:
    """The records of one page, tolerating a missing or null array."""
    records = page_body(response).get(records_key)
    return records if isinstance(records, list) else []


def meta_total(response: requests.Response) -> int | None:
    """``meta.total`` as an integer, whether the API sent a string, a number or nothing."""
    meta = page_body(response).get("meta")
    total = meta.get("total") if isinstance(meta, dict) else None
    try:
        return None if total is None or isinstance(total, bool) else int(total)
    except (TypeError, ValueError):
        return None


class OffsetPagePaginator(OffsetPaginator):
    """Offset paging that stops on a short page or when ``meta.total`` is reached."""

    def __init__(self, records_key: str, page_size: int = PAGE_SIZE) -> None:
        """Start at offset 0.

        Args:
            records_key: The response key that holds the records.
            page_size: The ``limit`` sent with every request.
        """
        super().__init__(start_value=0, page_size=page_size)
        self._records_key = records_key

    @override
    def has_more(self, response: requests.Response) -> bool:
        received = len(page_records(response, self._records_key))
        if received < self.page_size:
            return False
        total = meta_total(response)
        return total is None or self.current_value + received < total


class IdKeysetPaginator(BaseAPIPaginator[int]):
    """Keyset paging on ascending ids (``id_greater``), which the API offers for contacts.

    Deep offsets are slow on large contact tables and shift when rows are added or
    removed during a sync; continuing after the last id seen has neither problem.
    """

    def __init__(self, records_key: str, page_size: int = PAGE_SIZE, after_id: int = 0) -> None:
        """Start after ``after_id``.

        Args:
            records_key: The response key that holds the records.
            page_size: The ``limit`` sent with every request.
            after_id: The id to continue after (0 for the beginning).
        """
        super().__init__(start_value=after_id)
        self._records_key = records_key
        self._page_size = page_size

    @override
    def has_more(self, response: requests.Response) -> bool:
        return len(page_records(response, self._records_key)) >= self._page_size

    @override
    def get_next(self, response: requests.Response) -> int | None:
        ids = [int(record["id"]) for record in page_records(response, self._records_key)]
        return max(ids) if ids else None
