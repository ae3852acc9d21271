"""Run the tap as a user would, in a child process, and read its Singer output."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class TapRun:
    """What one run of the tap wrote, split by message type."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    messages: list[dict[str, Any]] = field(default_factory=list)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [message for message in self.messages if message["type"] == kind]

    def records(self, stream: str) -> list[dict[str, Any]]:
        return [m["record"] for m in self.of_type("RECORD") if m["stream"] == stream]

    def schema(self, stream: str) -> dict[str, Any]:
        schemas = [m for m in self.of_type("SCHEMA") if m["stream"] == stream]
        assert schemas, f"no SCHEMA message for {stream}"
        return schemas[-1]["schema"]

    def streams(self) -> set[str]:
        return {m["stream"] for m in self.of_type("SCHEMA")}

    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if "| ERROR" in line]


def run_tap(
    tmp_path: Path,
    config: dict[str, Any],
    *args: str,
    catalog: dict[str, Any] | None = None,
    state: dict[str, Any] | None = None,
    timeout: float = 600,
) -> TapRun:
    """Run ``python -m tap_activecampaign`` with the given config and inputs."""
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps(config))
    command = [sys.executable, "-m", "tap_activecampaign", "--config", str(config_file), *args]
    if catalog is not None:
        catalog_file = tmp_path / "catalog.json"
        catalog_file.write_text(json.dumps(catalog))
        command += ["--catalog", str(catalog_file)]
    if state is not None:
        state_file = tmp_path / "state.json"
        state_file.write_text(json.dumps(state))
        command += ["--state", str(state_file)]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    run = TapRun(done.returncode, done.stdout, done.stderr, time.monotonic() - started)
    secret = str(config.get("api_key") or "")
    if len(secret) >= 8:  # every run of the suite doubles as a check that the key never leaks
        assert secret not in done.stdout, "the API key appeared on stdout"
        assert secret not in done.stderr, "the API key appeared on stderr"
    if "--discover" not in args:
        run.messages = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return run


def select_streams(catalog: dict[str, Any], wanted: set[str]) -> dict[str, Any]:
    """Mark only the wanted streams (and all their fields) as selected."""
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if not item["breadcrumb"]:
                item["metadata"]["selected"] = entry["tap_stream_id"] in wanted
    return catalog


def discover(tmp_path: Path, config: dict[str, Any]) -> dict[str, Any]:
    """The catalog that ``--discover`` prints."""
    run = run_tap(tmp_path, config, "--discover")
    assert run.returncode == 0, run.stderr[-2000:]
    catalog: dict[str, Any] = json.loads(run.stdout)
    return catalog


def sync_streams(tmp_path: Path, config: dict[str, Any], *streams: str, **kwargs: Any) -> TapRun:
    """Sync only the named streams."""
    catalog = select_streams(discover(tmp_path, config), set(streams))
    return run_tap(tmp_path, config, catalog=catalog, **kwargs)
