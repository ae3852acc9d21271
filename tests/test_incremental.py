"""Incremental contacts and deals: only what changed, nothing missed, resumable."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from tests.conftest import SandboxClient
from tests.tap_process import TapRun, discover, run_tap, select_streams

INCREMENTAL = ("contacts", "deals")


def _bookmark(state: dict[str, Any], stream: str) -> str:
    return state["bookmarks"][stream]["replication_key_value"]


def _final_state(run: TapRun) -> dict[str, Any]:
    return run.of_type("STATE")[-1]["value"]


def _ids(run: TapRun, stream: str) -> set[int]:
    return {record["id"] for record in run.records(stream)}


def _sync(tmp_path: Path, sandbox: SandboxClient, state: dict | None = None, **config) -> TapRun:
    catalog = select_streams(discover(tmp_path, sandbox.config()), set(INCREMENTAL))
    run = run_tap(tmp_path, sandbox.config(**config), catalog=catalog, state=state)
    assert run.returncode == 0, run.stderr[-3000:]
    return run


def _api_requests(sandbox: SandboxClient, resource: str) -> list[dict[str, Any]]:
    return [entry for entry in sandbox.requests_log() if entry["path"] == f"/api/3/{resource}"]


def _at_bookmark(sandbox: SandboxClient, resource: str, column: str, bookmark: str) -> set[int]:
    """Ids whose update stamp is exactly the bookmark's instant (allowed to repeat)."""
    instant = datetime.fromisoformat(bookmark)
    return {
        int(raw["id"])
        for raw in sandbox.raw_records(resource)
        if raw.get(column) and datetime.fromisoformat(raw[column]) == instant
    }


def test_second_run_emits_exactly_what_changed(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=41, counts={"contacts": 3000, "deals": 400})
    first = _sync(tmp_path, sandbox)
    assert len(_ids(first, "contacts")) == 3000
    assert _ids(first, "deals") == set(sandbox.ids("deals"))  # stubs included on a first sync
    state = _final_state(first)

    changed_contacts = sandbox.ids("contacts")[100:137]
    full_deals = [int(raw["id"]) for raw in sandbox.raw_records("deals") if "mdate" in raw]
    changed_deals = full_deals[10:15]  # stubs have no mdate to change
    sandbox.post("update", {"resource": "contacts", "ids": changed_contacts})
    sandbox.post("update", {"resource": "deals", "ids": changed_deals})
    sandbox.post("stats/reset", {})

    second = _sync(tmp_path, sandbox, state)
    allowed_contacts = _at_bookmark(sandbox, "contacts", "udate", _bookmark(state, "contacts"))
    allowed_deals = _at_bookmark(sandbox, "deals", "mdate", _bookmark(state, "deals"))
    assert (
        set(changed_contacts)
        <= _ids(second, "contacts")
        <= set(changed_contacts) | allowed_contacts
    )
    assert set(changed_deals) <= _ids(second, "deals") <= set(changed_deals) | allowed_deals
    assert all(
        record["first_name"].endswith(")")
        for record in second.records("contacts")
        if record["id"] in changed_contacts
    )
    # A handful of requests, each carrying the update-time filter: no re-read of the tables.
    contacts_requests = _api_requests(sandbox, "contacts")
    deals_requests = _api_requests(sandbox, "deals")
    assert len(contacts_requests) <= 3
    assert len(deals_requests) == 1
    assert all("filters[updated_after]" in r["params"] for r in contacts_requests + deals_requests)

    third = _sync(tmp_path, sandbox, _final_state(second))
    state2 = _final_state(second)
    assert _ids(third, "contacts") <= _at_bookmark(
        sandbox, "contacts", "udate", _bookmark(state2, "contacts")
    )
    assert _ids(third, "deals") <= _at_bookmark(
        sandbox, "deals", "mdate", _bookmark(state2, "deals")
    )


def test_bookmarks_are_utc_and_ignore_stubs(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=42, counts={"contacts": 200, "deals": 300})
    state = _final_state(_sync(tmp_path, sandbox))
    newest = max(
        datetime.fromisoformat(raw["mdate"])
        for raw in sandbox.raw_records("deals")
        if "mdate" in raw
    )
    assert _bookmark(state, "deals") == newest.astimezone(timezone.utc).isoformat()
    assert _bookmark(state, "contacts").endswith("+00:00")
    assert "progress_markers" not in state["bookmarks"]["contacts"]


