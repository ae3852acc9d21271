"""The sandbox's fault injection and data switches, over real HTTP: each kind, determinism."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tap_activecampaign.sandbox import SandboxServer

KEY = "sandbox-key"
HEADERS = {"Api-Token": KEY}


@pytest.fixture
def small() -> Iterator[SandboxServer]:
    with SandboxServer(seed=7, counts={"contacts": 250, "deals": 40, "tags": 250}) as server:
        yield server


def get(server: SandboxServer, path: str, **params: Any) -> requests.Response:
    return requests.get(
        f"{server.url}{path}", params=params, headers=HEADERS, timeout=10, allow_redirects=False
    )


def control(server: SandboxServer, method: str, path: str, body: Any = None) -> requests.Response:
    return requests.request(
        method, f"{server.url}/__sandbox/{path}", json=body, headers=HEADERS, timeout=10
    )


def _outcome(server: SandboxServer, offset: int, session: Any = requests) -> str:
    try:
        response = session.get(
            f"{server.url}/api/3/tags", params={"limit": 1, "offset": offset}, headers=HEADERS,
            timeout=10,
        )  # fmt: skip
    except requests.ConnectionError:
        return "reset"
    try:
        response.json()
    except ValueError:
        return f"{response.status_code} not json"
    return str(response.status_code)


def _outcomes(seed: int, offsets: list[int], rounds: int = 2) -> dict[tuple[int, int], str]:
    """Each request ``rounds`` times in a row, as a client retrying it would."""
    with (
        SandboxServer(seed=seed, counts={"tags": 250}, fault_rate=0.3) as server,
        requests.Session() as session,
    ):
        return {(o, r): _outcome(server, o, session) for o in offsets for r in range(rounds)}


def test_fault_rate_is_the_same_per_request_whatever_the_order() -> None:
    offsets = list(range(0, 120))
    forward = _outcomes(5, offsets)
    backward = _outcomes(5, offsets[::-1])
    other_seed = _outcomes(6, offsets)

    assert forward == backward
    assert forward != other_seed
    faulted = [key for key, outcome in forward.items() if outcome != "200"]
    assert 0.15 < len(faulted) / len(forward) < 0.45
    # A retried request draws afresh: not every faulted request fails again.
    assert any(forward[(offset, 1)] == "200" for offset, attempt in faulted if attempt == 0)
    kinds = set(forward.values())
    assert {"reset", "200 not json"} <= kinds
    assert kinds & {"429", "500", "502", "503", "504"}


def test_fault_rate_can_be_set_and_cleared_through_the_control_api(
    small: SandboxServer,
) -> None:
    assert control(small, "POST", "faults", {"fault_rate": 1.0}).json()["fault_rate"] == 1.0
    assert _outcome(small, 0) != "200"
    assert control(small, "POST", "faults", {"fault_rate": 2}).status_code == 400
    assert control(small, "POST", "faults", {"fault_rate": "x"}).status_code == 400
    assert control(small, "DELETE", "faults").json() == {"rules": [], "fault_rate": 0.0}
    assert _outcome(small, 0) == "200"


def test_forbidden_fault_names_the_missing_permission(small: SandboxServer) -> None:
    control(small, "POST", "faults", {"rules": [{"resource": "tags", "kind": "forbidden"}]})

    refused = get(small, "/api/3/tags")
    other = get(small, "/api/3/contacts")

    assert refused.status_code == 403
    assert refused.json()["errors"][0]["detail"] == "You do not have permission to view tags."
    assert other.status_code == 200


def test_redirect_fault_points_at_the_given_location(small: SandboxServer) -> None:
    rule = {"resource": "tags", "kind": "redirect", "location": "http://127.0.0.2:9"}
    control(small, "POST", "faults", {"rules": [rule]})

    response = get(small, "/api/3/tags", limit=5)

    assert response.status_code == 302
    assert response.headers["Location"] == "http://127.0.0.2:9/api/3/tags?limit=5"
    bad = {"rules": [{"kind": "redirect", "location": "ftp://x"}]}
    assert control(small, "POST", "faults", bad).status_code == 400


def test_stall_answers_late_and_empty_body_answers_nothing(small: SandboxServer) -> None:
    rules = [
        {"resource": "tags", "kind": "stall", "seconds": 0.5, "times": 1},
        {"resource": "contacts", "kind": "empty_body", "times": 1},
    ]
    control(small, "POST", "faults", {"rules": rules})

    started = time.monotonic()
    late = get(small, "/api/3/tags")
    waited = time.monotonic() - started
    empty = get(small, "/api/3/contacts")

    assert waited >= 0.5
    assert late.json()["tags"]
    assert empty.status_code == 200
    assert empty.content == b""
    control(small, "POST", "faults", {"rules": [{"kind": "stall", "seconds": 5}]})
    with pytest.raises(requests.Timeout):
        requests.get(f"{small.url}/api/3/tags", headers=HEADERS, timeout=0.5)


def test_an_offset_rule_hits_only_that_page_and_the_log_names_the_fault(
    small: SandboxServer,
) -> None:
    rule = {"resource": "tags", "kind": "status", "status": 503, "offset": 100}
    control(small, "POST", "faults", {"rules": [rule]})
    control(small, "POST", "stats/reset")

    statuses = [get(small, "/api/3/tags", offset=o).status_code for o in (0, 100, 200)]
    log = control(small, "GET", "requests").json()["requests"]

    assert statuses == [200, 503, 200]
    assert [entry["fault"] for entry in log] == [None, "status", None]
    assert log[0]["at"] <= log[1]["at"] <= log[2]["at"]


def test_a_one_off_403_then_the_key_works_again(small: SandboxServer) -> None:
    rule = {"resource": "users", "kind": "status", "status": 403, "times": 1}
    control(small, "POST", "faults", {"rules": [rule]})

    assert get(small, "/api/3/users/me").status_code == 403
    assert get(small, "/api/3/users/me").status_code == 200


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("api", ("250", 40)), ("string", ("250", "40")), ("int", (250, 40)), ("null", (None, None))],
)
def test_meta_total_can_be_sent_in_every_shape(
    small: SandboxServer, mode: str, expected: tuple[Any, Any]
) -> None:
    assert control(small, "POST", "quirks", {"meta_total": mode}).json()["meta_total"] == mode

    tags = get(small, "/api/3/tags").json()["meta"]
    deals = get(small, "/api/3/deals").json()["meta"]

    assert (tags["total"], deals["total"]) == expected
    assert "currencies" in deals


def test_meta_total_can_be_left_out(small: SandboxServer) -> None:
    control(small, "POST", "quirks", {"meta_total": "absent"})

    assert "total" not in get(small, "/api/3/tags").json()["meta"]
    assert "total" not in get(small, "/api/3/deals").json()["meta"]
    assert "page_input" in get(small, "/api/3/contacts").json()["meta"]


def test_quirk_switches_are_validated(small: SandboxServer) -> None:
    assert control(small, "GET", "quirks").json() == {"meta_total": "api", "hostile_data": False}
    assert control(small, "POST", "quirks", {"meta_total": "sometimes"}).status_code == 400
    assert control(small, "POST", "quirks", {"hostile_data": "yes"}).status_code == 400
    assert control(small, "POST", "quirks", {"colour": "red"}).status_code == 400
    assert control(small, "GET", "quirks").json() == {"meta_total": "api", "hostile_data": False}
    with pytest.raises(ValueError, match="meta_total"):
        SandboxServer(meta_total="sometimes")


def _records(server: SandboxServer, resource: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = control(server, "GET", f"records/{resource}").json()["records"]
    return records


def test_hostile_data_is_off_by_default_and_deterministic_when_on() -> None:
    with (
        SandboxServer(seed=3) as plain,
        SandboxServer(seed=3, hostile_data=True) as first,
        SandboxServer(seed=3) as second,
    ):
        control(second, "POST", "quirks", {"hostile_data": True})
        for resource in ("contacts", "deals", "forms", "fields"):
            normal, hostile = _records(plain, resource), _records(first, resource)
            assert not any("someNewField" in record for record in normal)
            assert all(record["someNewField"] for record in hostile)
            assert hostile == _records(second, resource)
            assert [int(r["id"]) for r in hostile] == [int(r["id"]) for r in normal]
            page = get(first, f"/api/3/{resource}", limit=100).json()[resource]
            assert page == get(second, f"/api/3/{resource}", limit=100).json()[resource]
            assert all(record["someNewField"] for record in page)


def test_hostile_data_mixes_number_types_blanks_dates_and_links() -> None:
    with SandboxServer(seed=3, hostile_data=True) as server:
        contacts = _records(server, "contacts")
    sent = {type(c["sentcnt"]) for c in contacts}
    ids = {type(c["id"]) for c in contacts}
    values = [v for c in contacts for v in c.values()]
    dates = {c["bounced_date"] for c in contacts} | {c["udate"] for c in contacts}

    assert sent >= {int, str}
    assert ids == {int, str}
    assert "" in values
    assert {"0000-00-00", "0000-00-00 00:00:00"} <= dates
    assert any(isinstance(d, str) and d.startswith("2021-02-30") for d in dates)
    assert {type(c["links"]) for c in contacts} == {list, dict}
    assert any("anotherNewField" in c for c in contacts)


def test_cli_switches_for_meta_total_hostile_data_and_fault_rate() -> None:
    process = subprocess.Popen(
        [
            sys.executable, "-m", "tap_activecampaign.sandbox.cli", "--port", "0",
            "--meta-total", "absent", "--hostile-data", "--fault-rate", "0.25",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        match = re.search(r"listening on (http://\S+)", process.stderr.readline())
        assert match
        url = match.group(1)
        quirks = requests.get(f"{url}/__sandbox/quirks", headers=HEADERS, timeout=10).json()
        faults = requests.get(f"{url}/__sandbox/faults", headers=HEADERS, timeout=10).json()
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)

    assert quirks == {"meta_total": "absent", "hostile_data": True}
    assert faults["fault_rate"] == 0.25
    refused = subprocess.run(
        [sys.executable, "-m", "tap_activecampaign.sandbox.cli", "--fault-rate", "2"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert refused.returncode != 0
    assert "fault_rate" in refused.stderr
