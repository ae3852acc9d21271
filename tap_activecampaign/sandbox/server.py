"""``SandboxServer``: an ActiveCampaign-compatible API on loopback, run in a daemon thread."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Mapping
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any

from tap_activecampaign.sandbox.api import Api
from tap_activecampaign.sandbox.control import Control
from tap_activecampaign.sandbox.faults import FaultPlan, RateLimiter
from tap_activecampaign.sandbox.handler import SandboxHandler
from tap_activecampaign.sandbox.options import DataOptions
from tap_activecampaign.sandbox.render import RenderContext
from tap_activecampaign.sandbox.stats import Stats
from tap_activecampaign.sandbox.store import Store


class SandboxHTTPServer(ThreadingHTTPServer):
    """A threading server that can cut its keep-alive connections on shutdown."""

    daemon_threads = True
    # Joining handler threads on close would wait for idle keep-alive clients.
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sandbox: SandboxServer) -> None:
        """Bind to ``address`` for one sandbox."""
        self.sandbox = sandbox
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, SandboxHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Track the connection, then serve it in its own thread."""
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget the connection once its handler is done."""
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Shut every open connection so its handler thread ends promptly."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                continue


class SandboxServer:
    """A seeded, in-memory ActiveCampaign API v3 for demos, tests and benchmarks.

    ``counts`` maps the tap's stream names to row counts (missing ones get defaults);
    ``rate_limit`` is requests per second across the server (0 = unlimited); ``fault_rate``
    is the share of API requests that get a random transient fault; ``meta_total`` and
    ``hostile_data`` shape the answers (see :mod:`.options`).
    """

    def __init__(
        self,
        seed: int = 1,
        counts: Mapping[str, int] | None = None,
        api_key: str = "sandbox-key",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        latency_ms: float = 0,
        rate_limit: float = 0.0,
        fault_rate: float = 0.0,
        meta_total: str = "api",
        hostile_data: bool = False,
        verbose: bool = False,
    ) -> None:
        """Generate the dataset; the socket is bound by ``start``."""
        require_loopback(host)
        if not api_key:
            raise ValueError("api_key must not be empty")
        self.seed = seed
        self.api_key = api_key
        self.host = host
        self.latency_ms = latency_ms
        self.verbose = verbose
        self.options = DataOptions(meta_total=meta_total, hostile_data=hostile_data)
        self.store = Store(seed, counts)
        self.ctx = RenderContext(seed, self.store, self.options)
        self.api = Api(self.ctx)
        self.stats = Stats()
        self.faults = FaultPlan(seed, fault_rate)
        self.limiter = RateLimiter(rate_limit) if rate_limit > 0 else None
        self.control = Control(self.ctx, self.stats, self.faults)
        self.stopping = threading.Event()
        self._requested_port = port
        self._httpd: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """Return the bound port (known once started)."""
        if self._httpd is None:
            raise RuntimeError("the sandbox is not running; call start() first")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Return the API URL a user would configure (paths are below ``/api/3``)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> SandboxServer:
        """Bind and serve in a daemon thread."""
        if self._httpd is not None:
            return self
        self.stopping.clear()
        self._httpd = SandboxHTTPServer((self.host, self._requested_port), self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"activecampaign-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake stalled handlers and cut open connections."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self.stopping.set()
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> SandboxServer:
        """Start on entering a ``with`` block."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop on leaving a ``with`` block."""
        self.stop()


def require_loopback(host: str) -> None:
    """Refuse anything but loopback: the sandbox has a well-known key and fake data."""
    if host == "localhost":
        return
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"refusing to listen on non-loopback host {host!r}") from None
    if not address.is_loopback:
        raise ValueError(f"refusing to listen on non-loopback host {host!r}")
