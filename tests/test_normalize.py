"""Conversion of raw API values into the schema's types."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tap_activecampaign.normalize import RecordNormalizer, column_name
from tap_activecampaign.timestamps import parse_date, parse_datetime

CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2018-09-12T16:53:50-05:00", "2018-09-12T21:53:50+00:00"),
        ("2018-09-12T16:53:50Z", "2018-09-12T16:53:50+00:00"),
        ("2018-09-12T16:53:50.123456Z", "2018-09-12T16:53:50.123456+00:00"),
        ("2019-09-06T2:10:00-05:00", "2019-09-06T07:10:00+00:00"),
        # Naive values are wall-clock time in the account zone, DST included.
        ("2021-06-30 04:12:13", "2021-06-30T09:12:13+00:00"),
        ("2021-01-30 04:12:13", "2021-01-30T10:12:13+00:00"),
        ("2018-05-10", "2018-05-10T05:00:00+00:00"),
        ("0000-00-00 00:00:00", None),
        ("0000-00-00", None),
        ("2021-02-30 10:00:00", None),
        ("2022-13-01", None),
        ("", None),
        ("not a date", None),
    ],
)
def test_parse_datetime(raw: str, expected: str | None) -> None:
    moment = parse_datetime(raw, CHICAGO)
    assert (moment.isoformat() if moment else None) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2018-05-10", "2018-05-10"), ("0000-00-00", None), ("2021-02-30", None), ("", None)],
)
def test_parse_date(raw: str, expected: str | None) -> None:
    day = parse_date(raw)
    assert (day.isoformat() if day else None) == expected


@pytest.mark.parametrize(
    ("api_key", "column"),
    [
        ("firstName", "first_name"),
        ("cardRegion1", "card_region1"),
        ("segmentio_id", "segmentio_id"),
        ("isDisabled", "is_disabled"),
        ("createdTimestamp", "created_timestamp"),
    ],
)
def test_column_name(api_key: str, column: str) -> None:
    assert column_name(api_key) == column


SCHEMA = {
    "properties": {
        "id": {"type": ["integer"]},
        "count": {"type": ["integer", "null"]},
        "value": {"type": ["number", "null"]},
        "flag": {"type": ["boolean", "null"]},
        "name": {"type": ["string", "null"]},
        "udate": {"type": ["string", "null"], "format": "date-time"},
        "bounced_date": {"type": ["string", "null"], "format": "date"},
        "style": {"type": ["object", "null"]},
        "stages": {"type": ["array", "null"], "items": {"type": ["integer"]}},
        "recent": {"type": ["array", "null"]},
    }
}


def test_record_normalizer_converts_each_type() -> None:
    normalize = RecordNormalizer(SCHEMA, CHICAGO)
    row = normalize(
        {
            "id": "42",
            "count": 7,
            "value": "10000.50",
            "flag": "1",
            "name": 123,
            "udate": "2024-03-05T09:12:44-06:00",
            "bounced_date": "0000-00-00",
            "style": {"button": {"padding": "10px"}},
            "stages": ["1", 2],
            "recent": ["a", "b"],
            "links": {"notes": "https://x/api/3/notes"},
            "unknownField": "not in the schema",
        }
    )
    assert row == {
        "id": 42,
        "count": 7,
        "value": Decimal("10000.50"),
        "flag": True,
        "name": "123",
        "udate": "2024-03-05T15:12:44+00:00",
        "bounced_date": None,
        "style": {"button": {"padding": "10px"}},
        "stages": [1, 2],
        "recent": ["a", "b"],
    }


def test_unknown_fields_are_dropped_and_reported_once() -> None:
    reported: list[str] = []
    normalize = RecordNormalizer(SCHEMA, CHICAGO, reported.append)
    rows = [normalize({"id": str(n), "newField": n, "otherNew": 1}) for n in range(50)]
    assert all(set(row) == {"id"} for row in rows)
    assert reported == ["new_field", "other_new"]


@pytest.mark.parametrize(
    ("column", "raw"),
    [
        ("count", ""),
        ("count", "12.5"),
        ("count", "abc"),
        ("value", ""),
        ("value", "NaN"),
        ("flag", "maybe"),
        ("flag", 2),
        ("style", []),
        ("stages", "1,2"),
        ("udate", 20240305),
    ],
)
def test_unusable_values_become_null(column: str, raw: object) -> None:
    assert RecordNormalizer(SCHEMA, CHICAGO)({"id": "1", column: raw})[column] is None


def test_integers_accept_json_numbers_and_strings_alike() -> None:
    normalize = RecordNormalizer(SCHEMA, CHICAGO)
    assert [normalize({"id": raw})["id"] for raw in ("5", 5, Decimal("5.0"), " 5 ")] == [5] * 4
