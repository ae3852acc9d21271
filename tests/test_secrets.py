"""Secrets stay secret: the API key appears in no output, at any log level, in no error.

``run_tap`` already fails any run whose stdout (records, state, catalog) or stderr (logs)
contains the key; these tests add the runs most likely to leak it: DEBUG logging, config
from the environment, and errors that quote what the API answered.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_KEY, SandboxClient
from tests.tap_process import discover, run_tap, select_streams, sync_streams

SMALL = {"contacts": 150, "deals": 120, "tags": 150, "accounts": 20}
DEBUG = [{"LOGLEVEL": "DEBUG"}, {"TAP_ACTIVECAMPAIGN_LOGLEVEL": "DEBUG"}]


@pytest.mark.parametrize("env", DEBUG, ids=lambda env: next(iter(env)))
def test_the_key_stays_out_of_debug_output(
    start_sandbox: Callable[..., SandboxClient],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    sandbox = start_sandbox(seed=3, counts=SMALL)
    rules = [  # a retry warning and a skipped table, both quoting the API's answer
        {"resource": "tags", "kind": "status", "status": 503, "times": 1},
        {"resource": "lists", "kind": "forbidden"},
    ]
    sandbox.post("faults", {"rules": rules})
    config = sandbox.config()

    catalog = discover(tmp_path, config)  # run_tap checks every run's output for the key
    assert TEST_KEY not in json.dumps(catalog)
    run = run_tap(tmp_path, config, catalog=catalog, state={"bookmarks": {}})
    assert run.returncode == 0, run.stderr[-3000:]
    assert "| DEBUG" in run.stderr, "the log level did not take effect"
    assert run.of_type("STATE")
    assert "Skipping lists" in run.stderr

    wrong = run_tap(tmp_path, config | {"api_key": "wrong-key-5be01d9c"})
    assert wrong.returncode != 0
    assert TEST_KEY not in wrong.stderr
    invalid = run_tap(tmp_path, {"api_url": "ftp://acme.api-us1.com", "api_key": TEST_KEY})
    assert invalid.returncode != 0
    assert "Traceback" not in wrong.stderr + invalid.stderr


def _run_with_env_config(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "tap_activecampaign", "--config", "ENV", *args]
    return subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **env}, timeout=120, check=False
    )


def _sandbox_env(sandbox: SandboxClient, **settings: str) -> dict[str, str]:
    """Environment variables pointing the tap at ``sandbox``, plus any other settings."""
    return {
        "TAP_ACTIVECAMPAIGN_API_URL": sandbox.url,
        "TAP_ACTIVECAMPAIGN_API_KEY": TEST_KEY,
        **settings,
    }


def test_the_key_stays_out_of_the_output_with_config_from_the_environment(
    start_sandbox: Callable[..., SandboxClient],
) -> None:
    sandbox = start_sandbox(seed=3, counts={"contacts": 5, "deals": 5})
    env = _sandbox_env(sandbox, LOGLEVEL="DEBUG")
    for args in [("--discover",), ()]:
        done = _run_with_env_config(env, *args)
        assert done.returncode == 0, done.stderr[-2000:]
        assert TEST_KEY not in done.stdout
        assert TEST_KEY not in done.stderr


def test_numeric_settings_from_the_environment_are_accepted(
    start_sandbox: Callable[..., SandboxClient],
) -> None:
    sandbox = start_sandbox(seed=3, counts={"contacts": 5, "deals": 5})
    env = _sandbox_env(
        sandbox,
        TAP_ACTIVECAMPAIGN_MAX_REQUESTS_PER_SECOND="50",
        TAP_ACTIVECAMPAIGN_LOOKBACK_HOURS="1.5",
    )
    done = _run_with_env_config(env)
    assert done.returncode == 0, done.stderr[-2000:]


ECHO = {"message": f"Invalid or expired Api-Token {TEST_KEY}"}


@pytest.mark.parametrize(
    "rule",
    [
        pytest.param(
            {"resource": "tags", "kind": "status", "status": 503, "body": ECHO, "times": 1},
            id="retry-warning",
        ),
        pytest.param(
            {"resource": "tags", "kind": "forbidden", "body": ECHO},
            id="skipped-table-warning",
        ),
        pytest.param(
            {"resource": "tags", "kind": "status", "status": 400, "body": ECHO},
            id="fatal-error",
        ),
        pytest.param(
            {"resource": "users", "kind": "status", "status": 403, "body": ECHO},
            id="access-check",
        ),
    ],
)
def test_a_key_the_api_echoes_is_not_repeated(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path, rule: dict[str, Any]
) -> None:
    sandbox = start_sandbox(seed=3, counts={"tags": 150, "lists": 5})
    sandbox.post("faults", {"rules": [rule]})
    catalog = select_streams(discover(tmp_path, sandbox.config()), {"tags", "lists"})
    run = run_tap(tmp_path, sandbox.config(), catalog=catalog)  # fails if the key leaks
    assert run.stderr


def test_quoted_response_bodies_are_truncated(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    body = {"message": "x" * 5000 + "END-OF-BODY"}
    sandbox = start_sandbox(seed=3, counts={"tags": 150, "lists": 5, "automations": 5})
    rules = [
        {"resource": "automations", "kind": "status", "status": 503, "body": body, "times": 1},
        {"resource": "lists", "kind": "forbidden", "body": body},
    ]
    sandbox.post("faults", {"rules": rules})
    warned = sync_streams(tmp_path, sandbox.config(), "automations", "lists", "tags")
    assert warned.returncode == 0, warned.stderr[-3000:]

    sandbox.post(
        "faults", {"rules": [{"resource": "tags", "kind": "status", "status": 400, "body": body}]}
    )
    failed = sync_streams(tmp_path, sandbox.config(), "tags")
    assert failed.returncode != 0

    for run in (warned, failed):
        quoting = [line for line in run.stderr.splitlines() if "xxxxxxxxxx" in line]
        assert quoting, run.stderr[-3000:]
        assert "END-OF-BODY" not in run.stderr
        assert max(len(line) for line in quoting) < 1000
