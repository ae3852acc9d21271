"""The tap's settings: their schema, and the checks the JSON schema cannot express."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from singer_sdk import typing as th

from tap_activecampaign.errors import ActiveCampaignError

DEFAULT_TIMEZONE = "America/Chicago"
"""Every timestamp in ActiveCampaign's API reference carries a US Central offset, and the
naive timestamps there match the wall clock of the offset-aware ones."""

CONFIG_SCHEMA = th.PropertiesList(
    th.Property(
        "api_url",
        th.StringType,
        required=True,
        title="API URL",
        description=(
            "Your account's API URL from Settings > Developer, like "
            "https://ACCOUNT.api-us1.com (a trailing / or /api/3 is fine)."
        ),
    ),
    th.Property(
        "api_key",
        th.StringType,
        required=True,
        secret=True,
        title="API key",
        description="API key from Settings > Developer; sent as the Api-Token header.",
    ),
    th.Property(
        "start_date",
        th.DateTimeType,
        title="Start date",
        description=(
            "Earliest update time to sync for incremental streams (ISO-8601, "
            "e.g. 2024-01-01T00:00:00Z)."
        ),
    ),
    th.Property(
        "timezone",
        th.StringType,
        default=DEFAULT_TIMEZONE,
        title="Account timezone",
        description=(
            "IANA timezone in which the API's timestamps without an offset are read "
            f"(default {DEFAULT_TIMEZONE}, the zone ActiveCampaign's own examples use). "
            "Set it to the timezone in your account settings."
        ),
    ),
    th.Property(
        "lookback_hours",
        th.NumberType,
        default=24,
        title="Look-back window",
        description=(
            "Hours subtracted from the bookmark in the API's update-time filter, because "
            "its precision and timezone are undocumented. Costs requests, never duplicates: "
            "records are re-checked against the exact bookmark."
        ),
    ),
    th.Property(
        "max_requests_per_second",
        th.NumberType,
        default=5,
        title="Request budget",
        description=(
            "Requests per second for the whole tap. ActiveCampaign allows 5 per account, "
            "shared with every other integration: lower it if others run at the same time."
        ),
    ),
    th.Property(
        "max_parallel_requests",
        th.IntegerType,
        default=8,
        title="Requests in flight",
        description="Requests sent side by side, so API latency does not slow the sync.",
    ),
    th.Property(
        "request_timeout",
        th.IntegerType,
        default=60,
        title="Request timeout",
        description="Seconds to wait for one API response before retrying it.",
    ),
    th.Property(
        "emit_activate_version_messages",
        th.BooleanType,
        default=True,
        title="Reflect deletes",
        description=(
            "End each stream that re-sent every record (full-table streams, and incremental "
            "ones synced from the beginning) with ACTIVATE_VERSION, after its last record, "
            "so targets can mark rows deleted in ActiveCampaign."
        ),
    ),
    th.Property(
        "user_agent",
        th.StringType,
        title="User agent",
        description="User-Agent header to send (default tap-activecampaign/VERSION).",
    ),
).to_dict()


def config_problems(config: Mapping[str, Any]) -> list[str]:
    """List what is wrong with a config, in words that never quote a value.

    The SDK's own messages repeat the offending value, which may be the API key.
    """
    candidate = _numbers_from_text(config)
    validator = Draft7Validator(CONFIG_SCHEMA, format_checker=FormatChecker())
    problems = [_describe(error) for error in validator.iter_errors(candidate)]
    if problems:
        return problems
    try:
        api_base_url(config["api_url"])
        account_timezone(config)
    except ActiveCampaignError as exc:
        problems.append(str(exc))
    if not str(config.get("api_key") or "").strip():
        problems.append("the setting 'api_key' is empty: copy the key from Settings > Developer")
    return problems + _out_of_range(candidate)


MAX_LOOKBACK_HOURS = 24 * 366

_POSITIVE = ("max_requests_per_second", "max_parallel_requests", "request_timeout")


def _out_of_range(config: Mapping[str, Any]) -> list[str]:
    """Settings whose value has the right type but makes no sense (a zero rate...)."""
    problems = [
        f"the setting '{name}' must be greater than 0"
        for name in _POSITIVE
        if config.get(name) is not None and config[name] <= 0
    ]
    if not 0 <= (config.get("lookback_hours") or 0) <= MAX_LOOKBACK_HOURS:
        problems.append(f"the setting 'lookback_hours' must be from 0 to {MAX_LOOKBACK_HOURS}")
    return problems


def _numbers_from_text(config: Mapping[str, Any]) -> dict[str, Any]:
    """Read number settings given as text, as they arrive from environment variables.

    The SDK converts integer and boolean settings from the environment, but not numbers;
    the tap reads these settings with ``float()``, which accepts the text as it is.
    """
    candidate = dict(config)
    for name, prop in CONFIG_SCHEMA["properties"].items():
        value = candidate.get(name)
        if "number" in prop.get("type", []) and isinstance(value, str):
            try:
                candidate[name] = float(value)
            except ValueError:
                continue
    return candidate


def _describe(error: ValidationError) -> str:
    if error.validator == "required":
        missing = str(error.message).split("'")[1]
        return f"the setting '{missing}' is missing"
    where = ".".join(str(part) for part in error.absolute_path) or "config"
    if error.validator == "type":
        expected = error.validator_value
        names = expected if isinstance(expected, list) else [expected]
        return f"the setting '{where}' must be a {' or '.join(map(str, names))}"
    if error.validator == "format":
        return f"the setting '{where}' must be a {error.validator_value}"
    return f"the setting '{where}' is not valid ({error.validator})"


def api_base_url(raw: str) -> str:
    """Normalise the API URL and refuse unsafe or malformed ones.

    Accepts the URL with or without a trailing ``/`` or ``/api/3``. Plain http is refused
    because the key would travel in clear text; loopback hosts (the sandbox) are exempt.

    Returns:
        The URL without trailing slash or ``/api/3``, e.g. ``https://acct.api-us1.com``.
    """
    url = raw.strip().rstrip("/")
    if url.lower().endswith("/api/3"):
        url = url[: -len("/api/3")].rstrip("/")
    parts = urlsplit(url)
    malformed = ActiveCampaignError(
        "api_url is not a URL like https://ACCOUNT.api-us1.com: "
        "copy it from Settings > Developer in ActiveCampaign"
    )
    try:
        parts.port  # noqa: B018 - reading it checks that the port is a valid number
    except ValueError as exc:
        raise malformed from exc
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise malformed
    if parts.username or parts.password:
        raise ActiveCampaignError(
            "api_url must not contain a user name or password: the key goes in api_key"
        )
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ActiveCampaignError(
            "api_url must start with https:// (plain http would send the API key "
            "unencrypted; only loopback hosts may use http)"
        )
    return url


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def api_key(config: Mapping[str, Any]) -> str:
    """The key as sent: surrounding whitespace (a newline from a key file) removed."""
    return str(config.get("api_key") or "").strip()


def account_timezone(config: Mapping[str, Any]) -> ZoneInfo:
    """Return the zone that naive API timestamps are read in."""
    name = config.get("timezone") or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ActiveCampaignError(
            f"timezone '{name}' is not an IANA timezone name such as America/New_York"
        ) from exc
