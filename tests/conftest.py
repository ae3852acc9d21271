"""Fixtures: a sandbox API over real HTTP on loopback, and a config pointing at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from tap_activecampaign.sandbox import SandboxServer

TEST_KEY = "test-key-7f3a9c2e51d84b6a"
"""The sandbox key in every test; the suite greps all tap output for it."""


class SandboxClient:
    """A running sandbox plus the control calls the tests need, all over HTTP."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.url = server.url
        self.session = requests.Session()
        self.session.headers["Api-Token"] = TEST_KEY

    def config(self, **overrides: Any) -> dict[str, Any]:
        """Tap config for this sandbox. The budget is lifted (the sandbox has no limit
        unless a test starts it with one), so tests are not paced at 5 requests/s."""
        return {
            "api_url": self.url,
            "api_key": TEST_KEY,
            "max_requests_per_second": 1000,
            **overrides,
        }

    def ids(self, resource: str) -> list[int]:
        return self._get(f"/__sandbox/ids/{resource}")["ids"]

    def raw_records(self, resource: str) -> list[dict[str, Any]]:
        return self._get(f"/__sandbox/records/{resource}")["records"]

    def stats(self) -> dict[str, Any]:
        return self._get("/__sandbox/stats")

    def requests_log(self) -> list[dict[str, Any]]:
        return self._get("/__sandbox/requests")["requests"]

    def post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        response = self.session.post(f"{self.url}/__sandbox/{path}", json=payload, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else {}

    def _get(self, path: str) -> Any:
        response = self.session.get(f"{self.url}{path}", timeout=60)
        response.raise_for_status()
        return response.json()


@pytest.fixture
def start_sandbox() -> Iterator[Callable[..., SandboxClient]]:
    """Start sandboxes with given options; all are stopped after the test."""
    servers: list[SandboxServer] = []

    def start(**options: Any) -> SandboxClient:
        options.setdefault("api_key", TEST_KEY)
        server = SandboxServer(**options)
        server.start()
        servers.append(server)
        return SandboxClient(server)

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def default_sandbox() -> Iterator[SandboxClient]:
    """One sandbox with the default dataset, shared by a test module."""
    server = SandboxServer(seed=11, api_key=TEST_KEY)
    server.start()
    yield SandboxClient(server)
    server.stop()
