"""Paging at the edges of the page size, for offset paging and for contacts' id keyset."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SandboxClient
from tests.tap_process import sync_streams

SIZES = [0, 1, 99, 100, 101, 250]


def _api_calls(sandbox: SandboxClient, resource: str) -> list[dict]:
    return [entry for entry in sandbox.requests_log() if entry["path"] == f"/api/3/{resource}"]


@pytest.mark.parametrize("size", SIZES)
def test_offset_paging(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path, size: int
) -> None:
    sandbox = start_sandbox(seed=3, counts={"tags": size})
    run = sync_streams(tmp_path, sandbox.config(), "tags")
    assert run.returncode == 0, run.stderr[-2000:]
    ids = [record["id"] for record in run.records("tags")]
    assert len(ids) == len(set(ids)) == size
    assert sorted(ids) == sandbox.ids("tags")
    calls = _api_calls(sandbox, "tags")
    # Pages after the first are fetched side by side, so they may arrive in any order. A
    # full last page is always followed by one more request: meta.total is not trusted.
    offsets = sorted(int(call["params"]["offset"]) for call in calls)
    assert offsets == list(range(0, size + 1, 100))
    assert {call["params"]["limit"] for call in calls} == {"100"}


@pytest.mark.parametrize("size", SIZES)
def test_contacts_keyset_paging(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path, size: int
) -> None:
    sandbox = start_sandbox(seed=4, counts={"contacts": size})
    run = sync_streams(tmp_path, sandbox.config(), "contacts")
    assert run.returncode == 0, run.stderr[-2000:]
    ids = [record["id"] for record in run.records("contacts")]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sandbox.ids("contacts")
    probe, *pages = _api_calls(sandbox, "contacts")
    # One request for the highest id plans the id ranges; small tables are one range.
    assert probe["params"]["orders[id]"] == "DESC"
    assert probe["params"]["limit"] == "1"
    assert all(call["params"]["orders[id]"] == "ASC" for call in pages)
    assert len(pages) == size // 100 + 1  # a full page always asks for the next one
