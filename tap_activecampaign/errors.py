"""Errors that end a run with one line a person can act on."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from singer_sdk.exceptions import FatalAPIError


class ActiveCampaignError(Exception):
    """A problem the user must fix (config, key, URL); printed as one line, exit 1."""


class ApiError(FatalAPIError):
    """The API answered in a way that retrying will not fix."""


def redirect_message(where: str, response: requests.Response) -> str:
    """Explain a redirect: ActiveCampaign's API does not redirect, a wrong URL does."""
    target = urlsplit(response.headers.get("Location", "")).hostname or "another address"
    return (
        f"{where} redirects to {target}, which was not followed (the key is not sent "
        "there): check api_url, it is shown under Settings > Developer"
    )


def quote_body(text: str, secret: str = "", limit: int = 300) -> str:
    """Shorten a response body for an error message.

    Bodies can be large and can hold personal data, so only the start is quoted.
    """
    if len(secret) >= 4:  # masked before cutting, so no part of the key survives the cut
        text = text.replace(secret, "***")
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else f"{flat[:limit]}... ({len(text)} bytes)"


class RateLimitedError(ApiError):
    """HTTP 429: the account's budget is spent; retried (many times) after the pause."""

    def __init__(self, message: str, response: requests.Response) -> None:
        """Keep the response, so its headers stay readable."""
        super().__init__(message)
        self.response = response


class ForbiddenError(ApiError):
    """HTTP 401/403 on a data request: after retries, the key's user may not read it."""
