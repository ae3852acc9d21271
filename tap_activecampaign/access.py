"""The first request of every sync: is the URL an ActiveCampaign API, and is the key good?

Checking once up front turns the commonest mistakes (wrong URL, wrong key, no network)
into one clear message within seconds, instead of a retry loop on the first table. What
can be a passing fault (an empty or broken body, a reset connection, a 429 or 5xx, a single
403 on a good key) is tried again a few times first; a refused connection or an unknown host
is not, since retrying cannot change it.
"""

from __future__ import annotations

import logging
import time
from http import HTTPStatus
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError

from tap_activecampaign.budget import RequestBudget
from tap_activecampaign.errors import ActiveCampaignError, redirect_message
from tap_activecampaign.retries import seconds

CONNECT_TIMEOUT = 5.0
ATTEMPTS = 4
FORBIDDEN_ATTEMPTS = 3

logger = logging.getLogger(__name__)


class _PassingError(Exception):
    """A failure worth one more attempt; its text says what went wrong."""

    def __init__(self, reason: str, wait: float = 1.0, *, forbidden: bool = False) -> None:
        super().__init__(reason)
        self.wait = wait
        self.forbidden = forbidden


def check_access(
    api_url: str, api_key: str, *, timeout: float, user_agent: str, budget: RequestBudget
) -> None:
    """Ask ``/api/3/users/me`` who the key belongs to (within the account's budget).

    Raises:
        ActiveCampaignError: The host is unreachable, is not the API, or refuses the key.
    """
    host = urlsplit(api_url).netloc
    headers = {"Api-Token": api_key, "Accept": "application/json", "User-Agent": user_agent}
    forbidden = 0
    for attempt in range(1, ATTEMPTS + 1):
        budget.acquire()
        try:
            _ask(f"{api_url}/api/3/users/me", headers, timeout, host)
        except _PassingError as failure:
            forbidden = forbidden + 1 if failure.forbidden else 0
            if attempt == ATTEMPTS or forbidden == FORBIDDEN_ATTEMPTS:
                raise ActiveCampaignError(str(failure)) from failure
            logger.warning(
                "The API key check failed (%s); trying again in %.0f s, as %s",
                "HTTP 403" if failure.forbidden else "no usable answer",
                failure.wait,
                "ActiveCampaign sometimes refuses a valid key once"
                if failure.forbidden
                else "this can be a passing fault",
            )
            time.sleep(failure.wait)
            continue
        logger.info("Connected to the ActiveCampaign API at %s; the API key was accepted", host)
        return


def _ask(url: str, headers: dict[str, str], timeout: float, host: str) -> None:
    try:
        response = requests.get(
            url, headers=headers, timeout=(CONNECT_TIMEOUT, timeout), allow_redirects=False
        )
    except requests.ConnectTimeout as exc:
        msg = f"Cannot connect to {host} (no answer): check api_url and your network"
        raise ActiveCampaignError(msg) from exc
    except requests.Timeout as exc:
        msg = f"{host} did not answer in time: check api_url and your network"
        raise _PassingError(msg) from exc
    except requests.exceptions.SSLError as exc:
        msg = (
            f"The secure connection to {host} failed (TLS certificate or protocol): check "
            "api_url, and any proxy between you and ActiveCampaign"
        )
        raise ActiveCampaignError(msg) from exc
    except requests.ConnectionError as exc:
        msg = f"Cannot connect to {host}: check api_url and your network"
        if _cannot_reach(exc):
            raise ActiveCampaignError(msg) from exc
        raise _PassingError(msg) from exc
    status = response.status_code
    if status == HTTPStatus.TOO_MANY_REQUESTS or status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        wait = seconds(response.headers.get("Retry-After")) or 2.0
        raise _PassingError(f"{host} answered HTTP {status}; try again later", min(wait, 30.0))
    _raise_for_answer(response, host)


def _cannot_reach(error: requests.ConnectionError) -> bool:
    """True for a refused connection or an unknown host, false for a dropped one."""
    cause: object = error
    seen = 0
    while isinstance(cause, BaseException) and seen < 10:
        if isinstance(cause, (NewConnectionError, NameResolutionError)):
            return True
        reason = getattr(cause, "reason", None)
        cause = reason if isinstance(reason, BaseException) else cause.__context__
        seen += 1
    return False


def _raise_for_answer(response: requests.Response, host: str) -> None:
    status = response.status_code
    if status in {HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN}:
        msg = (
            f"ActiveCampaign at {host} rejected the API key (HTTP {status}): copy the key "
            "from Settings > Developer in ActiveCampaign"
        )
        raise _PassingError(msg, forbidden=True)
    if HTTPStatus.MULTIPLE_CHOICES <= status < HTTPStatus.BAD_REQUEST:
        raise ActiveCampaignError(redirect_message(host, response))
    not_api = (
        f"{host} answered HTTP {status} but is not an ActiveCampaign API: check "
        "api_url (it looks like https://ACCOUNT.api-us1.com)"
    )
    if status != HTTPStatus.OK:
        raise ActiveCampaignError(not_api)
    try:
        body = response.json()
    except ValueError as exc:  # empty or cut-off body: a passing fault, or not the API
        raise _PassingError(f"{not_api} (its answer was not JSON)") from exc
    if not isinstance(body, dict) or "user" not in body:
        raise ActiveCampaignError(not_api)
