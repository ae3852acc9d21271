"""ACTIVATE_VERSION, which lets targets reflect deletes: when the tap sends it, and when not.

A target that receives ACTIVATE_VERSION for a stream marks deleted (or removes) every row of
that table it has not received in that version. So the message must come after the stream's
last record, once per full-table stream, and never for a stream whose sync failed: sent early,
every row not yet re-sent would count as deleted. ``tests/test_postgres_meltano.py`` checks
the consequences in a real PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import SandboxClient
from tests.tap_process import TapRun, discover, run_tap, sync_streams

FULL_TABLE = "FULL_TABLE"


def full_table_streams(tmp_path: Path, sandbox: SandboxClient) -> set[str]:
    catalog = discover(tmp_path, sandbox.config())
    return {
        entry["tap_stream_id"]
        for entry in catalog["streams"]
        if entry["replication_method"] == FULL_TABLE
    }


def positions(run: TapRun, kind: str, stream: str) -> list[int]:
    return [
        index
        for index, message in enumerate(run.messages)
        if message["type"] == kind and message["stream"] == stream
    ]


def activations(run: TapRun, stream: str) -> list[dict[str, Any]]:
    return [m for m in run.of_type("ACTIVATE_VERSION") if m["stream"] == stream]


def test_each_full_table_stream_ends_with_activate_version(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=5, counts={"contacts": 250})
    full_table = full_table_streams(tmp_path, sandbox)
    assert {"accounts", "tags", "lists", "custom_fields"} <= full_table

    run = run_tap(tmp_path, sandbox.config())

    assert run.returncode == 0, run.stderr[-2000:]
    assert len(run.streams()) == 12
    # A run without state reads even the incremental streams from the beginning, so every
    # stream may activate its new version.
    for stream in run.streams():
        sent = positions(run, "ACTIVATE_VERSION", stream)
        assert len(sent) == 1, stream
        records = positions(run, "RECORD", stream)
        assert records, stream
        assert sent[0] > max(records), f"{stream}: ACTIVATE_VERSION before a record"
        version = run.messages[sent[0]]["version"]
        assert isinstance(version, int)
        assert {
            m.get("version")
            for m in run.messages
            if m["type"] == "RECORD" and m["stream"] == stream
        } == {version}, stream


def test_incremental_runs_from_a_bookmark_never_activate(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=6, counts={"contacts": 250})
    full_table = full_table_streams(tmp_path, sandbox)
    first = run_tap(tmp_path, sandbox.config())
    assert first.returncode == 0, first.stderr[-2000:]
    state = first.of_type("STATE")[-1]["value"]

    second = run_tap(tmp_path, sandbox.config(), state=state)
    assert second.returncode == 0, second.stderr[-2000:]
    for stream in second.streams():
        expected = 1 if stream in full_table else 0
        assert len(activations(second, stream)) == expected, stream

    # start_date also makes the first sync partial: no activation for incremental streams.
    dated = run_tap(tmp_path, sandbox.config(start_date="2026-10-01T00:00:00Z"))
    assert dated.returncode == 0, dated.stderr[-2000:]
    assert {m["stream"] for m in dated.of_type("ACTIVATE_VERSION")} == full_table


def test_an_empty_stream_still_activates_its_version(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    # Every tag deleted in the account: the target must learn that no row is left.
    sandbox = start_sandbox(seed=5, counts={"tags": 0})

    run = sync_streams(tmp_path, sandbox.config(), "tags")

    assert run.returncode == 0, run.stderr[-2000:]
    assert run.records("tags") == []
    assert len(activations(run, "tags")) == 1


def test_the_setting_turns_it_off(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=5)

    run = sync_streams(
        tmp_path, sandbox.config(emit_activate_version_messages=False), "tags", "lists"
    )

    assert run.returncode == 0, run.stderr[-2000:]
    assert run.records("tags")
    assert run.records("lists")
    assert run.of_type("ACTIVATE_VERSION") == []


def test_a_failed_stream_sends_no_activate_version(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=5, counts={"tags": 150})
    # Streams run in alphabetical order: accounts completes, then tags fails from its second
    # page on, on every attempt. Retry-After keeps the retries short.
    rule = {"resource": "tags", "min_offset": 100, "kind": "status", "status": 500}
    sandbox.post("faults", {"rules": [{**rule, "retry_after": 0}]})

    run = sync_streams(tmp_path, sandbox.config(), "accounts", "tags")

    assert run.returncode == 1
    assert len(run.records("tags")) == 100
    assert activations(run, "tags") == []
    # A stream that finished before the failure did reflect its deletes.
    assert len(run.records("accounts")) == len(sandbox.ids("accounts"))
    assert len(activations(run, "accounts")) == 1
    assert positions(run, "ACTIVATE_VERSION", "accounts")[0] > max(
        positions(run, "RECORD", "accounts")
    )
