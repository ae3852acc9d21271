"""A throwaway PostgreSQL server for end-to-end tests, started and removed by the tests themselves.

The suite must not depend on a database someone started by hand: CI starts from a clean machine
with PostgreSQL installed but not running. ``ThrowawayPostgres`` runs ``initdb`` into a fresh
temporary directory, starts the server with ``pg_ctl`` on a free port on 127.0.0.1 only, and on
exit stops it (``pg_ctl stop -m immediate``) and deletes the directory, whatever the test did.

Why an unprivileged user: ``initdb``, ``pg_ctl`` and ``postgres`` refuse to run as root, and the
tests and CI run as root. When the current user is root, the server commands run as the
``postgres`` system user (which Debian's and most distributions' server packages create), or else
as ``nobody``, which exists on virtually every Linux. The switch is done by ``subprocess`` itself
(``user=``/``group=``/``extra_groups=``, i.e. setgid/setgroups/setuid in the child), so it needs
neither ``runuser``/``setpriv``/``su`` nor PAM, and it creates no user on the machine. Only the
temporary directory is given to that user; ``psql`` is a plain client and runs as the caller.

Usage::

    with ThrowawayPostgres() as pg:
        pg.execute("CREATE TABLE t (id bigint)")
        rows = pg.query("SELECT count(*) FROM t")  # [("0",)]

or, in a test module, ``pytest_plugins = ("tests.postgres_cluster",)`` and the session-scoped
``postgres_server`` fixture.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import pytest

PREFERRED_MAJOR = 15
"""The major version CI installs; preferred when several are installed, so runs stay alike."""

BIN_DIR_ENV = "POSTGRES_BIN_DIR"
"""Set to a directory holding ``initdb``/``pg_ctl``/``postgres`` to bypass the search."""

SKIP_REASON = "PostgreSQL is not installed: skipping the PostgreSQL end-to-end test"
"""Why the fixture skips on a developer machine without the server binaries."""

CI_MISSING_MESSAGE = (
    "PostgreSQL is not installed but CI is set: the PostgreSQL end-to-end test must run in CI. "
    "Install the server (e.g. `apt-get install -y postgresql-15`) in .ci/run, or set "
    f"{BIN_DIR_ENV} to the directory holding initdb and pg_ctl."
)
"""Why the fixture fails instead: a silent skip in CI would hide that the test never ran."""

SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres")
"""The programs that must sit together in one bin directory (``psql`` may live elsewhere)."""

UNPRIVILEGED_USERS = ("postgres", "nobody")
"""Accounts tried, in order, to run the server when the tests run as root."""

NULL_MARKER = "\x01<NULL>\x01"
"""What ``psql`` prints for SQL NULL, so that ``query`` can tell NULL from an empty string."""

RECORD_SEPARATOR = "\x1e"
"""ASCII record separator between rows: unlike a newline it cannot occur in ordinary text."""

START_TIMEOUT_S = 30
"""Upper bound for ``pg_ctl start -w``; a normal start takes well under a second."""

Row = tuple[str | None, ...]


# --- finding the binaries -----------------------------------------------------------------------


def find_postgres_bin() -> Path | None:
    """Return the directory holding ``initdb``, ``pg_ctl`` and ``postgres``, or None.

    Looks at ``$POSTGRES_BIN_DIR`` first (explicit beats clever), then Debian/Ubuntu's versioned
    ``/usr/lib/postgresql/N/bin`` (preferring ``PREFERRED_MAJOR``, then the newest), then the
    RPM layout ``/usr/pgsql-N/bin``, then ``PATH`` (Homebrew, Fedora's ``/usr/bin``).
    """
    explicit = os.environ.get(BIN_DIR_ENV)
    candidates = [Path(explicit)] if explicit else []
    candidates += _versioned_bin_dirs("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin")
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    return next((path for path in candidates if _has_server_programs(path)), None)


def postgres_unavailable_reason() -> str | None:
    """Return ``SKIP_REASON`` when no server binaries are found, else None."""
    return None if find_postgres_bin() else SKIP_REASON


def _versioned_bin_dirs(*patterns: str) -> list[Path]:
    """List bin directories matching the glob patterns, preferred major first, then newest."""
    found = [path for pattern in patterns for path in Path("/").glob(pattern.lstrip("/"))]
    return sorted(found, key=_version_rank)


def _version_rank(bin_dir: Path) -> tuple[int, int]:
    """Sort key: the preferred major version first, then higher majors before lower ones."""
    digits = "".join(ch for ch in bin_dir.parent.name if ch.isdigit() or ch == ".")
    try:
        major = int(float(digits))
    except ValueError:
        major = 0
    return (0 if major == PREFERRED_MAJOR else 1, -major)


def _has_server_programs(bin_dir: Path) -> bool:
    """Tell whether all of ``SERVER_PROGRAMS`` are executable files in ``bin_dir``."""
    return all(os.access(bin_dir / name, os.X_OK) for name in SERVER_PROGRAMS)


def _find_psql(bin_dir: Path) -> Path:
    """Return the ``psql`` beside the server (same version), else the one on ``PATH``."""
    beside = bin_dir / "psql"
    if os.access(beside, os.X_OK):
        return beside
    on_path = shutil.which("psql")
    if on_path is None:
        raise FileNotFoundError(f"psql is neither in {bin_dir} nor on PATH")
    return Path(on_path)


# --- running as an unprivileged user ------------------------------------------------------------


@dataclass(frozen=True)
class ServerUser:
    """The account the server runs as; ``switch`` is False when that is already the caller."""

    name: str
    uid: int
    gid: int
    switch: bool


def pick_server_user() -> ServerUser:
    """Choose the account for ``initdb``/``pg_ctl``: the caller unless it is root.

    PostgreSQL refuses to run as root, so a root caller needs another account. ``postgres`` is the
    natural owner of a cluster; ``nobody`` is the fallback when the binaries came without it.
    """
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return ServerUser(me.pw_name, me.pw_uid, me.pw_gid, switch=False)
    for name in UNPRIVILEGED_USERS:
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return ServerUser(name, entry.pw_uid, entry.pw_gid, switch=True)
    raise RuntimeError(f"running as root and none of the users {UNPRIVILEGED_USERS} exist")


def _server_env(home: Path) -> dict[str, str]:
    """Environment for the server commands: C locale, no inherited ``PG*`` settings, own HOME.

    The C locale keeps ``initdb`` away from locales the machine may not have generated; dropping
    ``PG*`` variables keeps a developer's ``PGDATA``/``PGPORT`` from steering the throwaway cluster.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.update(LC_ALL="C", LANG="C", HOME=str(home), TZ="UTC")
    return env


# --- the server ---------------------------------------------------------------------------------


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temporary directory, alive for one ``with`` block.

    Attributes (valid after ``start()``): ``host`` (always ``127.0.0.1``), ``port``, ``user``
    (``postgres``), ``password`` (empty: trust authentication), ``database`` (``postgres``),
    ``dsn``, ``base_dir`` (the temporary directory) and ``log_file`` (the server log, also shown in
    startup errors).
    """

    host = "127.0.0.1"
    user = "postgres"
    password = ""
    database = "postgres"

    def __init__(self, bin_dir: Path | None = None, base_temp: Path | None = None) -> None:
        """Prepare, without starting anything.

        Args:
            bin_dir: directory of the server programs; found with ``find_postgres_bin`` if None.
            base_temp: where to create the cluster directory; defaults to the system temp dir.
                It must be reachable by the unprivileged server user (``/tmp`` is).
        """
        found = bin_dir or find_postgres_bin()
        if found is None:
            raise FileNotFoundError(SKIP_REASON)
        self.bin_dir = found
        self.psql = _find_psql(found)
        self.server_user = pick_server_user()
        self._base_temp = base_temp
        self.base_dir: Path | None = None
        self.port = 0
        self._running = False

    # Paths inside the temporary directory.

    @property
    def data_dir(self) -> Path:
        """The cluster's PGDATA."""
        return self._base() / "data"

    @property
    def socket_dir(self) -> Path:
        """Unix socket directory: private, so it never clashes with a system server's socket."""
        return self._base() / "socket"

    @property
    def log_file(self) -> Path:
        """The server log written by ``pg_ctl -l``."""
        return self._base() / "server.log"

    @property
    def dsn(self) -> str:
        """A libpq connection URI (no password: the cluster trusts local TCP connections)."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    def connection_config(self) -> dict[str, str | int]:
        """Settings in the shape Singer targets (e.g. ``target-postgres``) expect."""
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "database": self.database,
        }

    # Life cycle.

    def __enter__(self) -> ThrowawayPostgres:
        """Start the server; on a failed start, clean up before raising."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server and delete its directory, also when the block raised."""
        self.stop()

    def start(self) -> None:
        """Create the directory, ``initdb`` into it and start the server on a free port."""
        try:
            self._make_base_dir()
            self._initdb()
            self._start_server()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server at once (no checkpoint: the data is discarded) and delete everything."""
        try:
            if self._running:
                self._stop_server()
        finally:
            self._running = False
            if self.base_dir is not None:
                shutil.rmtree(self.base_dir, ignore_errors=True)
                self.base_dir = None

    # SQL.

    def query(self, sql: str, database: str | None = None) -> list[Row]:
        """Run one statement and return its rows as text, with None for SQL NULL.

        Values are PostgreSQL's text output (``'1'``, ``'t'``, ``'2024-01-01 00:00:00+00'``);
        compare them as strings or convert them in the test. For several statements use
        ``execute``: ``query`` would run them all but mix their rows together.
        """
        output = self._psql(sql, database)
        if not output:
            return []
        lines = output.removesuffix("\n").split(RECORD_SEPARATOR)
        return [_parse_row(line) for line in lines]

    def execute(self, sql: str, database: str | None = None) -> None:
        """Run a script of one or more statements; the first error raises ``CalledProcessError``."""
        self._psql(sql, database)

    def _psql(self, sql: str, database: str | None) -> str:
        """Feed ``sql`` to ``psql`` on stdin and return what it printed.

        ``-X`` ignores any ``.psqlrc``; ``-q -A -t`` print only data, unaligned; fields are split
        by NUL (``-z``) and rows by ``RECORD_SEPARATOR``, neither of which ordinary text contains.
        """
        command = [
            str(self.psql),
            *("-X", "-q", "-A", "-t", "-z", "-w"),
            *("-R", RECORD_SEPARATOR, "-P", f"null={NULL_MARKER}"),
            *("-v", "ON_ERROR_STOP=1"),
            *("-h", self.host, "-p", str(self.port), "-U", self.user),
            *("-d", database or self.database, "-f", "-"),
        ]
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env["PGCONNECT_TIMEOUT"] = "10"
        result = subprocess.run(
            command, input=sql, capture_output=True, text=True, env=env, check=False, timeout=300
        )
        if result.returncode != 0:
            raise subprocess.CalledProcessError(
                result.returncode, command, result.stdout, result.stderr
            )
        return result.stdout

    # Internals.

    def _base(self) -> Path:
        """The temporary directory; an error before ``start()`` rather than a wrong path."""
        if self.base_dir is None:
            raise RuntimeError("the server is not started")
        return self.base_dir

    def _make_base_dir(self) -> None:
        """Create the temporary directory and hand it to the server user.

        ``mkdtemp`` makes it mode 0700 and owned by the caller; the server user must own it, and
        every directory above it must be searchable by that user (true for ``/tmp``).
        """
        parent = self._base_temp or Path(tempfile.gettempdir())
        if self.server_user.switch and not _reachable_by_others(parent):
            if self._base_temp is not None:
                raise PermissionError(f"{parent} is not reachable by {self.server_user.name}")
            parent = Path("/tmp")  # e.g. TMPDIR under /root; /tmp is open to all users.
        self.base_dir = Path(tempfile.mkdtemp(prefix="throwaway-postgres-", dir=parent))
        self.socket_dir.mkdir()
        if self.server_user.switch:
            for path in (self.base_dir, self.socket_dir):
                os.chown(path, self.server_user.uid, self.server_user.gid)

    def _initdb(self) -> None:
        """Create the cluster: superuser ``postgres``, trust auth, UTF8, C locale, no fsync."""
        self._run_as_server_user(
            [
                str(self.bin_dir / "initdb"),
                *("-D", str(self.data_dir), "-U", self.user),
                *("--auth=trust", "--encoding=UTF8", "--locale=C"),
                *("--no-sync", "--no-instructions"),
            ]
        )

    def _start_server(self) -> None:
        """Start on a free port, retrying with a new port if another process took it meanwhile."""
        attempts = 3
        for attempt in range(1, attempts + 1):
            self.port = _free_port(self.host)
            try:
                self._pg_ctl_start()
            except subprocess.CalledProcessError:
                if attempt == attempts or "Address already in use" not in self._read_log():
                    raise
                continue
            self._running = True
            self._wait_until_accepting()
            return

    def _pg_ctl_start(self) -> None:
        """``pg_ctl start -w``: returns once the server reports it is ready for connections.

        The settings make a test server quick and quiet: TCP only on 127.0.0.1, a private socket
        directory, and no fsync (durability is pointless for data deleted at exit).
        """
        settings = {
            "listen_addresses": self.host,
            "port": str(self.port),
            "unix_socket_directories": str(self.socket_dir),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "50",
            "timezone": "UTC",
        }
        options = " ".join(f"-c {key}={value}" for key, value in settings.items())
        self._run_as_server_user(
            [
                str(self.bin_dir / "pg_ctl"),
                *("start", "-w", "-t", str(START_TIMEOUT_S)),
                *("-D", str(self.data_dir), "-l", str(self.log_file), "-o", options),
            ],
            context=self._read_log,
        )

    def _wait_until_accepting(self) -> None:
        """Make sure a client can run a query over TCP, not just that the postmaster is up."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                self.query("SELECT 1")
            except subprocess.CalledProcessError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
            else:
                return

    def _stop_server(self) -> None:
        """``pg_ctl stop -m immediate``; if that fails, kill the postmaster so none lingers."""
        command = [str(self.bin_dir / "pg_ctl"), "stop", "-m", "immediate", "-w"]
        try:
            self._run_as_server_user([*command, "-D", str(self.data_dir)])
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._kill_postmaster()

    def _kill_postmaster(self) -> None:
        """Last resort: SIGKILL the pid recorded in ``postmaster.pid``."""
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])
            os.kill(pid, signal.SIGKILL)

    def _read_log(self) -> str:
        """The server log, for error messages; empty if there is none yet."""
        try:
            return self.log_file.read_text(errors="replace")
        except OSError:
            return ""

    def _run_as_server_user(
        self, command: list[str], context: Callable[[], str] | None = None
    ) -> None:
        """Run a server command as the server user, raising with its output when it fails.

        stdin/stdout are not shared with the postmaster that ``pg_ctl`` leaves running, so this
        returns as soon as ``pg_ctl`` does.
        """
        switch = self.server_user.switch
        result = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            cwd=self._base(),
            env=_server_env(self._base()),
            check=False,
            timeout=START_TIMEOUT_S + 30,
            user=self.server_user.uid if switch else None,
            group=self.server_user.gid if switch else None,
            extra_groups=[] if switch else None,
        )
        if result.returncode != 0:
            details = result.stderr + (f"\n--- server log ---\n{context()}" if context else "")
            raise subprocess.CalledProcessError(result.returncode, command, result.stdout, details)


