"""Parse ActiveCampaign's three timestamp shapes into UTC.

The API mixes offset-aware values (``2018-09-12T16:53:50-05:00``), naive values in the
account's wall clock (``2021-06-30 04:12:13``) and date-only values (``2018-05-10``), and
uses ``0000-00-00`` sentinels for "never". Documented examples even carry a one-digit
hour, so parsing is done with one lenient pattern rather than ``fromisoformat``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo

_TIMESTAMP = re.compile(
    r"""
    ^\s*(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})
    (?:[T\s]+(?P<hour>\d{1,2}):(?P<minute>\d{1,2})
        (?::(?P<second>\d{1,2})(?:[.,](?P<fraction>\d+))?)?
    )?
    \s*(?P<offset>Z|z|[+-]\d{2}(?::?\d{2})?)?\s*$
    """,
    re.VERBOSE,
)


def _offset(text: str) -> tzinfo:
    """Turn ``Z``, ``+05``, ``-0500`` or ``-05:00`` into a fixed-offset zone."""
    if text in {"Z", "z"}:
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_datetime(value: str, local_zone: tzinfo) -> datetime | None:
    """Read an API timestamp as an aware UTC datetime.

    Args:
        value: The raw text from the API.
        local_zone: The zone that naive values are read in (the account's timezone).

    Returns:
        The instant in UTC, or None for empty text, zero-date sentinels, impossible
        calendar dates and anything that is not a timestamp at all.
    """
    try:
        moment: datetime | None = datetime.fromisoformat(value)  # fast path, most values
    except ValueError:
        moment = _parse_leniently(value)
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_zone)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:  # year 1 shifted before datetime.min
        return None


def _parse_leniently(value: str) -> datetime | None:
    """The slow path: one-digit hours, ``Z`` before Python 3.11, and invalid dates."""
    match = _TIMESTAMP.match(value)
    if match is None:
        return None
    parts = match.groupdict()
    fraction = (parts["fraction"] or "0")[:6].ljust(6, "0")
    try:
        moment = datetime(  # the zone is attached below
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int(fraction),
        )
    except ValueError:  # 0000-00-00, 2021-02-30, hour 24 ...
        return None
    return moment.replace(tzinfo=_offset(parts["offset"])) if parts["offset"] else moment


def parse_date(value: str) -> date | None:
    """Read a date-only API value, or the date part of a timestamp.

    Returns:
        The calendar date, or None for sentinels and impossible dates.
    """
    match = _TIMESTAMP.match(value)
    if match is None:
        return None
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None


def api_time(moment: datetime, local_zone: tzinfo) -> str:
    """Format an instant the way ActiveCampaign's own clients send filter values.

    The API documents its date filters only as ``date``; clients send the account's wall
    clock as ``YYYY-MM-DD HH:MM:SS``. How precisely the API honours the time part is not
    documented, which is why incremental syncs widen the filter by a look-back window.
    """
    return moment.astimezone(local_zone).strftime("%Y-%m-%d %H:%M:%S")
