"""A full sync against the sandbox: every table, every record, every type."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from jsonschema import Draft7Validator, FormatChecker

from tap_activecampaign.streams import STREAM_TYPES
from tests.conftest import SandboxClient
from tests.tap_process import TapRun, run_tap, sync_streams
from tests.values import is_unusable

STREAMS = {stream.name: stream.resource for stream in STREAM_TYPES}


@pytest.fixture(scope="module")
def full_sync(default_sandbox: SandboxClient, tmp_path_factory: pytest.TempPathFactory) -> TapRun:
    run = run_tap(tmp_path_factory.mktemp("full"), default_sandbox.config())
    assert run.returncode == 0, run.stderr[-3000:]
    return run


def test_sync_emits_exactly_the_twelve_streams(full_sync: TapRun) -> None:
    assert full_sync.streams() == set(STREAMS)


@pytest.mark.parametrize("stream", sorted(STREAMS))
def test_stream_returns_exactly_the_sandbox_records(
    full_sync: TapRun, default_sandbox: SandboxClient, stream: str
) -> None:
    ids = [record["id"] for record in full_sync.records(stream)]
    duplicates = [record_id for record_id, n in Counter(ids).items() if n > 1]
    assert not duplicates
    expected = default_sandbox.ids(STREAMS[stream])
    assert expected, f"the sandbox has no {stream}"
    assert sorted(ids) == expected


@pytest.mark.parametrize("stream", sorted(STREAMS))
def test_records_validate_against_their_schema_with_formats(full_sync: TapRun, stream: str) -> None:
    validator = Draft7Validator(full_sync.schema(stream), format_checker=FormatChecker())
    for record in full_sync.records(stream):
        errors = [error.message for error in validator.iter_errors(record)]
        assert not errors, f"{stream} id {record['id']}: {errors}"


@pytest.mark.parametrize("stream", sorted(STREAMS))
def test_timestamps_are_utc(full_sync: TapRun, stream: str) -> None:
    schema = full_sync.schema(stream)["properties"]
    columns = [name for name, prop in schema.items() if prop.get("format") == "date-time"]
    for record in full_sync.records(stream):
        for column in columns:
            value = record.get(column)
            assert value is None or value.endswith("+00:00"), (column, value)


@pytest.mark.parametrize("stream", sorted(STREAMS))
def test_no_usable_value_is_lost(
    full_sync: TapRun, default_sandbox: SandboxClient, stream: str
) -> None:
    """Every non-empty API value survives conversion: the schema fits the real data."""
    from tap_activecampaign.normalize import column_name

    emitted = {record["id"]: record for record in full_sync.records(stream)}
    properties = full_sync.schema(stream)["properties"]
    lost = Counter()
    for raw in default_sandbox.raw_records(STREAMS[stream]):
        row = emitted[int(raw["id"])]
        for key, value in raw.items():
            name = column_name(key)
            if key == "links" or is_unusable(value):
                continue
            assert name in properties, f"{stream}.{name} is not in the schema"
            if row.get(name) is None:
                lost[f"{name}={value!r}"[:80]] += 1
    assert not lost, f"{stream}: values turned into null: {lost.most_common(10)}"


def test_25000_contacts_arrive_exactly_once(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=25, counts={"contacts": 25_000})
    run = sync_streams(tmp_path, sandbox.config(), "contacts")
    assert run.returncode == 0, run.stderr[-2000:]
    records = run.records("contacts")
    ids = [record["id"] for record in records]
    assert len(ids) == len(set(ids)) == 25_000
    assert sorted(ids) == sandbox.ids("contacts")
    validator = Draft7Validator(run.schema("contacts"), format_checker=FormatChecker())
    invalid = [record["id"] for record in records if not validator.is_valid(record)]
    assert not invalid
