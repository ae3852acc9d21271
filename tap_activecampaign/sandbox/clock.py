"""The account clock: renders and parses timestamps the way ActiveCampaign does.

ActiveCampaign renders every timestamp in the account timezone (America/Chicago here):
``dt`` fields carry the numeric offset, naive ``dtn`` fields are the same wall clock without it,
and ``d`` fields keep only the date. Internally the sandbox keeps epoch seconds.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

ACCOUNT_TZ = ZoneInfo("America/Chicago")

# A fixed "now" for generated data, so a seed always yields the same dataset; it lies in the
# past so that mutations stamped with the real clock are always newer than generated rows.
REFERENCE_EPOCH = int(datetime(2026, 11, 1, 0, 0, tzinfo=ACCOUNT_TZ).timestamp())
HISTORY_START_EPOCH = int(datetime(2019, 1, 1, 0, 0, tzinfo=ACCOUNT_TZ).timestamp())

ZERO_DATE = "0000-00-00"
ZERO_DATETIME = "0000-00-00 00:00:00"

_INSTANT = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    # A "+" that was not URL-encoded arrives as a space, so accept " 05:00" as "+05:00".
    r"(Z|z|[+\- ]\d{2}:?\d{2})?\s*$"
)


def now_epoch() -> int:
    """Return the real clock in whole seconds, the precision the API shows."""
    return int(time.time())


def local(epoch: int) -> datetime:
    """Return the account-local wall clock for an epoch second."""
    return datetime.fromtimestamp(epoch, ACCOUNT_TZ)


def format_dt(epoch: int) -> str:
    """Render a ``dt`` value such as ``2024-03-05T09:12:44-06:00``."""
    return local(epoch).isoformat()


def format_dt_short_hour(epoch: int) -> str:
    """Render a ``dt`` value with a one-digit hour, a quirk seen in the API docs."""
    moment = local(epoch)
    hour = moment.hour % 9 + 1
    moment = moment.replace(hour=hour)
    offset = moment.isoformat()[-6:]
    return f"{moment:%Y-%m-%d}T{hour}:{moment:%M:%S}{offset}"


def format_dtn(epoch: int) -> str:
    """Render a naive ``dtn`` value: the account wall clock without an offset."""
    return local(epoch).isoformat(" ")[:19]


def format_d(epoch: int) -> str:
    """Render a date-only ``d`` value."""
    return local(epoch).isoformat()[:10]


def parse_instant(text: str) -> int | None:
    """Parse a filter or control timestamp into epoch seconds, or None when unreadable.

    Accepts dates, ``date time`` and ``dateTtime`` with optional fractions and ``Z`` or numeric
    offsets. Values without an offset are account-local; fractions are truncated.
    """
    match = _INSTANT.match(text)
    if match is None:
        return None

    year, month, day, hour, minute, second, _fraction, offset = match.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        return None

    return int(moment.replace(tzinfo=_zone_for(offset)).timestamp())


def _zone_for(offset: str | None) -> timezone | ZoneInfo:
    """Map an offset suffix to a tzinfo; no suffix means the account timezone."""
    if offset is None:
        return ACCOUNT_TZ
    if offset in {"Z", "z"}:
        return timezone.utc

    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    return timezone(sign * timedelta(minutes=minutes))
