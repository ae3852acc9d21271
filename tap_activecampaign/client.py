"""The base stream: everything that is the same for every ActiveCampaign table.

Streams only declare their endpoint, schema and sort order; auth, paging, error mapping,
retries and record normalisation live here once.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterable
from functools import cached_property
from http import HTTPStatus
from importlib.resources import files
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import requests
from singer_sdk import RESTStream, SchemaDirectory, StreamSchema
from singer_sdk.authenticators import APIKeyAuthenticator
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.pagination import BaseAPIPaginator
from singer_sdk.singerlib.catalog import REPLICATION_FULL_TABLE
from typing_extensions import override

from tap_activecampaign import schemas
from tap_activecampaign.errors import ApiError, quote_body
from tap_activecampaign.normalize import RecordNormalizer
from tap_activecampaign.pages import (
    PAGE_SIZE,
    IdKeysetPaginator,
    OffsetPagePaginator,
    page_body,
    page_records,
)
from tap_activecampaign.settings import account_timezone, api_base_url
from tap_activecampaign.version import USER_AGENT

if TYPE_CHECKING:
    from backoff.types import Details
    from singer_sdk.helpers.types import Context, Record

SCHEMAS = SchemaDirectory(files(schemas))

MAX_TRIES = 6
"""Attempts per request; with the waits below a request gives up after about a minute."""

MAX_RETRY_AFTER = 120.0
"""Longest ``Retry-After`` honoured, so a bogus header cannot stall a sync for hours."""


class ActiveCampaignStream(RESTStream[int]):
    """One ActiveCampaign list endpoint, read page by page with ``limit=100``."""

    resource: ClassVar[str]
    """The API collection, e.g. ``dealStages``: the path after ``/api/3/`` and the key
    of the records in the response."""

    sort_params: ClassVar[dict[str, str]] = {}
    """An explicit order for endpoints that offer one, so pages do not shift."""

    extra_params: ClassVar[dict[str, str]] = {}
    """Further query parameters the endpoint needs for complete records."""

    keyset_paging: ClassVar[bool] = False
    """Page with ``id_greater`` instead of ``offset`` (only ``/contacts`` offers it)."""

    primary_keys: ClassVar[tuple[str, ...]] = ("id",)
    schema = StreamSchema(SCHEMAS)
    allow_redirects = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Derive the path from the declared resource."""
        super().__init_subclass__(**kwargs)
        if "resource" in cls.__dict__:
            cls.path = f"/api/3/{cls.resource}"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Set up the per-sync duplicate check."""
        super().__init__(*args, **kwargs)
        self._seen_ids: set[int] = set()
        self._duplicates = 0

    @override
    @property
    def url_base(self) -> str:
        return api_base_url(self.config["api_url"])

    @override
    @property
    def authenticator(self) -> APIKeyAuthenticator:
        return APIKeyAuthenticator(key="Api-Token", value=self.config["api_key"])

    @override
    @property
    def http_headers(self) -> dict[str, str]:
        return {"Accept": "application/json"}

    @override
    @property
    def user_agent(self) -> str:
        return str(self.config.get("user_agent") or USER_AGENT)

    @override
    @property
    def timeout(self) -> int:
        return int(self.config.get("request_timeout") or 60)

    @override
    def get_new_paginator(self) -> BaseAPIPaginator[int]:
        if self.keyset_paging:
            return IdKeysetPaginator(self.resource)
        return OffsetPagePaginator(self.resource)

    @override
    def get_url_params(
        self, context: Context | None, next_page_token: int | None
    ) -> dict[str, Any]:
        position = "id_greater" if self.keyset_paging else "offset"
        return {
            "limit": PAGE_SIZE,
            position: next_page_token or 0,
            **self.sort_params,
            **self.extra_params,
        }

    @override
    def parse_response(self, response: requests.Response) -> Iterable[dict[str, Any]]:
        return page_records(response, self.resource)

    @cached_property
    def normalize(self) -> RecordNormalizer:
        """The converter from API records to rows of this stream's schema."""
        return RecordNormalizer(self.schema, account_timezone(self.config))

    @override
    def post_process(self, row: Record, context: Context | None = None) -> Record | None:
        record = self.normalize(row)
        record_id = record.get("id")
        if record_id is None:
            self.logger.warning("Skipping a %s record without an id", self.name)
            return None
        if record_id in self._seen_ids:
            self._duplicates += 1
            return None
        self._seen_ids.add(record_id)
        return record

    @override
    def validate_response(self, response: requests.Response) -> None:
        status = response.status_code
        if HTTPStatus.MULTIPLE_CHOICES <= status < HTTPStatus.BAD_REQUEST:
            target = urlsplit(response.headers.get("Location", "")).hostname or "elsewhere"
            msg = (
                f"The API answered {self.path} with a redirect to {target}; the key is not "
                "sent there. Check api_url: copy it from Settings > Developer."
            )
            raise ApiError(msg)
        if status in {HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN}:
            msg = (
                f"ActiveCampaign refused {self.path} (HTTP {status}): the API key is wrong "
                f"or its user may not read {self.name}. {quote_body(response.text)}"
            )
            raise ApiError(msg)
        if status == HTTPStatus.TOO_MANY_REQUESTS or status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            raise RetriableAPIError(self._describe(response), response)
        if status >= HTTPStatus.BAD_REQUEST:
            raise ApiError(self._describe(response))
        try:
            page_body(response)
        except ValueError as exc:
            msg = f"{self.path} returned an unreadable body ({exc}); {self._describe(response)}"
            raise RetriableAPIError(msg, response) from exc

    def _describe(self, response: requests.Response) -> str:
        body = quote_body(response.text) if response.content else "empty body"
        return f"HTTP {response.status_code} {response.reason} from {self.path}: {body}"

    @override
    def backoff_max_tries(self) -> int:
        return MAX_TRIES

    @override
    def backoff_wait_generator(self) -> Generator[float, Any, None]:
        """Wait as long as ``Retry-After`` says, else 1, 2, 4, 8, 16 seconds."""
        attempt = 0
        failure = yield 0.0
        while True:
            attempt += 1
            failure = yield retry_delay(failure, attempt)

    @override
    def backoff_jitter(self, value: float) -> float:
        return value

    @override
    def backoff_handler(self, details: Details) -> None:
        failure = details.get("exception")
        reason = str(failure).split(";")[0] if failure else "unknown error"
        self.logger.warning(
            "Retrying %s in %.1f s (attempt %d of %d): %s",
            self.path,
            details.get("wait") or 0.0,
            details.get("tries", 0),
            MAX_TRIES,
            reason,
        )

    @override
    @property
    def emit_activate_version_messages(self) -> bool:
        """Never let the SDK send ACTIVATE_VERSION: it would send it before the records.

        A target then marks every row not yet re-sent as deleted, so a sync that fails
        half-way would delete live rows. :meth:`get_records` sends it after the last
        record instead, and only when the stream finished.
        """
        return False

    @property
    def activates_version(self) -> bool:
        """Whether this sync ends with ACTIVATE_VERSION, so targets can drop deleted rows."""
        return self.replication_method == REPLICATION_FULL_TABLE and bool(
            self.config.get("emit_activate_version_messages", True)
        )

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        if self.activates_version:
            # The SDK stamps every RECORD with this attribute; it has no public setter.
            self._stream_version = self._initialized_at // 1000
        yield from super().get_records(context)
        if self._duplicates:
            self.logger.info(
                "Skipped %d %s records that an earlier page had already returned",
                self._duplicates,
                self.name,
            )
        if self.activates_version and self._stream_version is not None:
            self._write_activate_version_message(self._stream_version)


def retry_delay(failure: BaseException | None, attempt: int) -> float:
    """Seconds to wait before the next attempt.

    Honours the API's ``Retry-After`` header (bounded); otherwise backs off
    exponentially from one second.
    """
    response = getattr(failure, "response", None)
    header = response.headers.get("Retry-After") if response is not None else None
    if header:
        try:
            return min(max(float(header), 0.0), MAX_RETRY_AFTER)
        except ValueError:
            logging.getLogger(__name__).debug("Ignoring a Retry-After that is not seconds")
    return float(2 ** (attempt - 1))
