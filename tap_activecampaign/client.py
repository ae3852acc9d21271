"""The base stream: everything that is the same for every ActiveCampaign table.

Streams only declare their endpoint, schema, sort order and (for contacts and deals) their
update-time filter; auth, the request budget, paging with pages in flight, error mapping,
retries, incremental filtering, resumable state and normalisation live here once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from functools import cached_property
from http import HTTPStatus
from importlib.resources import files
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import requests
from singer_sdk import RESTStream, SchemaDirectory, StreamSchema
from singer_sdk.authenticators import APIKeyAuthenticator
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.singerlib.catalog import REPLICATION_FULL_TABLE
from typing_extensions import override

from tap_activecampaign import schemas
from tap_activecampaign.budget import RequestBudget
from tap_activecampaign.errors import (
    ApiError,
    ForbiddenError,
    RateLimitedError,
    quote_body,
    redirect_message,
)
from tap_activecampaign.normalize import RecordNormalizer
from tap_activecampaign.paging import (
    PAGE_SIZE,
    Body,
    OffsetWalk,
    Page,
    keyset_pages,
    plan_id_ranges,
)
from tap_activecampaign.progress import Progress
from tap_activecampaign.resume import STATE_KEY, ResumePoint
from tap_activecampaign.retries import (
    MAX_TRIES,
    network_failure,
    seconds,
    status_of,
    with_retries,
)
from tap_activecampaign.settings import account_timezone, api_base_url, api_key
from tap_activecampaign.timestamps import api_time
from tap_activecampaign.version import USER_AGENT

if TYPE_CHECKING:
    from backoff.types import Details
    from singer_sdk.helpers.types import Context, Record

SCHEMAS = SchemaDirectory(files(schemas))


class ActiveCampaignStream(RESTStream[int]):
    """One ActiveCampaign list endpoint, read with ``limit=100`` and pages in flight."""

    resource: ClassVar[str]
    """The API collection, e.g. ``dealStages``: the path after ``/api/3/`` and the key
    of the records in the response."""

    sort_params: ClassVar[dict[str, str]] = {}
    """An explicit order for endpoints that offer one, so pages do not shift."""

    extra_params: ClassVar[dict[str, str]] = {}
    """Further query parameters the endpoint needs for complete records."""

    keyset_paging: ClassVar[bool] = False
    """Page with ``id_greater`` over id ranges instead of ``offset`` (only ``/contacts``)."""

    updated_after_param: ClassVar[str | None] = None
    """The server-side filter on the replication key, for incremental streams."""

    primary_keys: ClassVar[tuple[str, ...]] = ("id",)
    schema = StreamSchema(SCHEMAS)
    allow_redirects = False
    STATE_MSG_FREQUENCY = 1000
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    """:meth:`post_process` already returns values of the schema's types; the SDK's pass
    over every value again cost a quarter of the tap's CPU."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Derive the path from the declared resource."""
        super().__init_subclass__(**kwargs)
        if "resource" in cls.__dict__:
            cls.path = f"/api/3/{cls.resource}"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Set up the per-sync bookkeeping."""
        super().__init__(*args, **kwargs)
        self.skipped_reason: str | None = None
        self._seen_ids: set[int] = set()
        self._duplicates = 0
        self._without_id = 0
        self._without_replication_value = 0
        self._since: datetime | None = None
        self._resume: ResumePoint | None = None
        self._complete = True
        self._thread = threading.local()
        self.progress = Progress(self.name, self.logger)

    # --- where and how to call the API ------------------------------------------------

    @override
    @property
    def url_base(self) -> str:
        return api_base_url(self.config["api_url"])

    @override
    @property
    def authenticator(self) -> APIKeyAuthenticator:
        return APIKeyAuthenticator(key="Api-Token", value=api_key(self.config))

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

    @cached_property
    def budget(self) -> RequestBudget:
        """The account's request budget, shared with every other stream of the run."""
        rate = float(self.config.get("max_requests_per_second") or 5)
        return RequestBudget.for_account(self.url_base, rate)

    @property
    def parallel_requests(self) -> int:
        """How many requests may be in flight, so latency does not cap throughput."""
        return max(1, int(self.config.get("max_parallel_requests") or 8))

    # --- one request --------------------------------------------------------------------

    def fetch(self, params: dict[str, Any]) -> Body:
        """GET one page with these query parameters, with retries; returns the JSON body.

        Raises:
            ApiError: The request still failed after every retry.
        """
        try:
            return self._fetch_with_retries(params)
        except RetriableAPIError as exc:
            msg = f"Gave up after {MAX_TRIES} attempts: {exc}"
            raise ApiError(msg) from exc
        except requests.RequestException as exc:
            host = urlsplit(self.url_base).netloc
            msg = (
                f"{self.path}: no answer from {host} after {MAX_TRIES} attempts "
                f"({network_failure(exc)}); check your network or try again later"
            )
            raise ApiError(msg) from exc

    @cached_property
    def _fetch_with_retries(self) -> Callable[[dict[str, Any]], Body]:
        return self.request_decorator(self._fetch_once)

    def _fetch_once(self, params: dict[str, Any]) -> Body:
        self.budget.acquire()
        request = self.build_prepared_request(
            method="GET", url=self.get_url(None), params=params, headers=self.http_headers
        )
        response = self._session().send(request, timeout=self.timeout, allow_redirects=False)
        self.validate_response(response)
        try:
            body = response.json(parse_float=Decimal)
        except ValueError as exc:
            msg = f"{self.path} returned a body that is not JSON; {self._describe(response)}"
            raise RetriableAPIError(msg, response) from exc
        if not isinstance(body, dict) or not isinstance(body.get(self.resource), list):
            # Never read as an empty page: that would end the stream early and, with
            # ACTIVATE_VERSION, mark every row not yet read as deleted.
            msg = f"{self.path} returned JSON without its '{self.resource}' list; "
            raise RetriableAPIError(msg + self._describe(response), response)
        return body

    def _session(self) -> requests.Session:
        """One connection pool per thread, so pages in flight reuse their connections."""
        session: requests.Session | None = getattr(self._thread, "session", None)
        if session is None:
            session = self._thread.session = requests.Session()
        return session

    @override
    def validate_response(self, response: requests.Response) -> None:
        status = response.status_code
        if HTTPStatus.MULTIPLE_CHOICES <= status < HTTPStatus.BAD_REQUEST:
            raise ApiError(redirect_message(self.path, response))
        if status == HTTPStatus.UNAUTHORIZED:
            msg = (
                f"ActiveCampaign no longer accepts the API key (HTTP 401 on {self.path}): "
                "copy a current key from Settings > Developer"
            )
            raise ApiError(msg)
        if status == HTTPStatus.FORBIDDEN:
            body = quote_body(response.text, api_key(self.config))
            msg = f"ActiveCampaign refused {self.path} (HTTP {status}): {body}"
            raise ForbiddenError(msg)
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            pause = self.budget.pause(seconds(response.headers.get("Retry-After")))
            self.logger.warning(
                "Rate limited by ActiveCampaign (HTTP 429): pausing every request for %.0f s",
                pause,
            )
            raise RateLimitedError(self._describe(response), response)
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            raise RetriableAPIError(self._describe(response), response)
        if status >= HTTPStatus.BAD_REQUEST:
            raise ApiError(self._describe(response))

    def _describe(self, response: requests.Response) -> str:
        body = quote_body(response.text, api_key(self.config)) if response.content else "empty body"
        return f"HTTP {response.status_code} {response.reason} from {self.path}: {body}"

    @override
    def request_decorator(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Retry transient failures with back-off, and a 403 a couple of times."""
        return with_retries(func, self.backoff_handler)

    @override
    def backoff_handler(self, details: Details) -> None:
        failure = details.get("exception")
        if status_of(failure) == HTTPStatus.TOO_MANY_REQUESTS:
            return
        reason = str(failure).split(";")[0] if failure else "unknown error"
        self.logger.warning(
            "Retrying %s in %.0f s (attempt %d failed): %s",
            self.path,
            details.get("wait") or 0.0,
            details.get("tries", 0),
            reason,
        )

    # --- paging -------------------------------------------------------------------------

    def query_params(self, context: Context | None) -> dict[str, Any]:
        """The parameters every page of this sync shares: limit, order, filters."""
        params: dict[str, Any] = {"limit": PAGE_SIZE, **self.sort_params, **self.extra_params}
        if self.updated_after_param and self._since is not None:
            lookback = timedelta(hours=float(self.config.get("lookback_hours", 24)))
            zone = account_timezone(self.config)
            params[self.updated_after_param] = api_time(self._since - lookback, zone)
        return params

    @override
    def request_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        params = self.query_params(context)
        with ThreadPoolExecutor(self.parallel_requests, thread_name_prefix=self.name) as pool:
            if self.keyset_paging:
                yield from self._emit(self._keyset_pages(params))
            else:
                yield from self._offset_records(params, pool)
        self.progress.finish()

    def _emit(self, pages: Iterable[Page]) -> Iterator[dict[str, Any]]:
        for page in pages:
            self.progress.add(len(page.records), page.total)
            yield from page.records
            page.emitted()

    def _offset_records(
        self, params: dict[str, Any], pool: ThreadPoolExecutor
    ) -> Iterator[dict[str, Any]]:
        """Read by offset; if rows moved while paging, read again for what slipped past.

        Rows added or deleted during a pass shift the pages, so a live row can be on none of
        them. A second pass emits what the first missed (duplicates are dropped). If the
        table would not hold still twice, the stream is not complete: it sends no
        ACTIVATE_VERSION, and an incremental stream fails rather than move its bookmark.
        """
        for attempt in (1, 2):
            walk = OffsetWalk(self.fetch, params, self.resource, pool)
            yield from self._emit(walk.pages(self.parallel_requests))
            if walk.held_still:
                return
            self.logger.warning(
                "%s changed while it was being read (pass %d of 2); reading it again so no "
                "row is missed",
                self.name,
                attempt,
            )
        if self.replication_key:
            msg = (
                f"{self.name} kept changing while it was read twice; the bookmark was not "
                "moved, so the next run reads these changes again"
            )
            raise ApiError(msg)
        self._complete = False
        self.logger.warning(
            "%s kept changing while it was read; every row seen was sent, but deletes are "
            "not reflected this run (no ACTIVATE_VERSION)",
            self.name,
        )

    def _keyset_pages(self, params: dict[str, Any]) -> Iterator[Page]:
        """Contacts by id ranges side by side, resumable from the last written page."""
        if self._resume is None:
            ranges, total = plan_id_ranges(
                self.fetch, params, self.resource, self.parallel_requests
            )
            self._resume = ResumePoint(
                ranges,
                self._since.isoformat() if self._since else None,
                self._signpost_text(),
                self._stream_version,
            )
        else:
            total = None
            self.logger.info(
                "Resuming %s where an interrupted sync stopped (%d id ranges left)",
                self.name,
                len(self._resume.ranges),
            )
        resume = self._resume
        self.stream_state[STATE_KEY] = resume.to_state()
        for _, page in keyset_pages(self.fetch, params, self.resource, resume.ranges):

            def mark(emitted: Callable[[], None] = page.emitted) -> None:
                emitted()
                self.stream_state[STATE_KEY] = resume.to_state()

            yield Page(page.records, total, mark)
        self.stream_state.pop(STATE_KEY, None)

    # --- incremental bookkeeping --------------------------------------------------------

    @override
    def get_replication_key_signpost(self, context: Context | None = None) -> datetime | Any:
        """The bookmark may not pass the sync's start, truncated to whole seconds.

        ActiveCampaign's timestamps have second precision: a record changed in the same
        second the sync started must still be after the bookmark. A resumed sync keeps
        the first attempt's start, or changes made during that attempt would be missed.
        """
        signpost = super().get_replication_key_signpost(context)
        if not isinstance(signpost, datetime):
            return signpost
        resume = ResumePoint.from_state(self.get_context_state(context))
        if resume and resume.started_at:
            return datetime.fromisoformat(resume.started_at)
        return signpost.replace(microsecond=0)

    def _signpost_text(self) -> str | None:
        signpost = self.get_replication_key_signpost(None) if self.replication_key else None
        return signpost.isoformat() if isinstance(signpost, datetime) else None

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        self.progress = Progress(self.name, self.logger)
        self._complete = True
        self._resume = (
            ResumePoint.from_state(self.get_context_state(context)) if self.keyset_paging else None
        )
        self._since = self._sync_since(context)
        if self.activates_version:
            # The SDK stamps every RECORD with this attribute; it has no public setter.
            self._stream_version = (
                self._resume.version
                if self._resume and self._resume.version
                else self._initialized_at // 1000
            )
        try:
            yield from super().get_records(context)
        except ForbiddenError as exc:
            if self.progress.records:
                raise
            self.skipped_reason = str(exc)
            self.logger.warning(
                "Skipping %s: the API key's user may not read it (%s). Give that user "
                "permission in ActiveCampaign, or deselect the stream.",
                self.name,
                exc,
            )
            return
        self._log_anomalies()
        if self.activates_version and self._complete and self._stream_version is not None:
            self._write_activate_version_message(self._stream_version)

    def _sync_since(self, context: Context | None) -> datetime | None:
        """The exact update time this sync starts from (bookmark or start_date)."""
        if self._resume is not None:
            since = self._resume.since
            return datetime.fromisoformat(since) if since else None
        if not self.replication_key:
            return None
        start = self.get_starting_timestamp(context)
        return start.astimezone(timezone.utc) if start else None

    def _log_anomalies(self) -> None:
        if self._without_id:
            self.logger.warning(
                "Skipped %d %s records that came without a usable id", self._without_id, self.name
            )
        if self._duplicates:
            self.logger.info(
                "Skipped %d %s records that an earlier page had already returned",
                self._duplicates,
                self.name,
            )
        if self._without_replication_value:
            self.logger.info(
                "%d %s records had no %s (ActiveCampaign sends such stubs for records the "
                "key's user cannot see); they do not move the bookmark and are only emitted "
                "by a sync from the beginning",
                self._without_replication_value,
                self.name,
                self.replication_key,
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
        """Whether this sync ends with ACTIVATE_VERSION, so targets can drop deleted rows.

        Only a sync that re-sends every record may: a full-table stream, or an incremental
        one reading from the beginning (no bookmark, no start_date). After an incremental
        sync, every unchanged row would look deleted.
        """
        if not self.config.get("emit_activate_version_messages", True):
            return False
        if self.replication_method == REPLICATION_FULL_TABLE:
            return True
        return self.replication_key is not None and self._since is None

    # --- records ------------------------------------------------------------------------

    @cached_property
    def normalize(self) -> RecordNormalizer:
        """The converter from API records to rows of this stream's schema."""
        return RecordNormalizer(self.schema, account_timezone(self.config), self._warn_unknown)

    def _warn_unknown(self, column: str) -> None:
        self.logger.warning(
            "%s records carry a field the schema does not know, '%s'; it is not synced",
            self.name,
            column,
        )

    @override
    def post_process(self, row: Record, context: Context | None = None) -> Record | None:
        record = self.normalize(row)
        record_id = record.get("id")
        if not isinstance(record_id, int):
            self._without_id += 1
            return None
        if record_id in self._seen_ids:
            self._duplicates += 1
            return None
        if self.replication_key and not self._is_new_enough(record):
            return None
        self._seen_ids.add(record_id)
        return record

    def _is_new_enough(self, record: Record) -> bool:
        """Re-check the server-side filter exactly: the look-back widened it on purpose.

        Records without the replication value (stubs for what the key's user cannot see)
        are emitted by a sync from the beginning only, so that later syncs do not repeat
        them; they never move the bookmark.
        """
        value = record.get(self.replication_key or "")
        if value is None:
            self._without_replication_value += 1
            record[self.replication_key or ""] = None
            return self._since is None
        return self._since is None or datetime.fromisoformat(value) >= self._since
