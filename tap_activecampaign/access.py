"""The first request of every sync: is the URL an ActiveCampaign API, and is the key good?

Checking once up front turns the commonest mistakes (wrong URL, wrong key, no network)
into one clear message within seconds, instead of a retry loop on the first table.
"""

from __future__ import annotations

import logging
import time
from http import HTTPStatus
from urllib.parse import urlsplit

import requests

from tap_activecampaign.budget import RequestBudget
from tap_activecampaign.errors import ActiveCampaignError

CONNECT_TIMEOUT = 5.0
ATTEMPTS = 4

logger = logging.getLogger(__name__)


def check_access(
    api_url: str, api_key: str, *, timeout: float, user_agent: str, budget: RequestBudget
) -> None:
    """Ask ``/api/3/users/me`` who the key belongs to (within the account's budget).

    Raises:
        ActiveCampaignError: The host is unreachable, is not the API, or refuses the key.
    """
    host = urlsplit(api_url).netloc
    headers = {"Api-Token": api_key, "Accept": "application/json", "User-Agent": user_agent}
    for attempt in range(1, ATTEMPTS + 1):
        budget.acquire()
        try:
            response = requests.get(
                f"{api_url}/api/3/users/me",
                headers=headers,
                timeout=(CONNECT_TIMEOUT, timeout),
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            msg = f"{host} did not answer in time: check api_url and your network"
            raise ActiveCampaignError(msg) from exc
        except requests.RequestException as exc:
            msg = f"Cannot connect to {host}: check api_url and your network"
            raise ActiveCampaignError(msg) from exc
        status = response.status_code
        if status == HTTPStatus.TOO_MANY_REQUESTS or status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            wait = min(float(response.headers.get("Retry-After", 2**attempt) or 1), 30.0)
            logger.warning(
                "The API answered HTTP %d; checking access again in %.0f s", status, wait
            )
            time.sleep(wait)
            continue
        _raise_for_access(response, host)
        logger.info("Connected to the ActiveCampaign API at %s; the API key was accepted", host)
        return
    msg = f"{host} kept failing (HTTP {status}) while checking the API key; try again later"
    raise ActiveCampaignError(msg)


def _raise_for_access(response: requests.Response, host: str) -> None:
    status = response.status_code
    if status in {HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN}:
        msg = (
            f"ActiveCampaign at {host} rejected the API key (HTTP {status}): copy the key "
            "from Settings > Developer in ActiveCampaign"
        )
        raise ActiveCampaignError(msg)
    if HTTPStatus.MULTIPLE_CHOICES <= status < HTTPStatus.BAD_REQUEST:
        target = urlsplit(response.headers.get("Location", "")).hostname or "another address"
        msg = (
            f"{host} redirects to {target}, so it is not your API URL (the key was not "
            "sent on): check api_url in Settings > Developer"
        )
        raise ActiveCampaignError(msg)
    try:
        looks_right = status == HTTPStatus.OK and "user" in response.json()
    except ValueError:
        looks_right = False
    if not looks_right:
        msg = (
            f"{host} answered HTTP {status} but is not an ActiveCampaign API: check "
            "api_url (it looks like https://ACCOUNT.api-us1.com)"
        )
        raise ActiveCampaignError(msg)