def _reachable_by_others(directory: Path) -> bool:
    """Tell whether any user may enter ``directory`` and every directory above it (o+x)."""
    path = directory.resolve()
    return all(os.stat(part).st_mode & stat.S_IXOTH for part in (path, *path.parents))


def _parse_row(line: str) -> Row:
    """Split one ``psql -z`` row into fields, mapping ``NULL_MARKER`` back to None."""
    return tuple(None if field == NULL_MARKER else field for field in line.split("\0"))


def _free_port(host: str) -> int:
    """Ask the kernel for a port that is free right now (the start retries if it is taken)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


# --- pytest -------------------------------------------------------------------------------------


def running_in_ci() -> bool:
    """Tell whether CI is set to a true-looking value, as CI services and our .ci/run set it."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def require_postgres_bin() -> Path:
    """Return the server bin directory, or skip the test, or fail it when running in CI."""
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        if running_in_ci():
            pytest.fail(CI_MISSING_MESSAGE, pytrace=False)
        pytest.skip(SKIP_REASON)
    return bin_dir


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[ThrowawayPostgres]:
    """A PostgreSQL server for the whole test session, removed at its end.

    Skips when PostgreSQL is not installed, except in CI, where it fails: there a skip would let
    the end-to-end test silently never run.
    """
    with ThrowawayPostgres(require_postgres_bin()) as server:
        yield server
