"""Bad config and unreachable APIs end quickly, with one clear line and no key in sight."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY, SandboxClient
from tests.tap_process import TapRun, run_tap, sync_streams


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _assert_one_line_failure(run: TapRun, *words: str) -> None:
    assert run.returncode != 0
    assert run.seconds < 10
    assert "Traceback" not in run.stderr
    assert run.stdout == ""
    errors = run.error_lines()
    assert len(errors) == 1, run.stderr
    for word in words:
        assert word in errors[0], errors[0]


def test_wrong_key(start_sandbox: Callable[..., SandboxClient], tmp_path: Path) -> None:
    sandbox = start_sandbox(seed=1)
    run = run_tap(tmp_path, sandbox.config(api_key="wrong-key-0123456789"))
    _assert_one_line_failure(run, "rejected the API key", "403")
    assert "wrong-key-0123456789" not in run.stderr


def test_unreachable_host(tmp_path: Path) -> None:
    run = run_tap(tmp_path, {"api_url": f"http://127.0.0.1:{_closed_port()}", "api_key": TEST_KEY})
    _assert_one_line_failure(run, "Cannot connect", "check api_url")


def test_a_tls_failure_is_one_line(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=1)  # speaks plain HTTP, so the TLS handshake fails
    run = run_tap(tmp_path, sandbox.config(api_url=sandbox.url.replace("http://", "https://")))
    _assert_one_line_failure(run, "secure connection", "api_url")


def test_plain_http_to_a_remote_host_is_refused(tmp_path: Path) -> None:
    run = run_tap(tmp_path, {"api_url": "http://acme.api-us1.com", "api_key": TEST_KEY})
    _assert_one_line_failure(run, "https://")


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"api_url": "https://acme.api-us1.com"}, ["'api_key' is missing"]),
        ({"api_key": TEST_KEY}, ["'api_url' is missing"]),
        ({"api_url": "acme.api-us1.com", "api_key": TEST_KEY}, ["api_url", "https://"]),
        ({"api_url": "https://acme.api-us1.com", "api_key": 12345678901}, ["api_key", "string"]),
        (
            {"api_url": "https://acme.api-us1.com", "api_key": TEST_KEY, "timezone": "Mars/Base"},
            ["timezone"],
        ),
        ({"api_url": "http://127.0.0.1:99999", "api_key": TEST_KEY}, ["api_url"]),
        ({"api_url": "http://127.0.0.1:abc", "api_key": TEST_KEY}, ["api_url"]),
        ({"api_url": "https://acme.api-us1.com", "api_key": "  "}, ["'api_key' is empty"]),
        (
            {
                "api_url": "https://acme.api-us1.com",
                "api_key": TEST_KEY,
                "max_requests_per_second": 0,
            },
            ["max_requests_per_second", "greater than 0"],
        ),
    ],
)
def test_invalid_config(tmp_path: Path, config: dict, words: list[str]) -> None:
    run = run_tap(tmp_path, config)
    _assert_one_line_failure(run, "Invalid config", *words)
    assert "12345678901" not in run.stderr


def test_redirect_to_another_host_is_not_followed(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=1)
    sandbox.post("faults", {"rules": [{"resource": None, "kind": "redirect"}]})
    run = run_tap(tmp_path, sandbox.config())
    _assert_one_line_failure(run, "redirects", "api_url")
    assert all(entry["status"] == 302 for entry in sandbox.requests_log())


@pytest.mark.parametrize("url_suffix", ["", "/", "/api/3", "/api/3/", "  "])
def test_api_url_variants_are_accepted(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path, url_suffix: str
) -> None:
    sandbox = start_sandbox(seed=1, counts={"tags": 3})
    run = sync_streams(tmp_path, sandbox.config(api_url=sandbox.url + url_suffix), "tags")
    assert run.returncode == 0, run.stderr[-2000:]
    assert len(run.records("tags")) == 3


def test_discover_works_offline_and_lists_twelve_typed_streams(tmp_path: Path) -> None:
    run = run_tap(
        tmp_path, {"api_url": "https://acme.api-us1.com", "api_key": TEST_KEY}, "--discover"
    )
    assert run.returncode == 0
    catalog = json.loads(run.stdout)
    names = sorted(entry["tap_stream_id"] for entry in catalog["streams"])
    assert names == sorted(
        [
            "contacts",
            "accounts",
            "deals",
            "deal_stages",
            "deal_groups",
            "campaigns",
            "lists",
            "segments",
            "forms",
            "tags",
            "automations",
            "custom_fields",
        ]
    )
    for entry in catalog["streams"]:
        assert entry["key_properties"] == ["id"]
        properties = entry["schema"]["properties"]
        assert properties["id"]["type"] == ["integer"]
        assert all("type" in prop for prop in properties.values()), entry["tap_stream_id"]
