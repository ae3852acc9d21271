"""Turn raw API records into rows that match the stream's JSON schema.

ActiveCampaign sends ids and counts as strings, flags as ``"0"``/``"1"``, three kinds of
timestamps and camelCase keys next to snake_case ones. The schema says what each column
should be; this module builds one converter per column from it, so streams only declare
schemas. A value that cannot be converted becomes None: a sync must never fail on one
odd value, and never emit a value that breaks the declared type.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Mapping
from datetime import tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

import inflection

from tap_activecampaign.timestamps import parse_date, parse_datetime

Converter = Callable[[Any], Any]

DROPPED_KEYS = frozenset({"links"})
"""API keys that never become columns: ``links`` only holds URLs of related resources."""


@functools.lru_cache(maxsize=4096)
def column_name(api_key: str) -> str:
    """Map an API key to its column name (``firstName`` -> ``first_name``)."""
    return inflection.underscore(api_key)


def _to_integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    number = _to_number(value)
    if number is None or number != number.to_integral_value():
        return None
    return int(number)


def _to_number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


_TRUE = frozenset({"1", "true", "t", "yes", "y"})
_FALSE = frozenset({"0", "false", "f", "no", "n"})


def _to_boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, Decimal)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def _to_string(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)
    return str(value)


def _to_object(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _datetime_converter(local_zone: tzinfo) -> Converter:
    def convert(value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        moment = parse_datetime(value, local_zone)
        return moment.isoformat() if moment else None

    return convert


def _to_date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    day = parse_date(value)
    return day.isoformat() if day else None


def _array_converter(item: Converter | None) -> Converter:
    def convert(value: Any) -> list[Any] | None:
        if not isinstance(value, list):
            return None
        return value if item is None else [item(element) for element in value]

    return convert


def _main_type(schema: Mapping[str, Any]) -> str | None:
    declared = schema.get("type")
    types = [declared] if isinstance(declared, str) else list(declared or [])
    return next((name for name in types if name != "null"), None)


def converter_for(schema: Mapping[str, Any], local_zone: tzinfo) -> Converter | None:
    """Build the converter for one property schema, or None to pass values through."""
    kind = _main_type(schema)
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date-time":
            return _datetime_converter(local_zone)
        return _to_date if fmt == "date" else _to_string
    if kind == "array":
        items = schema.get("items")
        return _array_converter(converter_for(items, local_zone) if items else None)
    simple: dict[str, Converter] = {
        "integer": _to_integer,
        "number": _to_number,
        "boolean": _to_boolean,
        "object": _to_object,
    }
    return simple.get(kind or "")


class RecordNormalizer:
    """Renames keys to column names and converts values to the schema's types.

    Keys the schema does not know are dropped; each new one is reported once through
    ``on_unknown``, so a field ActiveCampaign adds is noticed without a warning per record.
    """

    def __init__(
        self,
        schema: Mapping[str, Any],
        local_zone: tzinfo,
        on_unknown: Callable[[str], None] = lambda name: None,
    ) -> None:
        """Prepare one converter per schema property.

        Args:
            schema: The stream's JSON schema.
            local_zone: The account timezone that naive timestamps are read in.
            on_unknown: Called once with each column name the schema does not know.
        """
        self._converters: dict[str, Converter | None] = {
            name: converter_for(prop, local_zone)
            for name, prop in schema.get("properties", {}).items()
        }
        self._on_unknown = on_unknown
        self._unknown: set[str] = set()

    def __call__(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Return the row for one API record."""
        row: dict[str, Any] = {}
        converters = self._converters
        for key, value in raw.items():
            if key in DROPPED_KEYS:
                continue
            name = column_name(key)
            if name not in converters:
                self._report_unknown(name)
                continue
            convert = converters[name]
            row[name] = value if convert is None or value is None else convert(value)
        return row

    def _report_unknown(self, name: str) -> None:
        if name not in self._unknown:
            self._unknown.add(name)
            self._on_unknown(name)
