"""The throwaway PostgreSQL server starts, answers SQL, reports column types and cleans up."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.postgres_cluster import ThrowawayPostgres

# Registers the postgres_server fixture. The module is imported only through this line (the other
# imports are local), so pytest loads it as a plugin first and does not warn about assert rewriting.
pytest_plugins = ("tests.postgres_cluster",)


def test_round_trip_and_column_types(postgres_server: ThrowawayPostgres) -> None:
    pg = postgres_server
    pg.execute(
        """
        CREATE TABLE fixture_check (id bigint PRIMARY KEY, seen_at timestamptz, note text);
        INSERT INTO fixture_check VALUES
            (9007199254740993, '2024-03-10 02:30:00-06', E'tab\\there\\nnewline'),
            (2, NULL, '');
        """
    )

    rows = pg.query("SELECT id, seen_at, note FROM fixture_check ORDER BY id")
    assert rows == [
        ("2", None, ""),
        ("9007199254740993", "2024-03-10 08:30:00+00", "tab\there\nnewline"),
    ]

    types = pg.query(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = 'fixture_check' ORDER BY ordinal_position"
    )
    assert types == [
        ("id", "bigint"),
        ("seen_at", "timestamp with time zone"),
        ("note", "text"),
    ]
    pg.execute("DROP TABLE fixture_check")


def test_listens_on_loopback_tcp_only(postgres_server: ThrowawayPostgres) -> None:
    pg = postgres_server
    assert pg.query("SHOW listen_addresses") == [("127.0.0.1",)]
    assert pg.query("SELECT inet_server_port()") == [(str(pg.port),)]
    assert pg.dsn == f"postgresql://postgres@127.0.0.1:{pg.port}/postgres"
    assert pg.connection_config()["port"] == pg.port


def test_empty_result_and_sql_error(postgres_server: ThrowawayPostgres) -> None:
    assert postgres_server.query("SELECT 1 WHERE false") == []
    with pytest.raises(subprocess.CalledProcessError) as caught:
        postgres_server.query("SELECT * FROM no_such_table")
    assert "no_such_table" in caught.value.stderr


def test_stop_removes_directory_even_after_an_error() -> None:
    from tests.postgres_cluster import ThrowawayPostgres, require_postgres_bin

    pg = ThrowawayPostgres(require_postgres_bin())
    seen: list[Path] = []
    with pytest.raises(RuntimeError, match="boom"):
        _fail_inside(pg, seen)
    assert pg.base_dir is None
    assert len(seen) == 1
    assert not seen[0].exists()


def _fail_inside(pg: ThrowawayPostgres, seen: list[Path]) -> None:
    """Raise inside a running ``with`` block, recording where the cluster lived."""
    with pg:
        assert pg.base_dir is not None
        assert (pg.base_dir / "data" / "postmaster.pid").exists()
        seen.append(pg.base_dir)
        raise RuntimeError("boom")


def test_null_marker_is_told_from_empty_text() -> None:
    from tests.postgres_cluster import _parse_row

    assert _parse_row("a\0\x01<NULL>\x01\0") == ("a", None, "")
