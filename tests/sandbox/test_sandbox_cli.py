"""The ``tap-activecampaign-sandbox`` command: banner, serving, clean exit, loopback only."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

import requests

COMMAND = [sys.executable, "-m", "tap_activecampaign.sandbox.cli"]


def test_cli_serves_until_sigterm_and_exits_cleanly() -> None:
    process = subprocess.Popen(
        [*COMMAND, "--port", "0", "--contacts", "42", "--seed", "5"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        banner = process.stderr.readline()
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+) \(seed 5, 42 contacts\)", banner)
        assert match, banner
        body = requests.get(
            f"{match.group(1)}/api/3/contacts",
            headers={"Api-Token": "sandbox-key"},
            timeout=10,
        ).json()
    finally:
        process.send_signal(signal.SIGTERM)
        _, errors = process.communicate(timeout=10)

    assert body["meta"]["total"] == "42"
    assert process.returncode == 0
    assert "Traceback" not in errors


def test_cli_refuses_a_non_loopback_host() -> None:
    result = subprocess.run(
        [*COMMAND, "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode != 0
    assert "non-loopback" in result.stderr
