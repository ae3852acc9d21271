"""Judging raw API values in tests: which ones the tap may turn into null."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")


def is_zero_or_impossible_date(value: Any) -> bool:
    """``0000-00-00...``, ``2021-02-30...`` and the like: dates no calendar has."""
    match = _DATE_PREFIX.match(value) if isinstance(value, str) else None
    if not match:
        return False
    try:
        date(*(int(part) for part in match.groups()))
    except ValueError:
        return True
    return False


def is_unusable(value: Any) -> bool:
    """Values the tap is expected to turn into null: empties and dates no calendar has."""
    return value is None or value in ("", [], {}) or is_zero_or_impossible_date(value)
