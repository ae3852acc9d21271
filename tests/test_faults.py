"""A hostile API: transient faults are retried, lasting ones end the run with a clear line.

Every test drives the tap over HTTP against sandboxes with fault rules (see
``tap_activecampaign/sandbox/faults.py``). Runs whose failure lasts through every retry
(about 31 s of back-off each) are started side by side to keep the suite quick.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tap_activecampaign.sandbox import SandboxServer
from tap_activecampaign.streams import STREAM_TYPES
from tests.conftest import TEST_KEY, SandboxClient
from tests.tap_process import TapRun, run_tap, sync_streams

STREAMS = {stream.name: stream.resource for stream in STREAM_TYPES}
Lasting = tuple[TapRun, SandboxClient]
"""A tap run and the sandbox it ran against."""

SMALL = {"contacts": 250, "deals": 150, "accounts": 40, "tags": 250, "campaigns": 20}


def _assert_exactly_the_sandbox_records(run: TapRun, sandbox: SandboxClient, streams: Any) -> None:
    for stream in streams:
        ids = [record["id"] for record in run.records(stream)]
        duplicates = [record_id for record_id, n in Counter(ids).items() if n > 1]
        assert not duplicates, f"{stream}: {duplicates[:10]}"
        assert sorted(ids) == sandbox.ids(STREAMS[stream]), stream


def _last_error(run: TapRun) -> str:
    assert run.returncode != 0
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    errors = run.error_lines()
    assert errors, run.stderr[-3000:]
    return errors[-1]


def _activated(run: TapRun, stream: str) -> bool:
    return any(m["stream"] == stream for m in run.of_type("ACTIVATE_VERSION"))


def _requests(sandbox: SandboxClient, path: str, **params: str) -> list[dict[str, Any]]:
    return [
        entry
        for entry in sandbox.requests_log()
        if entry["path"] == path and all(entry["params"].get(k) == v for k, v in params.items())
    ]


def test_full_sync_with_ten_percent_faults_emits_every_record_exactly_once(
    start_sandbox: Callable[..., SandboxClient],
    tmp_path: Path,
    lasting_failures: dict[str, Future[Lasting]],  # started here, to run alongside
) -> None:
    sandbox = start_sandbox(seed=21, counts={"contacts": 3000, "deals": 600}, fault_rate=0.1)
    run = run_tap(tmp_path, sandbox.config())
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.streams() == set(STREAMS)
    _assert_exactly_the_sandbox_records(run, sandbox, STREAMS)
    assert sandbox.stats()["faults_injected"] >= 4


# One fault of each transient kind, each on its own page of 1,100 tags (pages in flight
# side by side, so the back-offs overlap), plus one on a contacts id-range page.
ONE_OF_EACH: list[dict[str, Any]] = [
    {"resource": "tags", "offset": 100, "kind": "reset"},
    {"resource": "tags", "offset": 200, "kind": "empty_body"},
    {"resource": "tags", "offset": 300, "kind": "truncated_json"},
    {"resource": "tags", "offset": 400, "kind": "status", "status": 500},
    {"resource": "tags", "offset": 500, "kind": "status", "status": 502},
    {"resource": "tags", "offset": 600, "kind": "status", "status": 503, "retry_after": 2},
    {"resource": "tags", "offset": 700, "kind": "status", "status": 504},
    {"resource": "tags", "offset": 800, "kind": "status", "status": 429, "retry_after": 2},
    {"resource": "tags", "offset": 900, "kind": "stall", "seconds": 5},
    {"resource": "tags", "offset": 1000, "kind": "forbidden"},  # a 403 once, on a valid key
    {"resource": "contacts", "min_id_greater": 0, "kind": "truncated_json"},
]


def test_every_kind_of_transient_fault_is_retried_and_nothing_is_lost(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=5, counts={"tags": 1100, "contacts": 250})
    sandbox.post("faults", {"rules": [{**rule, "times": 1} for rule in ONE_OF_EACH]})
    run = sync_streams(tmp_path, sandbox.config(request_timeout=1), "tags", "contacts")
    assert run.returncode == 0, run.stderr[-3000:]
    _assert_exactly_the_sandbox_records(run, sandbox, ["tags", "contacts"])
    assert "Skipping tags" not in run.stderr

    log = sandbox.requests_log()
    faulted = [entry for entry in log if entry["fault"]]
    assert len(faulted) == len(ONE_OF_EACH), faulted
    for entry in faulted:
        retries = [
            e
            for e in log
            if (e["path"], e["params"]) == (entry["path"], entry["params"])
            and e["at"] > entry["at"]
        ]
        assert retries, f"never retried: {entry}"
        assert len(retries) == 1, f"retried more than needed: {entry}, {retries}"
        assert retries[0]["status"] == 200, (entry, retries)
        if entry["status"] in (429, 503):
            waited = retries[0]["at"] - entry["at"]
            assert waited >= 1.9, f"Retry-After 2 not honoured: {entry} then {retries[0]}"


def _persistent(
    start: Callable[..., SandboxClient], tmp_path: Path, rule: dict[str, Any], **options: Any
) -> tuple[TapRun, SandboxClient]:
    sandbox = start(seed=6, counts={"tags": 250}, **options)
    sandbox.post("faults", {"rules": [{"resource": "tags", **rule}]})
    return sync_streams(tmp_path, sandbox.config(), "tags"), sandbox


def test_a_table_the_key_may_not_read_is_skipped_and_summarised(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=7, counts=SMALL)
    sandbox.post("faults", {"rules": [{"resource": "lists", "kind": "forbidden"}]})
    run = run_tap(tmp_path, sandbox.config())
    assert run.returncode == 0, run.stderr[-3000:]
    assert not run.records("lists")
    assert not _activated(run, "lists")
    others = [stream for stream in STREAMS if stream != "lists"]
    _assert_exactly_the_sandbox_records(run, sandbox, others)
    warnings = [line for line in run.stderr.splitlines() if "| WARNING" in line]
    skip = [line for line in warnings if "Skipping lists" in line]
    assert len(skip) == 1, warnings
    assert "You do not have permission to view lists" in skip[0]
    assert "lists" in warnings[-1]
    assert "skipped 1 table" in warnings[-1]
    assert len(_requests(sandbox, "/api/3/lists")) <= 3


def test_a_403_after_the_first_page_fails_the_sync(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    run, sandbox = _persistent(start_sandbox, tmp_path, {"kind": "forbidden", "min_offset": 100})
    error = _last_error(run)
    assert "403" in error
    assert "You do not have permission to view tags" in error
    assert not _activated(run, "tags")
    assert run.seconds < 15
    assert len(_requests(sandbox, "/api/3/tags", offset="100")) <= 3


def test_when_every_selected_table_is_refused_the_run_fails(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=8, counts=SMALL)
    sandbox.post("faults", {"rules": [{"resource": "tags", "kind": "forbidden"}]})
    run = sync_streams(tmp_path, sandbox.config(), "tags")
    assert "refused every selected table" in _last_error(run)


@pytest.mark.parametrize("resource", ["users", "tags"])
def test_a_redirect_to_another_host_is_not_followed(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path, resource: str
) -> None:
    """Neither on the access check nor on a data request: the key must not travel there."""
    other = SandboxServer(seed=9, api_key=TEST_KEY, host="127.0.0.2").start()
    try:
        sandbox = start_sandbox(seed=9, counts=SMALL)
        rule = {"resource": resource, "kind": "redirect", "location": other.url}
        sandbox.post("faults", {"rules": [rule]})
        run = sync_streams(tmp_path, sandbox.config(), "tags")
        error = _last_error(run)
        assert "127.0.0.2" in error
        assert "api_url" in error
        assert run.seconds < 10
        assert other.stats.snapshot()["requests"] == 0
    finally:
        other.stop()


def test_a_page_without_its_records_array_is_not_the_end_of_the_data(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=10, counts={"tags": 250})
    rule = {"resource": "tags", "kind": "status", "status": 200, "body": {}, "min_offset": 100}
    sandbox.post("faults", {"rules": [{**rule, "times": 1}]})
    run = sync_streams(tmp_path, sandbox.config(), "tags")
    if run.returncode == 0:
        _assert_exactly_the_sandbox_records(run, sandbox, ["tags"])
    else:
        assert not _activated(run, "tags")


@pytest.mark.parametrize(
    "rule",
    [
        pytest.param({"kind": "empty_body"}, id="empty_body"),
        pytest.param({"kind": "truncated_json"}, id="truncated_json"),
        pytest.param({"kind": "reset"}, id="reset"),
        pytest.param({"kind": "status", "status": 403}, id="403-once"),
        pytest.param({"kind": "status", "status": 429, "retry_after": 1}, id="429"),
        pytest.param({"kind": "status", "status": 502}, id="502"),
        pytest.param({"kind": "stall", "seconds": 5}, id="stall"),
    ],
)
def test_the_access_check_retries_a_one_off_fault(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path, rule: dict[str, Any]
) -> None:
    sandbox = start_sandbox(seed=11, counts={"tags": 30})
    sandbox.post("faults", {"rules": [{"resource": "users", "times": 1, **rule}]})
    run = sync_streams(tmp_path, sandbox.config(request_timeout=2), "tags")
    assert run.returncode == 0, run.error_lines()
    assert len(run.records("tags")) == 30


def test_an_access_check_that_stalls_ends_with_one_line(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    sandbox = start_sandbox(seed=12, counts={"tags": 3})
    sandbox.post("faults", {"rules": [{"resource": "users", "kind": "stall", "seconds": 60}]})
    run = run_tap(tmp_path, sandbox.config(request_timeout=2))
    error = _last_error(run)
    assert len(run.error_lines()) == 1
    assert "did not answer in time" in error
    assert run.stdout == ""
    assert run.seconds < 20


# --- faults that last through every retry ---------------------------------------------------
# Each costs about 31 s of back-off, so all of them run side by side in the background,
# started by the first test of this module, and are checked by the tests below.

LASTING: dict[str, tuple[dict[str, Any], dict[str, Any], tuple[str, ...]]] = {
    # name: (rule on /tags, sandbox and tap options, words the error must contain)
    "empty body without meta.total": (
        {"kind": "empty_body", "min_offset": 100},
        {"meta_total": "absent"},
        ("/api/3/tags", "not JSON", "empty body"),
    ),
    "truncated JSON": (
        {"kind": "truncated_json", "min_offset": 100},
        {},
        ("/api/3/tags", "not JSON"),
    ),
    "HTTP 503": ({"kind": "status", "status": 503}, {}, ("/api/3/tags", "503")),
    "connection reset": ({"kind": "reset"}, {}, ("/api/3/tags", "connection")),
    "stall past the timeout": (
        {"kind": "stall", "seconds": 30},
        {"request_timeout": 1},
        ("/api/3/tags", "time"),
    ),
}


@pytest.fixture(scope="module")
def lasting_failures(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Future[Lasting]]]:
    servers: list[SandboxServer] = []

    # Made here, one after the other: pytest's mktemp is not safe to call from threads.
    workdirs = {name: tmp_path_factory.mktemp("lasting") for name in LASTING}

    def run(name: str) -> Lasting:
        rule, options, _ = LASTING[name]
        options = dict(options)
        timeout = options.pop("request_timeout", None)
        server = SandboxServer(seed=6, api_key=TEST_KEY, counts={"tags": 250}, **options)
        servers.append(server.start())
        sandbox = SandboxClient(server)
        sandbox.post("faults", {"rules": [{"resource": "tags", **rule}]})
        config = sandbox.config(**({"request_timeout": timeout} if timeout else {}))
        return sync_streams(workdirs[name], config, "tags"), sandbox

    pool = ThreadPoolExecutor(len(LASTING), thread_name_prefix="lasting")
    yield {name: pool.submit(run, name) for name in LASTING}
    pool.shutdown(wait=True)
    for server in servers:
        server.stop()


@pytest.mark.parametrize(
    "name",
    list(LASTING),
)
def test_a_lasting_fault_ends_the_sync_with_a_clear_error_after_bounded_retries(
    lasting_failures: dict[str, Future[Lasting]], name: str
) -> None:
    """Never taken for the end of the data, never an endless loop on the same page."""
    run, sandbox = lasting_failures[name].result(timeout=300)
    error = _last_error(run)
    assert not _activated(run, "tags"), "the stream was marked complete"
    pages = Counter(entry["params"].get("offset") for entry in _requests(sandbox, "/api/3/tags"))
    assert max(pages.values()) <= 10, pages
    assert sum(pages.values()) <= 15, pages
    assert run.seconds < 75
    missing = [word for word in LASTING[name][2] if word.lower() not in error.lower()]
    assert not missing, f"the error lacks {missing}: {error}"


def test_a_run_of_429s_is_waited_out(
    start_sandbox: Callable[..., SandboxClient], tmp_path: Path
) -> None:
    """Eight 429s in a row (others spending the account's budget) pause the run, not end it."""
    sandbox = start_sandbox(seed=13, counts={"tags": 150})
    rule = {"resource": "tags", "kind": "status", "status": 429, "retry_after": 1, "times": 8}
    sandbox.post("faults", {"rules": [rule]})
    run = sync_streams(tmp_path, sandbox.config(), "tags")
    assert run.returncode == 0, run.error_lines()
    _assert_exactly_the_sandbox_records(run, sandbox, ["tags"])
    assert sandbox.stats()["by_status"].get("429") == 8
