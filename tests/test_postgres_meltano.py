"""End to end: ``meltano run tap-activecampaign target-postgres`` into a real PostgreSQL server.

The pipeline is the one README.md gives a user: ``meltano.yml`` as committed (copied into a
temporary project, with only the extractor's ``pip_url: -e .`` pointed at this checkout),
``meltano install`` from PyPI, then ``meltano run`` with the connection in ``TARGET_POSTGRES_*``
and the account in ``TAP_ACTIVECAMPAIGN_*`` environment variables. The server is the throwaway
cluster of ``tests/postgres_cluster.py`` and the account a sandbox API on loopback.

Each test loads into its own PostgreSQL schema and keeps its Meltano state in its own system
database, so the tests share only the installed plugins.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import TEST_KEY, SandboxClient
from tests.tap_process import discover

if TYPE_CHECKING:
    from tests.postgres_cluster import ThrowawayPostgres

# Registers the postgres_server fixture (see tests/test_postgres_cluster.py for why this way).
pytest_plugins = ("tests.postgres_cluster",)

REPO = Path(__file__).resolve().parents[1]

INSTALL_COMMAND = ("install", "tap-activecampaign", "target-postgres")
RUN_COMMAND = ("run", "tap-activecampaign", "target-postgres")
FULL_REFRESH_COMMAND = ("run", "--full-refresh", "tap-activecampaign", "target-postgres")
"""The commands README.md shows (``test_readme_shows_the_commands`` keeps them in step)."""

SANDBOX_COUNTS = {"contacts": 250, "tags": 150}
"""Small enough for a quick run; contacts, accounts and tags span several pages of 100."""

MELTANO_TIMEOUT_S = 300

FULL_TABLE = "FULL_TABLE"

TIMESTAMP_TYPE = "timestamp without time zone"
"""What target-postgres 0.8.1 creates for ``format: date-time``: it maps that format to
SQLAlchemy's ``TIMESTAMP()`` (no ``timezone=True``) and offers no setting or ``x-sql-datatype``
hint for ``timestamptz``. The values are the tap's UTC instants, stored without the offset."""

TARGET_DATABASE = "activecampaign_e2e"
DATABASE_TIMEZONE = "Asia/Kolkata"
"""Not UTC, as on many servers: timestamps must still arrive as UTC (``PGTZ`` in meltano.yml)."""

OWN_ENVIRONMENT_PREFIXES = ("MELTANO_", "TAP_ACTIVECAMPAIGN_", "TARGET_POSTGRES_", "PG")
"""Variables from the developer's shell that could steer the pipeline; the tests set their own."""


# --- meltano ------------------------------------------------------------------------------------


def meltano_executable() -> Path:
    """The ``meltano`` of the test environment (the ``test`` extra installs it)."""
    beside = Path(sys.executable).with_name("meltano")
    if beside.exists():
        return beside
    found = shutil.which("meltano")
    if found is None:
        pytest.fail("meltano is not installed: pip install -e '.[test]'", pytrace=False)
    return Path(found)