def test_updates_made_during_a_run_arrive_in_the_next(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    """A record changed after the tap passed it must not be hidden behind a later one.

    While run 1 is under way, contacts it already passed get a newer stamp, and contacts it
    has not reached yet get an even newer one. Run 1 sees only the latter; if its bookmark
    took their stamp, run 2 would skip the former.
    """
    sandbox = start_sandbox(seed=43, counts={"contacts": 4000, "deals": 50}, latency_ms=40)
    ids = sandbox.ids("contacts")
    passed, ahead = ids[:10], ids[-10:]
    soon = datetime.now(timezone.utc).replace(microsecond=0)
    done: list[bool] = []

    def touch_during_the_run() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            walks = [
                r
                for r in _api_requests(sandbox, "contacts")
                if int(r["params"].get("id_greater", 0)) >= ids[99]
            ]
            if walks:
                at = (soon + timedelta(seconds=5)).isoformat()
                sandbox.post("update", {"resource": "contacts", "ids": passed, "at": at})
                at = (soon + timedelta(seconds=10)).isoformat()
                sandbox.post("update", {"resource": "contacts", "ids": ahead, "at": at})
                done.append(True)
                return
            time.sleep(0.01)

    toucher = threading.Thread(target=touch_during_the_run)
    toucher.start()
    first = _sync(tmp_path, sandbox, max_parallel_requests=2)
    toucher.join()
    assert done, "the run ended before the first page was passed"
    assert set(ahead) <= _ids(first, "contacts")  # reached after the change: seen as changed
    second = _sync(tmp_path, sandbox, _final_state(first))
    assert set(passed) <= _ids(second, "contacts")


def test_same_update_time_across_a_run_boundary(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=44, counts={"contacts": 500, "deals": 20})
    instant = "2026-11-20T12:00:00-06:00"  # after every generated stamp, before the run
    first_id, second_id = sandbox.ids("contacts")[10], sandbox.ids("contacts")[400]
    sandbox.post("update", {"resource": "contacts", "ids": [first_id], "at": instant})
    first = _sync(tmp_path, sandbox)
    state = _final_state(first)
    assert _bookmark(state, "contacts") == "2026-11-20T18:00:00+00:00"

    sandbox.post("update", {"resource": "contacts", "ids": [second_id], "at": instant})
    second = _sync(tmp_path, sandbox, state)
    assert _ids(second, "contacts") == {first_id, second_id}


def test_same_update_time_across_a_page_boundary(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=45, counts={"contacts": 500, "deals": 20})
    state = _final_state(_sync(tmp_path, sandbox))
    ids = sandbox.ids("contacts")
    pair = [ids[99], ids[100], ids[250]]  # last of page 1, first of page 2, and further on
    sandbox.post("update", {"resource": "contacts", "ids": pair, "at": "2026-11-21T08:00:00Z"})
    second = _sync(tmp_path, sandbox, state)
    assert set(pair) <= _ids(second, "contacts")


def test_killed_first_sync_resumes_where_it_stopped(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=46, counts={"contacts": 20_000, "deals": 10})
    config = sandbox.config(max_requests_per_second=60)
    catalog = select_streams(discover(tmp_path, config), {"contacts"})
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "catalog.json").write_text(json.dumps(catalog))
    tap = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tap_activecampaign",
            "--config",
            str(tmp_path / "config.json"),
            "--catalog",
            str(tmp_path / "catalog.json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert tap.stdout is not None
    seen: set[int] = set()
    last_state: dict[str, Any] | None = None
    for line in tap.stdout:
        message = json.loads(line)
        if message["type"] == "RECORD":
            seen.add(message["record"]["id"])
        elif message["type"] == "STATE":
            last_state = message["value"]
        if len(seen) >= 10_000 and last_state and "resume" in last_state["bookmarks"]["contacts"]:
            tap.kill()
            break
    tap.wait()
    assert last_state is not None
    assert 0 < len(seen) < 20_000

    sandbox.post("stats/reset", {})
    resumed = run_tap(tmp_path, config, catalog=catalog, state=last_state)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    again = _ids(resumed, "contacts")
    assert seen | again == set(sandbox.ids("contacts"))
    assert len(again) < 20_000 - 5_000  # it continued; it did not start over
    assert min(sandbox.ids("contacts")) not in again
    assert all(
        int(r["params"].get("id_greater", 1)) > 0 for r in _api_requests(sandbox, "contacts")
    )
    assert "resume" not in _final_state(resumed)["bookmarks"]["contacts"]
