"""Bad data never breaks a sync: hostile values arrive as nulls, usable ones intact.

One full sync of all twelve streams runs against a sandbox with ``hostile_data`` on (see
``tap_activecampaign/sandbox/render/hostile.py``): numbers as JSON numbers on some rows and
strings on others, ``""`` in number fields, both zero-date forms and impossible dates in date
and timestamp fields, ``links`` as ``[]``, unknown fields. ``meta.total`` is varied per run.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, FormatChecker

from tap_activecampaign.normalize import column_name
from tap_activecampaign.sandbox import SandboxServer
from tap_activecampaign.streams import STREAM_TYPES
from tests.conftest import TEST_KEY, SandboxClient
from tests.tap_process import TapRun, run_tap, sync_streams
from tests.values import is_zero_or_impossible_date

STREAMS = {stream.name: stream.resource for stream in STREAM_TYPES}
UNKNOWN = ("someNewField", "anotherNewField")


@pytest.fixture(scope="module")
def hostile() -> Iterator[SandboxClient]:
    server = SandboxServer(seed=13, api_key=TEST_KEY, hostile_data=True)
    server.start()
    yield SandboxClient(server)
    server.stop()


@pytest.fixture(scope="module")
def hostile_sync(hostile: SandboxClient, tmp_path_factory: pytest.TempPathFactory) -> TapRun:
    run = run_tap(tmp_path_factory.mktemp("hostile"), hostile.config())
    assert run.returncode == 0, run.stderr[-3000:]
    return run


@pytest.fixture(scope="module")
def raw(hostile: SandboxClient) -> dict[str, list[dict[str, Any]]]:
    """What the API sent, per stream (the control API renders the same records)."""
    return {stream: hostile.raw_records(resource) for stream, resource in STREAMS.items()}


def _kind(prop: dict[str, Any]) -> str:
    types = [t for t in prop.get("type", []) if t != "null"]
    return prop.get("format") or (types[0] if types else "")


def _columns_by_kind(run: TapRun, stream: str) -> dict[str, str]:
    return {name: _kind(prop) for name, prop in run.schema(stream)["properties"].items()}


def test_the_hostile_dataset_has_every_case(
    hostile_sync: TapRun, raw: dict[str, list[dict[str, Any]]]
) -> None:
    """Guards the other tests: each bad-data case really is in what the API sent."""
    seen: Counter[str] = Counter()
    for stream, records in raw.items():
        kinds = _columns_by_kind(hostile_sync, stream)
        types_per_column: dict[str, set[type]] = {}
        for record in records:
            assert record["someNewField"], stream
            seen["links []" if record.get("links") == [] else "links {}"] += "links" in record
            for key, value in record.items():
                kind = kinds.get(column_name(key), "")
                types_per_column.setdefault(key, set()).add(type(value))
                if kind in {"date", "date-time"} and isinstance(value, str):
                    if value == "0000-00-00":
                        seen[f"{kind}: 0000-00-00"] += 1
                    elif value == "0000-00-00 00:00:00":
                        seen[f"{kind}: 0000-00-00 00:00:00"] += 1
                    elif is_zero_or_impossible_date(value):
                        seen[f"{kind}: impossible"] += 1
                if kind in {"integer", "number"} and value == "":
                    seen["'' in a number field"] += 1
        mixed = [k for k, t in types_per_column.items() if {int, str} <= t]
        assert "id" in mixed, f"{stream}: ids are not mixed JSON numbers and strings"
        seen["number/string mix"] += len(mixed)

    forms = raw["forms"]
    paddings = {type(form["style"]["button"]["padding"]) for form in forms}
    recent = [item for form in forms for item in form["recent"]]
    for case in [
        "date: 0000-00-00",
        "date: 0000-00-00 00:00:00",
        "date: impossible",
        "date-time: 0000-00-00",
        "date-time: 0000-00-00 00:00:00",
        "date-time: impossible",
        "'' in a number field",
        "number/string mix",
        "links []",
        "links {}",
    ]:
        assert seen[case], f"the hostile dataset lacks {case}: {seen}"
    assert paddings == {int, str}
    assert recent
    assert all(isinstance(item, str) for item in recent)
    assert any("anotherNewField" in record for record in raw["contacts"])
    assert not all("anotherNewField" in record for record in raw["contacts"])


def test_all_twelve_streams_arrive_exactly_once(
    hostile_sync: TapRun, hostile: SandboxClient
) -> None:
    assert hostile_sync.streams() == set(STREAMS)
    for stream, resource in STREAMS.items():
        ids = [record["id"] for record in hostile_sync.records(stream)]
        assert len(ids) == len(set(ids)), stream
        assert sorted(ids) == hostile.ids(resource), stream


@pytest.mark.parametrize("stream", sorted(STREAMS))
def test_every_record_validates_against_its_schema(hostile_sync: TapRun, stream: str) -> None:
    validator = Draft7Validator(hostile_sync.schema(stream), format_checker=FormatChecker())
    for record in hostile_sync.records(stream):
        errors = [error.message for error in validator.iter_errors(record)]
        assert not errors, f"{stream} id {record['id']}: {errors}"


_TYPED = frozenset({"date", "date-time", "integer", "number", "boolean"})


def _unusable(kind: str, value: Any) -> bool:
    if value is None:
        return True
    if kind in {"date", "date-time"}:
        return value == "" or is_zero_or_impossible_date(value)
    return kind in {"integer", "number", "boolean"} and value == ""


def _arrived_wrong(kind: str, value: Any, got: Any) -> bool:
    """Whether a usable API value arrived as something else."""
    if got is None:
        return True
    if kind in {"integer", "number"}:
        return Decimal(str(got)) != Decimal(str(value))
    if kind == "boolean":
        return got is not (str(value).lower() in {"1", "true"})
    if kind == "string" and isinstance(value, (str, int)):
        return bool(got != str(value))
    return False


@pytest.mark.parametrize("stream", sorted(STREAMS))
def test_unusable_values_become_null_and_usable_ones_arrive_intact(
    hostile_sync: TapRun, raw: dict[str, list[dict[str, Any]]], stream: str
) -> None:
    emitted = {record["id"]: record for record in hostile_sync.records(stream)}
    kinds = _columns_by_kind(hostile_sync, stream)
    wrong: Counter[str] = Counter()
    for record in raw[stream]:
        row = emitted[int(record["id"])]
        for key, value in record.items():
            if key == "links" or key in UNKNOWN:
                continue
            name = column_name(key)
            kind, got = kinds[name], row.get(name)
            if _unusable(kind, value):
                if kind in _TYPED and got is not None:
                    wrong[f"{name}={value!r} -> {got!r} (expected null)"] += 1
            elif _arrived_wrong(kind, value, got):
                wrong[f"{name}={value!r} -> {got!r}"] += 1
    assert not wrong, f"{stream}: {wrong.most_common(10)}"


def test_form_style_and_recent_arrive_as_sent(
    hostile_sync: TapRun, raw: dict[str, list[dict[str, Any]]]
) -> None:
    emitted = {record["id"]: record for record in hostile_sync.records("forms")}
    for form in raw["forms"]:
        row = emitted[int(form["id"])]
        assert row["style"] == form["style"]  # padding "10px" on some, 10 on others
        assert row["recent"] == form["recent"]  # plain strings


def _warnings_naming(run: TapRun, stream: str, column: str) -> list[str]:
    logger = re.compile(rf"\| WARNING\s+\| tap-activecampaign\.{stream}\s+\|")
    return [line for line in run.stderr.splitlines() if logger.search(line) and column in line]


def test_unknown_fields_are_dropped(hostile_sync: TapRun) -> None:
    for stream in STREAMS:
        for record in hostile_sync.records(stream):
            assert not {"some_new_field", "another_new_field", *UNKNOWN} & set(record)


@pytest.mark.parametrize("stream", sorted(STREAMS))
def test_an_unknown_field_is_reported_once_per_stream(hostile_sync: TapRun, stream: str) -> None:
    """Once per stream and field, not per record; also a field only some rows carry."""
    warnings = _warnings_naming(hostile_sync, stream, "some_new_field")
    assert len(warnings) == 1, warnings
    if stream == "contacts":
        assert len(_warnings_naming(hostile_sync, stream, "another_new_field")) == 1


@pytest.mark.parametrize("mode", ["api", "string", "int", "null", "absent"])
def test_every_record_arrives_whatever_meta_total_says(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path, mode: str
) -> None:
    """250 tags end on a short page, 200 deals on an empty one, 250 contacts by id ranges."""
    counts = {"tags": 250, "deals": 200, "contacts": 250}
    sandbox = start_sandbox(seed=4, counts=counts, meta_total=mode)
    run = sync_streams(tmp_path, sandbox.config(), "tags", "deals", "contacts")
    assert run.returncode == 0, run.stderr[-2000:]
    for stream, resource in [("tags", "tags"), ("deals", "deals"), ("contacts", "contacts")]:
        ids = [record["id"] for record in run.records(stream)]
        assert len(ids) == len(set(ids)) == counts[stream], stream
        assert sorted(ids) == sandbox.ids(resource)
    requests = Counter(entry["path"] for entry in sandbox.requests_log())
    # Each page once, no loop. A full last page is always followed by one more request (the
    # total is not trusted to end the data), so 200 deals take an empty third page.
    assert requests["/api/3/tags"] == 3, requests
    assert requests["/api/3/deals"] == 3, requests
    assert requests["/api/3/contacts"] <= 5, requests  # a probe, then pages by id range
