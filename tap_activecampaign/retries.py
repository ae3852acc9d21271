"""Which failures are retried, and how long to wait before the next attempt."""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import backoff
import requests
from singer_sdk.exceptions import RetriableAPIError

from tap_activecampaign.errors import ForbiddenError, RateLimitedError

if TYPE_CHECKING:
    from backoff.types import Details

MAX_TRIES = 6
"""Attempts per request; with the waits below a request gives up after about 30 s."""

RATE_LIMITED_TRIES = 30
"""A 429 only means other requests (maybe other integrations) used the budget: it is worth
waiting for much longer than for an error. Every attempt waits out the shared pause."""

FORBIDDEN_TRIES = 3
"""ActiveCampaign sometimes answers 403 once on a valid key; a 403 that repeats is real."""

MAX_RETRY_AFTER = 120.0
"""Longest ``Retry-After`` honoured, so a bogus header cannot stall a sync for hours."""

TRANSIENT_ERRORS = (
    RetriableAPIError,
    ConnectionResetError,
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)

logger = logging.getLogger(__name__)


def with_retries(
    func: Callable[..., Any], on_backoff: Callable[[Details], None]
) -> Callable[..., Any]:
    """Wrap ``func`` in the retry policy: back-off, 429 pauses, a 403 tried thrice.

    Transient failures back off and retry; a 429 waits out the budget's pause up to 30
    times; a 403 is tried again twice.
    """
    retry_forbidden = backoff.on_exception(
        backoff.constant,
        ForbiddenError,
        interval=1,
        max_tries=FORBIDDEN_TRIES,
        jitter=None,
        on_backoff=on_backoff,
        logger=None,
    )
    retry_transient = backoff.on_exception(
        retry_waits,
        TRANSIENT_ERRORS,
        max_tries=MAX_TRIES,
        jitter=None,
        on_backoff=on_backoff,
        logger=None,
    )
    retry_rate_limited = backoff.on_exception(
        backoff.constant,
        RateLimitedError,
        interval=0,  # the budget is paused for Retry-After, which holds every request back
        max_tries=RATE_LIMITED_TRIES,
        jitter=None,
        on_backoff=on_backoff,
        logger=None,
    )
    return retry_transient(retry_forbidden(retry_rate_limited(func)))


def retry_waits() -> Generator[float, Any, None]:
    """Wait as ``Retry-After`` says, else 1, 2, 4, 8, 16 s; after a 429, not at all.

    A 429 has already paused the account's shared budget, which holds back every request.
    """
    attempt = 0
    failure = yield 0.0
    while True:
        attempt += 1
        failure = yield retry_delay(failure, attempt)


def retry_delay(failure: BaseException | None, attempt: int) -> float:
    """Seconds before the next attempt: none after a 429, else Retry-After or 2^n."""
    if status_of(failure) == HTTPStatus.TOO_MANY_REQUESTS:
        return 0.0
    response = getattr(failure, "response", None)
    retry_after = seconds(response.headers.get("Retry-After")) if response is not None else None
    if retry_after is not None:
        return min(max(retry_after, 0.0), MAX_RETRY_AFTER)
    logger.debug("No Retry-After; backing off exponentially")
    return float(2 ** (attempt - 1))


def network_failure(error: requests.RequestException) -> str:
    """A few words for a request that got no usable answer, instead of urllib3's repr."""
    if isinstance(error, requests.Timeout):
        return "timed out waiting for an answer"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "the answer was cut off"
    if isinstance(error, requests.ConnectionError):
        return "the connection was refused or dropped"
    return type(error).__name__


def status_of(failure: BaseException | None) -> int | None:
    """The HTTP status of a failed request, if it got that far."""
    response = getattr(failure, "response", None)
    return response.status_code if response is not None else None


def seconds(header: str | None) -> float | None:
    """A ``Retry-After`` in seconds; None when absent or given as a date."""
    try:
        return float(header) if header else None
    except ValueError:
        return None
