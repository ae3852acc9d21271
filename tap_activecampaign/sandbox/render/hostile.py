"""Hostile data: the odd values a tap must survive, added to any table on demand.

Applied on top of a rendered record when the server's ``hostile_data`` switch is on; each
row's share of trouble is drawn from (seed, table, id), so it is the same on every request:

* ``numbers``: every numeric value is a JSON number on about half of the rows and a string
  on the others (ids, counts, flags, foreign keys, money, id lists), so the same field
  arrives as ``5`` on one row and ``"5"`` on the next.
* ``blank_number``: on a third of the rows one numeric field is ``""``.
* ``bad_dates``: on a third of the rows every date and timestamp field (including null
  date-only ones) holds ``0000-00-00``, ``0000-00-00 00:00:00`` or an impossible calendar
  date (Feb 30) in the field's own shape, rotating between the three.
* ``links_empty``: on a third of the rows ``links`` is ``[]`` instead of an object.
* ``unknown_field``: every record has ``someNewField``, which no schema knows; contacts
  also have ``anotherNewField`` on some rows only.
"""

from __future__ import annotations

import re
from typing import Any

from tap_activecampaign.sandbox.clock import ZERO_DATE, ZERO_DATETIME
from tap_activecampaign.sandbox.hashing import code, mix
from tap_activecampaign.sandbox.render.common import Record

HOSTILE = code("hostile")

UNKNOWN_FIELD = "someNewField"
OPTIONAL_UNKNOWN_FIELD = "anotherNewField"
IMPOSSIBLE_DATE = "2021-02-30"

_INTEGER = re.compile(r"-?(?:0|[1-9]\d*)")
_DECIMAL = re.compile(r"-?(?:0|[1-9]\d*)\.\d+")
_DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}(?P<rest>(?:[T ]\d{1,2}:\d{2}(?::\d{2})?.*)?)")

# Date-only fields that are often null; bad-date rows fill them too.
_DATE_ONLY_FIELDS: dict[str, tuple[str, ...]] = {"contacts": ("bounced_date", "rating_tstamp")}


def lanes(seed: int, stream: str, row_id: int) -> dict[str, bool]:
    """Which hostile quirks one row carries."""
    draw = mix(seed, HOSTILE, code(stream), row_id)
    return {
        "numbers": bool(draw & 1),
        "blank_number": (draw >> 1) % 3 == 0,
        "bad_dates": (draw >> 3) % 3 == 0,
        "links_empty": (draw >> 5) % 3 == 0,
        "optional_unknown": stream == "contacts" and bool((draw >> 7) & 1),
    }


def apply(seed: int, stream: str, record: Record) -> Record:
    """Return the record with this row's hostile quirks."""
    row_id = int(record["id"])
    draw = mix(seed, HOSTILE, code(stream), row_id)
    row = lanes(seed, stream, row_id)
    out: Record = dict(record)

    blanked = None
    if row["blank_number"]:
        numeric = sorted(k for k, v in out.items() if k != "id" and _is_numeric(v))
        if numeric:
            blanked = numeric[(draw >> 9) % len(numeric)]
    for key, value in out.items():
        out[key] = _as_numbers(value) if row["numbers"] else _as_strings(value)
    if blanked is not None:
        out[blanked] = ""

    if row["bad_dates"]:
        dated = [k for k, v in out.items() if isinstance(v, str) and _DATE_LIKE.fullmatch(v)]
        dated += [k for k in _DATE_ONLY_FIELDS.get(stream, ()) if k in out and k not in dated]
        for index, key in enumerate(sorted(dated)):
            out[key] = _bad_date(out[key], (draw >> 13) + index)

    if row["links_empty"] and "links" in out:
        out["links"] = []
    out[UNKNOWN_FIELD] = f"new-{stream}-{row_id}"
    if row["optional_unknown"]:
        out[OPTIONAL_UNKNOWN_FIELD] = True
    return out


def _is_numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and bool(_INTEGER.fullmatch(value) or _DECIMAL.fullmatch(value))


def _as_numbers(value: Any) -> Any:
    """Numeric strings (alone or in a list) as JSON numbers."""
    if isinstance(value, list):
        return [_as_numbers(item) for item in value]
    if isinstance(value, str):
        if _INTEGER.fullmatch(value):
            return int(value)
        if _DECIMAL.fullmatch(value):
            return float(value)
    return value


def _as_strings(value: Any) -> Any:
    """JSON numbers (alone or in a list) as strings; booleans stay booleans."""
    if isinstance(value, list):
        return [_as_strings(item) for item in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def _bad_date(value: Any, turn: int) -> str:
    """A zero date (both forms) or an impossible date in the value's own shape."""
    choice = turn % 3
    if choice == 0:
        return ZERO_DATE
    if choice == 1:
        return ZERO_DATETIME
    match = _DATE_LIKE.fullmatch(value) if isinstance(value, str) else None
    return IMPOSSIBLE_DATE + (match["rest"] if match else "")
