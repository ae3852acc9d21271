"""Cases a first adversarial review found: moving tables, odd states, odd keys."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

from tests.conftest import TEST_KEY, SandboxClient
from tests.tap_process import TapRun, run_tap, sync_streams


def _one_line_failure(run: TapRun, *words: str) -> None:
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    errors = run.error_lines()
    assert len(errors) == 1, run.stderr[-2000:]
    for word in words:
        assert word in errors[0], errors[0]


def test_rows_deleted_while_paging_do_not_hide_live_rows(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    """Deleting the first rows mid-sync shifts every later page back; nothing may be lost."""
    sandbox = start_sandbox(seed=61, counts={"tags": 2000}, latency_ms=30)
    first = requests.get(
        f"{sandbox.url}/api/3/tags",
        params={"orders[search]": "ASC", "limit": 5},
        headers={"Api-Token": TEST_KEY},
        timeout=10,
    ).json()["tags"]
    doomed = [int(tag["id"]) for tag in first]

    def delete_once_paging_started() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            offsets = [
                int(e["params"].get("offset", 0))
                for e in sandbox.requests_log()
                if e["path"] == "/api/3/tags"
            ]
            if offsets and max(offsets) >= 300:  # the first pages are read already
                sandbox.post("delete", {"resource": "tags", "ids": doomed})
                return
            time.sleep(0.005)

    deleter = threading.Thread(target=delete_once_paging_started)
    deleter.start()
    run = sync_streams(tmp_path, sandbox.config(max_parallel_requests=2), "tags")
    deleter.join()
    assert run.returncode == 0, run.stderr[-2000:]
    emitted = {record["id"] for record in run.records("tags")}
    assert set(sandbox.ids("tags")) <= emitted  # every live row arrived
    assert "changed while it was being read" in run.stderr


def test_a_resume_point_with_nothing_left_is_ignored(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=62, counts={"contacts": 300})
    empty = {"resume": {"ranges": [], "since": None, "started_at": None, "version": 1}}
    run = sync_streams(
        tmp_path, sandbox.config(), "contacts", state={"bookmarks": {"contacts": empty}}
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert sorted(record["id"] for record in run.records("contacts")) == sandbox.ids("contacts")
    versions = {m["version"] for m in run.of_type("ACTIVATE_VERSION")}
    assert 1 not in versions


def test_a_key_read_from_a_file_with_its_newline_works(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=63, counts={"tags": 3})
    run = sync_streams(tmp_path, sandbox.config(api_key=TEST_KEY + "\n"), "tags")
    assert run.returncode == 0, run.stderr[-2000:]
    assert len(run.records("tags")) == 3


def test_credentials_in_the_url_are_refused(tmp_path: Path) -> None:
    config = {"api_url": "https://user:hunter2-secret@acme.api-us1.com", "api_key": TEST_KEY}
    run = run_tap(tmp_path, config)
    _one_line_failure(run, "user name or password")
    assert "hunter2-secret" not in run.stderr


def test_a_revoked_key_fails_the_run_instead_of_skipping_tables(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=64, counts={"tags": 3})
    sandbox.post("faults", {"rules": [{"resource": "tags", "kind": "status", "status": 401}]})
    run = sync_streams(tmp_path, sandbox.config(), "tags")
    _one_line_failure(run, "no longer accepts the API key")


def test_a_state_file_that_is_not_a_state_is_one_line(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=65, counts={"tags": 3})
    for state in ({"bookmarks": {"contacts": "2026-11-01T00:00:00Z"}}, {"bookmarks": []}):
        run = run_tap(tmp_path, sandbox.config(), state=state)
        _one_line_failure(run, "not a Singer state")
    (tmp_path / "broken.json").write_text("{not json")
    config = tmp_path / "c.json"
    config.write_text(json.dumps(sandbox.config()))
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tap_activecampaign",
            "--config",
            str(config),
            "--state",
            str(tmp_path / "broken.json"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "not a Singer state" in done.stderr


def test_a_start_date_that_is_not_a_date_is_refused(tmp_path: Path) -> None:
    config = {"api_url": "https://acme.api-us1.com", "api_key": TEST_KEY, "start_date": "yesterday"}
    _one_line_failure(run_tap(tmp_path, config), "start_date")