def base_environment() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(OWN_ENVIRONMENT_PREFIXES)
    }
    env["MELTANO_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    return env


def meltano(
    project: Path, env: dict[str, str], *args: str, timeout: float = MELTANO_TIMEOUT_S
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(meltano_executable()), *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def tail(done: subprocess.CompletedProcess[str], chars: int = 4000) -> str:
    return (done.stdout + done.stderr)[-chars:]


@pytest.fixture(scope="session")
def meltano_project(
    postgres_server: ThrowawayPostgres, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A copy of the project's ``meltano.yml`` in a temporary directory, plugins installed.

    Depends on ``postgres_server`` so that a machine without PostgreSQL skips before installing
    anything. Nothing is written into the checkout: ``.meltano/`` lives in the temporary copy.
    """
    project = tmp_path_factory.mktemp("meltano-project")
    text = (REPO / "meltano.yml").read_text()
    assert text.count("pip_url: -e .\n") == 1, "expected the extractor's `pip_url: -e .`"
    (project / "meltano.yml").write_text(text.replace("pip_url: -e .\n", f"pip_url: -e {REPO}\n"))
    done = meltano(project, base_environment(), *INSTALL_COMMAND)
    assert done.returncode == 0, tail(done)
    return project


@dataclass(frozen=True)
class TargetDatabase:
    """The database the pipelines load into, on the session's throwaway server."""

    pg: ThrowawayPostgres
    name: str


@pytest.fixture(scope="session")
def target_database(postgres_server: ThrowawayPostgres) -> TargetDatabase:
    """A database of its own (the server is shared), whose ``timezone`` is not UTC."""
    postgres_server.execute(f"DROP DATABASE IF EXISTS {TARGET_DATABASE}")
    postgres_server.execute(f"CREATE DATABASE {TARGET_DATABASE}")
    postgres_server.execute(
        f"ALTER DATABASE {TARGET_DATABASE} SET timezone = '{DATABASE_TIMEZONE}'"
    )
    return TargetDatabase(postgres_server, TARGET_DATABASE)


# --- one pipeline: a sandbox account, a target schema, a Meltano system database ----------------


@dataclass
class Pipeline:
    """``meltano run`` from one sandbox into one PostgreSQL schema, and queries on the result."""

    project: Path
    pg: ThrowawayPostgres
    database: str
    sandbox: SandboxClient
    schema: str
    system_db: Path
    runs: list[subprocess.CompletedProcess[str]] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        env = base_environment()
        env.update(
            MELTANO_DATABASE_URI=f"sqlite:///{self.system_db}",
            TAP_ACTIVECAMPAIGN_API_URL=self.sandbox.url,
            TAP_ACTIVECAMPAIGN_API_KEY=TEST_KEY,
            TARGET_POSTGRES_HOST=self.pg.host,
            TARGET_POSTGRES_PORT=str(self.pg.port),
            TARGET_POSTGRES_USER=self.pg.user,
            TARGET_POSTGRES_PASSWORD=self.pg.password,
            TARGET_POSTGRES_DATABASE=self.database,
            TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA=self.schema,
        )
        env.update(extra)
        return env

    def run(self, *options: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        """``meltano run tap-activecampaign target-postgres``; the key must never be printed."""
        if self.runs:
            # Table versions are the sync's start in whole seconds: keep two runs apart.
            time.sleep(1.1)
        command = (RUN_COMMAND[0], *options, *RUN_COMMAND[1:])
        done = meltano(self.project, self.env(**extra_env), *command)
        self.runs.append(done)
        assert TEST_KEY not in done.stdout + done.stderr, "the API key appeared in meltano output"
        return done

    def run_ok(self, **extra_env: str) -> None:
        done = self.run(**extra_env)
        assert done.returncode == 0, tail(done)

    def run_full_refresh(self) -> subprocess.CompletedProcess[str]:
        """The resync README.md gives: ``meltano run --full-refresh ...`` (ignores state)."""
        return self.run("--full-refresh")

    def query(self, sql: str) -> list[tuple[str | None, ...]]:
        return self.pg.query(sql, database=self.database)

    def table(self, name: str) -> str:
        return f'"{self.schema}"."{name}"'

    def tables(self) -> set[str]:
        rows = self.query(
            f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{self.schema}'"
        )
        return {str(row[0]) for row in rows}

    def ids(self, table: str, where: str = "TRUE") -> list[int]:
        rows = self.query(f"SELECT id FROM {self.table(table)} WHERE {where} ORDER BY id")
        return [int(str(row[0])) for row in rows]

    def flagged(self, table: str) -> list[int]:
        """Ids of the rows target-postgres marked deleted (soft delete)."""
        return self.ids(table, "_sdc_deleted_at IS NOT NULL")

    def all_flagged(self) -> dict[str, list[int]]:
        return {table: ids for table in sorted(self.tables()) if (ids := self.flagged(table))}

    def column_types(self, table: str) -> dict[str, str]:
        rows = self.query(
            "SELECT column_name, data_type FROM information_schema.columns "
            f"WHERE table_schema = '{self.schema}' AND table_name = '{table}'"
        )
        return {str(name): str(kind) for name, kind in rows}

    def column(self, table: str, column: str) -> dict[str, str | None]:
        """``{id: value}`` in PostgreSQL's text form (``'t'``, ``'2024-01-01 06:00:00'``)."""
        rows = self.query(f"SELECT id, {column} FROM {self.table(table)}")
        return {str(row[0]): row[1] for row in rows}

    def last_loaded(self, table: str) -> str:
        rows = self.query(f"SELECT max(_sdc_batched_at) FROM {self.table(table)}")
        return str(rows[0][0])

    def versions(self, table: str) -> set[int]:
        rows = self.query(f"SELECT DISTINCT _sdc_table_version FROM {self.table(table)}")
        return {int(str(row[0])) for row in rows if row[0] is not None}

    def delete_in_sandbox(self, deletions: dict[str, list[int]]) -> None:
        for resource, ids in deletions.items():
            self.sandbox.post("delete", {"resource": resource, "ids": ids})


@pytest.fixture
def start_pipeline(
    target_database: TargetDatabase,
    meltano_project: Path,
    start_sandbox: Callable[..., SandboxClient],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> Callable[[], Pipeline]:
    """Start a sandbox and name a fresh target schema and system database for one test."""

    def start() -> Pipeline:
        schema = f"ac_{request.node.name.removeprefix('test_')}"[:60].lower()
        target = target_database
        target.pg.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE', target.name)
        return Pipeline(
            project=meltano_project,
            pg=target.pg,
            database=target.name,
            sandbox=start_sandbox(seed=5, counts=SANDBOX_COUNTS),
            schema=schema,
            system_db=tmp_path / "meltano.db",
        )

    return start


def streams_by_method(tmp_path: Path, sandbox: SandboxClient) -> dict[str, str]:
    """Each stream's replication method, as the tap's catalog declares it."""
    catalog = discover(tmp_path, sandbox.config())
    return {entry["tap_stream_id"]: entry["replication_method"] for entry in catalog["streams"]}


def spread(ids: list[int], count: int) -> list[int]:
    """``count`` ids spread over the whole list (so over several pages), first and last included."""
    assert len(ids) >= count > 1
    return sorted({ids[round(i * (len(ids) - 1) / (count - 1))] for i in range(count)})


DELETIONS_SPEC = {"accounts": 4, "tags": 3, "lists": 3}
"""Ten records from full-table streams, spread over their pages."""


def choose_deletions(pipeline: Pipeline, tmp_path: Path) -> dict[str, list[int]]:
    methods = streams_by_method(tmp_path, pipeline.sandbox)
    assert all(methods[stream] == FULL_TABLE for stream in DELETIONS_SPEC), methods
    return {
        stream: spread(pipeline.sandbox.ids(stream), count)
        for stream, count in DELETIONS_SPEC.items()
    }


# --- the tests ----------------------------------------------------------------------------------


def test_readme_shows_the_commands() -> None:
    readme = (REPO / "README.md").read_text()
    for command in (INSTALL_COMMAND, RUN_COMMAND, FULL_REFRESH_COMMAND):
        assert "meltano " + " ".join(command) in readme


def test_meltano_loads_every_table(start_pipeline: Callable[[], Pipeline], tmp_path: Path) -> None:
    pipeline = start_pipeline()
    pipeline.run_ok()

    catalog = discover(tmp_path, pipeline.sandbox.config())
    schemas = {entry["tap_stream_id"]: entry["schema"] for entry in catalog["streams"]}
    assert len(schemas) == 12
    assert pipeline.tables() == set(schemas)

    for stream, schema in schemas.items():
        assert pipeline.ids(stream) == sorted(pipeline.sandbox.ids(stream)), stream
        types = pipeline.column_types(stream)
        assert types["id"] == "bigint", stream
        for name, prop in schema["properties"].items():
            kinds = {prop.get("type")} if isinstance(prop.get("type"), str) else prop.get("type")
            kinds = set(kinds or []) - {"null"}
            if prop.get("format") == "date-time":
                assert types[name] == TIMESTAMP_TYPE, (stream, name)
            elif kinds == {"boolean"}:
                assert types[name] == "boolean", (stream, name)
            elif kinds == {"integer"}:
                assert types[name] == "bigint", (stream, name)
        assert types["_sdc_deleted_at"] == TIMESTAMP_TYPE
    assert pipeline.all_flagged() == {}

    # Values: a timestamp with an offset arrives as its UTC instant, a 0/1 flag as a boolean.
    loaded = pipeline.column("tags", "cdate")
    for raw in pipeline.sandbox.raw_records("tags"):
        instant = datetime.fromisoformat(raw["cdate"]).astimezone(timezone.utc)
        assert loaded[raw["id"]] == instant.strftime("%Y-%m-%d %H:%M:%S"), raw
    flags = pipeline.column("contacts", "deleted")
    expected = {
        raw["id"]: {"0": "f", "1": "t"}[raw["deleted"]]
        for raw in pipeline.sandbox.raw_records("contacts")
    }
    assert flags == expected


def test_deletes_are_flagged_soft(start_pipeline: Callable[[], Pipeline], tmp_path: Path) -> None:
    pipeline = start_pipeline()
    pipeline.run_ok()
    deletions = choose_deletions(pipeline, tmp_path)
    methods = streams_by_method(tmp_path, pipeline.sandbox)
    incremental = sorted(stream for stream, method in methods.items() if method != FULL_TABLE)
    kept = {stream: spread(pipeline.sandbox.ids(stream), 2) for stream in incremental}
    pipeline.delete_in_sandbox({**deletions, **kept})
    before = {stream: pipeline.ids(stream) for stream in pipeline.tables()}

    pipeline.run_ok()

    # Exactly the ten rows deleted from full-table streams are flagged, and kept. Incremental
    # streams read only changed records and send no ACTIVATE_VERSION (it would make every
    # unchanged row look deleted): the rows deleted from them stay, unflagged.
    assert pipeline.all_flagged() == deletions
    for stream, ids in before.items():
        assert pipeline.ids(stream) == ids, f"{stream}: soft delete must keep every row"
        if stream not in incremental:
            live = pipeline.ids(stream, "_sdc_deleted_at IS NULL")
            assert live == sorted(pipeline.sandbox.ids(stream)), stream

    # A run without state re-reads them from the beginning and activates the new version,
    # so now their deleted rows are flagged too (README.md: how to force a full resync).
    loaded_until = {stream: pipeline.last_loaded(stream) for stream in incremental}
    done = pipeline.run_full_refresh()
    assert done.returncode == 0, tail(done)
    assert pipeline.all_flagged() == dict(sorted({**deletions, **kept}.items()))
    for stream in incremental:
        assert pipeline.ids(stream) == before[stream], stream
        reloaded = pipeline.ids(stream, f"_sdc_batched_at > '{loaded_until[stream]}'")
        assert reloaded == sorted(pipeline.sandbox.ids(stream)), f"{stream} was not re-read"


def test_deletes_are_removed_with_hard_delete(
    start_pipeline: Callable[[], Pipeline], tmp_path: Path
) -> None:
    pipeline = start_pipeline()
    pipeline.run_ok(TARGET_POSTGRES_HARD_DELETE="true")
    deletions = choose_deletions(pipeline, tmp_path)
    pipeline.delete_in_sandbox(deletions)
    before = {stream: pipeline.ids(stream) for stream in pipeline.tables()}

    pipeline.run_ok(TARGET_POSTGRES_HARD_DELETE="true")

    assert pipeline.all_flagged() == {}
    for stream, ids in before.items():
        assert pipeline.ids(stream) == sorted(pipeline.sandbox.ids(stream)), stream
        removed = sorted(set(ids) - set(pipeline.ids(stream)))
        assert removed == deletions.get(stream, []), stream


def test_failed_sync_flags_nothing(start_pipeline: Callable[[], Pipeline], tmp_path: Path) -> None:
    pipeline = start_pipeline()
    pipeline.run_ok()
    first_versions = {stream: max(pipeline.versions(stream)) for stream in ("accounts", "tags")}
    tags = pipeline.ids("tags")
    assert len(tags) > 100, "tags must span two pages for this test"
    deleted = spread(tags, 10)
    pipeline.delete_in_sandbox({"tags": deleted})
    # Streams run in alphabetical order; tags, the last, fails from its second page on, also
    # after the tap's retries. Retry-After keeps the retries short (the sandbox sends 1 s).
    fault = {"resource": "tags", "min_offset": 100, "kind": "status", "status": 500}
    pipeline.sandbox.post("faults", {"rules": [{**fault, "retry_after": 0}]})
    before = {stream: pipeline.ids(stream) for stream in pipeline.tables()}

    done = pipeline.run()

    assert done.returncode != 0, tail(done)
    assert "HTTP 500" in done.stdout + done.stderr
    assert pipeline.all_flagged() == {}
    for stream, ids in before.items():
        assert pipeline.ids(stream) == ids, f"{stream}: a failed sync must not remove rows"
    # The run got that far: earlier streams and the first page of tags were loaded again.
    for stream, version in first_versions.items():
        assert max(pipeline.versions(stream)) > version, (stream, tail(done))

    # Once the API answers again, the next run reflects the deletes after all.
    pipeline.sandbox.session.delete(f"{pipeline.sandbox.url}/__sandbox/faults", timeout=30)
    pipeline.run_ok()
    assert pipeline.all_flagged() == {"tags": deleted}


def test_deletes_are_not_reflected_when_turned_off(
    start_pipeline: Callable[[], Pipeline], tmp_path: Path
) -> None:
    pipeline = start_pipeline()
    pipeline.run_ok()
    deletions = choose_deletions(pipeline, tmp_path)
    pipeline.delete_in_sandbox(deletions)
    before = {stream: pipeline.ids(stream) for stream in pipeline.tables()}

    pipeline.run_ok(TAP_ACTIVECAMPAIGN_EMIT_ACTIVATE_VERSION_MESSAGES="false")

    assert pipeline.all_flagged() == {}
    for stream, ids in before.items():
        assert pipeline.ids(stream) == ids, stream
