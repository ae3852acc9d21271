"""The HTTP request handler: auth, rate limit, latency, faults, then the API or control answer."""

from __future__ import annotations

import hmac
import json
import socket
import struct
import time
from contextlib import suppress
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from tap_activecampaign.sandbox.api import API_PREFIX, ApiResult, not_found
from tap_activecampaign.sandbox.control import CONTROL_PREFIX
from tap_activecampaign.sandbox.faults import FaultRule
from tap_activecampaign.sandbox.stats import RESET

if TYPE_CHECKING:
    from tap_activecampaign.sandbox.server import SandboxHTTPServer, SandboxServer

# Deliberately generic: the body must never echo the key that was sent.
AUTH_ERROR = {"message": "An invalid API key was provided. Check the Api-Token header."}

_MAX_BODY = 10 * 1024 * 1024


class SandboxHandler(BaseHTTPRequestHandler):
    """Serves one keep-alive connection."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm on, a keep-alive client's
    # delayed ACK would hold every answer back by about 40 ms.
    disable_nagle_algorithm = True
    server_version = "ActiveCampaignSandbox/1.0"
    # Idle keep-alive connections are dropped after this many seconds.
    timeout = 120
    server: SandboxHTTPServer

    def do_GET(self) -> None:
        """Handle GET."""
        self._dispatch()

    def do_POST(self) -> None:
        """Handle POST."""
        self._dispatch()

    def do_DELETE(self) -> None:
        """Handle DELETE."""
        self._dispatch()

    def do_PUT(self) -> None:
        """Handle PUT."""
        self._dispatch()

    def version_string(self) -> str:
        """Name the server without the Python version."""
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Log per request only in verbose mode; the default stderr line per hit is noise."""
        if self.server.sandbox.verbose:
            super().log_message(format, *args)

    def _dispatch(self) -> None:
        """Read the whole request, then route it by path prefix."""
        url = urlsplit(self.path)
        pairs = parse_qsl(url.query, keep_blank_values=True)
        raw_body = self._read_body()
        if url.path.startswith(CONTROL_PREFIX):
            self._control(url.path, raw_body)
        elif url.path.startswith(API_PREFIX) or url.path == API_PREFIX.rstrip("/"):
            self._api(url.path, pairs)
        else:
            self._send(404, not_found(url.path).body)

    def _api(self, path: str, pairs: list[tuple[str, str]]) -> None:
        """Answer an API request the way the real service would, faults included."""
        sandbox = self.server.sandbox
        arrived = time.monotonic()
        resource = path[len(API_PREFIX) :].split("/", 1)[0] or "api"
        headers: dict[str, str] = {}

        if sandbox.limiter is not None:
            admission = sandbox.limiter.admit()
            headers["RateLimit-Limit"] = str(admission.limit)
            headers["RateLimit-Remaining"] = str(admission.remaining)
            if not admission.allowed:
                headers["Retry-After"] = str(admission.retry_after)
                self._send(429, {"message": "Too Many Requests"}, headers)
                sandbox.stats.record(path, resource, pairs, 429, rate_limited=True, arrived=arrived)
                return

        if sandbox.latency_ms > 0:
            sandbox.stopping.wait(sandbox.latency_ms / 1000)

        result = self._api_result(path, pairs)
        fault = None
        if result.status == 200:
            fault = sandbox.faults.draw(resource, dict(pairs), path)
        # Logged before answering, so a client that got its answer finds it in the log.
        sandbox.stats.record(
            path,
            resource,
            pairs,
            _fault_status(fault, result.status) if fault else result.status,
            fault=fault.kind if fault else None,
            arrived=arrived,
        )
        if fault:
            self._inject(fault, result, headers)
        else:
            self._send(result.status, result.body, headers)

    def _api_result(self, path: str, pairs: list[tuple[str, str]]) -> ApiResult:
        """Check the key and method, then ask the API for the answer."""
        sandbox = self.server.sandbox
        if not _same_key(self.headers.get("Api-Token"), sandbox.api_key):
            return ApiResult(403, AUTH_ERROR)
        if self.command != "GET":
            return ApiResult(405, {"message": "Method Not Allowed"})
        return sandbox.api.get(path, pairs)

    def _inject(self, fault: FaultRule, result: ApiResult, headers: dict[str, str]) -> None:
        """Misbehave as the rule says."""
        if fault.retry_after is not None or (fault.kind == "status" and fault.status == 429):
            headers["Retry-After"] = str(fault.retry_after or 1)
        if fault.kind in {"status", "forbidden"}:
            status = _fault_status(fault, result.status)
            body = fault.body
            if body is None:
                forbidden = fault.kind == "forbidden"
                body = forbidden_body(self.path) if forbidden else _status_body(int(status))
            self._send(int(status), body, headers)
        elif fault.kind == "empty_body":
            self._send_raw(200, b"", headers)
        elif fault.kind == "truncated_json":
            encoded = _encode(result.body)
            self._send_raw(200, encoded[: len(encoded) // 2], headers)
        elif fault.kind == "redirect":
            target = fault.location or f"http://127.0.0.2:{self.server.server_port}"
            headers["Location"] = f"{target}{self.path}"
            self._send_raw(302, b"", headers)
        elif fault.kind == "stall":
            self.server.sandbox.stopping.wait(fault.seconds)
            self._send(result.status, result.body, headers)
        else:
            self._reset()

    def _control(self, path: str, raw_body: bytes) -> None:
        """Answer a control request (same key required, not counted in stats)."""
        sandbox: SandboxServer = self.server.sandbox
        if not _same_key(self.headers.get("Api-Token"), sandbox.api_key):
            self._send(403, AUTH_ERROR)
            return
        try:
            body = json.loads(raw_body) if raw_body.strip() else None
        except ValueError:
            self._send(400, {"message": "request body is not valid JSON"})
            return
        result = sandbox.control.handle(self.command, path, body)
        self._send(result.status, result.body)

    def _read_body(self) -> bytes:
        """Consume the request body so the keep-alive stream stays in step."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length <= 0:
            return b""
        if length > _MAX_BODY:
            self.close_connection = True
            return b""
        return self.rfile.read(length)

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        """Send a JSON response."""
        self._send_raw(status, _encode(body), headers)

    def _send_raw(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
        """Send a response with an exact Content-Length, so keep-alive works."""
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _reset(self) -> None:
        """Drop the connection without answering (RST), like a load balancer hiccup."""
        self.close_connection = True
        with suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()


def _fault_status(fault: FaultRule, status: int) -> int | str:
    """The status a fault answers with, as the request log records it."""
    statuses: dict[str, int | str] = {
        "status": fault.status,
        "forbidden": 403,
        "redirect": 302,
        "reset": RESET,
    }
    return statuses.get(fault.kind, status)


def _same_key(sent: str | None, expected: str) -> bool:
    """Compare keys in constant time."""
    return hmac.compare_digest((sent or "").encode(), expected.encode())


def _encode(body: Any) -> bytes:
    """Serialise compactly, as the API does."""
    return json.dumps(body, separators=(",", ":")).encode()


def forbidden_body(path: str) -> dict[str, Any]:
    """The API's answer when the key's user lacks the permission for a resource."""
    resource = urlsplit(path).path[len(API_PREFIX) :].split("/", 1)[0] or "this resource"
    detail = f"You do not have permission to view {resource}."
    return {"errors": [{"status": 403, "title": "Forbidden", "detail": detail}]}


def _status_body(status: int) -> dict[str, str]:
    """Return a plausible JSON error body for an injected status."""
    try:
        return {"message": HTTPStatus(status).phrase}
    except ValueError:
        return {"message": f"Error {status}"}
