"""Behaviour of the ActiveCampaign sandbox over real HTTP on loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tap_activecampaign.sandbox import SandboxServer

KEY = "sandbox-key"
HEADERS = {"Api-Token": KEY}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(seed=1) as server:
        yield server


@pytest.fixture
def small() -> Iterator[SandboxServer]:
    with SandboxServer(seed=7, counts={"contacts": 250, "deals": 40}) as server:
        yield server


def get(server: SandboxServer, path: str, **params: Any) -> requests.Response:
    return requests.get(f"{server.url}{path}", params=params, headers=HEADERS, timeout=10)


def control(server: SandboxServer, method: str, path: str, body: Any = None) -> Any:
    response = requests.request(
        method, f"{server.url}/__sandbox/{path}", json=body, headers=HEADERS, timeout=10
    )
    response.raise_for_status()
    return response.json()


def page_through(server: SandboxServer, resource: str, key: str, **params: Any) -> list[dict]:
    records: list[dict] = []
    offset = 0
    while True:
        batch = get(server, f"/api/3/{resource}", limit=100, offset=offset, **params).json()[key]
        records.extend(batch)
        if len(batch) < 100:
            return records
        offset += 100


def test_wrong_or_missing_key_is_403_without_echoing_the_key(sandbox: SandboxServer) -> None:
    wrong = requests.get(
        f"{sandbox.url}/api/3/contacts", headers={"Api-Token": "secret-guess-123"}, timeout=10
    )
    missing = requests.get(f"{sandbox.url}/api/3/contacts", timeout=10)

    assert wrong.status_code == 403
    assert missing.status_code == 403
    assert "message" in wrong.json()
    assert "secret-guess-123" not in wrong.text


def test_unknown_path_is_404_with_message(sandbox: SandboxServer) -> None:
    response = get(sandbox, "/api/3/nope")

    assert response.status_code == 404
    assert response.json() == {"message": "No Result found for /api/3/nope"}


def test_users_me_returns_the_user(sandbox: SandboxServer) -> None:
    assert get(sandbox, "/api/3/users/me").json()["user"]["id"] == "1"


def test_limit_defaults_to_20_and_is_capped_at_100(sandbox: SandboxServer) -> None:
    assert len(get(sandbox, "/api/3/contacts").json()["contacts"]) == 20
    body = get(sandbox, "/api/3/contacts", limit=500).json()

    assert len(body["contacts"]) == 100
    assert body["meta"]["page_input"]["limit"] == 100
    assert body["scoreValues"] == []


@pytest.mark.parametrize("count", [0, 1, 101, 250])
def test_offset_paging_returns_every_contact_exactly_once(count: int) -> None:
    with SandboxServer(seed=3, counts={"contacts": count}) as server:
        records = page_through(server, "contacts", "contacts", **{"orders[id]": "ASC"})
        expected = control(server, "GET", "ids/contacts")["ids"]
        total = get(server, "/api/3/contacts").json()["meta"]["total"]

    assert [int(record["id"]) for record in records] == expected
    assert len(expected) == count
    assert total == str(count)


def test_ids_have_gaps_and_default_order_is_not_by_id(sandbox: SandboxServer) -> None:
    ids = control(sandbox, "GET", "ids/contacts")["ids"]
    first_page = [int(r["id"]) for r in get(sandbox, "/api/3/contacts").json()["contacts"]]
    again = [int(r["id"]) for r in get(sandbox, "/api/3/contacts").json()["contacts"]]

    assert ids[-1] > len(ids)
    assert first_page == again
    assert first_page != sorted(first_page)


def test_meta_total_is_an_int_on_deals_and_a_string_elsewhere(sandbox: SandboxServer) -> None:
    deals = get(sandbox, "/api/3/deals").json()["meta"]
    tags = get(sandbox, "/api/3/tags").json()["meta"]

    assert deals["total"] == 300
    assert "currencies" in deals
    assert tags["total"] == "60"


def test_keyset_id_greater_continues_after_the_last_id(small: SandboxServer) -> None:
    ids = control(small, "GET", "ids/contacts")["ids"]
    pivot = ids[99]
    body = get(small, "/api/3/contacts", limit=100, id_greater=pivot, **{"orders[id]": "ASC"})

    assert [int(r["id"]) for r in body.json()["contacts"]] == ids[100:200]
    assert body.json()["meta"]["total"] == str(len(ids) - 100)


@pytest.mark.parametrize(
    "value",
    [
        "2030-01-01",
        "2030-01-01 12:00:00",
        "2030-01-01T12:00:00",
        "2030-01-01T18:00:00Z",
        "2030-01-01T18:00:00.000000Z",
        "2030-01-01T12:00:00-06:00",
        "2030-01-01T13:00:00-05:00",
        "2030-01-01T18:00:00+00:00",
    ],
)
def test_updated_after_accepts_every_documented_format(small: SandboxServer, value: str) -> None:
    ids = control(small, "GET", "ids/contacts")["ids"][:3]
    control(
        small, "POST", "update", {"resource": "contacts", "ids": ids, "at": "2030-01-01T18:00:00Z"}
    )

    records = page_through(small, "contacts", "contacts", **{"filters[updated_after]": value})

    assert sorted(int(r["id"]) for r in records) == ids
    assert all(r["udate"] == "2030-01-01T12:00:00-06:00" for r in records)


def test_updated_after_is_inclusive_and_before_is_exclusive(small: SandboxServer) -> None:
    ids = control(small, "GET", "ids/contacts")["ids"][:2]
    control(
        small, "POST", "update", {"resource": "contacts", "ids": ids, "at": "2030-06-01T10:00:00"}
    )
    stamp = "2030-06-01T10:00:00-05:00"

    after = get(small, "/api/3/contacts", **{"filters[updated_after]": stamp}).json()
    later = get(small, "/api/3/contacts", **{"filters[updated_after]": "2030-06-01T15:00:01Z"})
    before = get(small, "/api/3/contacts", **{"filters[updated_before]": stamp}).json()

    assert after["meta"]["total"] == "2"
    assert later.json()["meta"]["total"] == "0"
    assert before["meta"]["total"] == "248"


def test_an_unencoded_plus_offset_is_still_understood(small: SandboxServer) -> None:
    ids = control(small, "GET", "ids/contacts")["ids"][:1]
    control(
        small, "POST", "update", {"resource": "contacts", "ids": ids, "at": "2031-01-01T00:00:00Z"}
    )
    url = f"{small.url}/api/3/contacts?filters[updated_after]=2031-01-01T00:00:00+00:00"

    body = requests.get(url, headers=HEADERS, timeout=10).json()

    assert [int(r["id"]) for r in body["contacts"]] == ids


def test_deal_filters_use_mdate(small: SandboxServer) -> None:
    ids = control(small, "GET", "ids/deals")["ids"][5:7]
    control(small, "POST", "update", {"resource": "deals", "ids": ids, "at": "2032-01-01"})

    body = get(small, "/api/3/deals", **{"filters[updated_after]": "2032-01-01"}).json()

    assert sorted(int(d["id"]) for d in body["deals"]) == ids
    assert body["meta"]["total"] == 2


def test_delete_update_and_create_change_what_the_api_serves(small: SandboxServer) -> None:
    ids = control(small, "GET", "ids/contacts")["ids"]
    control(small, "POST", "delete", {"resource": "contacts", "ids": ids[:10]})
    touched = control(small, "POST", "update", {"resource": "contacts", "ids": [ids[20]]})
    created = control(small, "POST", "create", {"resource": "contacts", "count": 5})["ids"]

    records = page_through(small, "contacts", "contacts", **{"orders[id]": "ASC"})
    served = [int(r["id"]) for r in records]
    edited = next(r for r in records if r["id"] == str(ids[20]))

    assert touched == {"ids": [ids[20]]}
    assert served == ids[10:] + created
    assert created[0] > ids[-1]
    assert "(edited 1)" in edited["firstName"]
    assert edited["udate"] > edited["cdate"]


def test_deal_stages_filter_and_pipeline_sideload(sandbox: SandboxServer) -> None:
    groups = get(sandbox, "/api/3/dealGroups", limit=100).json()
    group = groups["dealGroups"][0]
    stages = get(sandbox, "/api/3/dealStages", **{"filters[d_groupid]": group["id"]}).json()

    sideloaded = {s["id"] for s in groups["dealStages"] if s["group"] == group["id"]}
    assert {s["id"] for s in stages["dealStages"]} == set(group["stages"]) == sideloaded


def test_rate_limit_answers_429_with_retry_after() -> None:
    with SandboxServer(counts={"contacts": 5}, rate_limit=5) as server:
        responses = [get(server, "/api/3/contacts") for _ in range(8)]
        stats = control(server, "GET", "stats")

    statuses = [r.status_code for r in responses]
    limited = responses[statuses.index(429)]
    assert statuses[:5] == [200] * 5
    assert 429 in statuses
    assert int(limited.headers["Retry-After"]) >= 1
    assert responses[0].headers["RateLimit-Limit"] == "5"
    assert stats["rate_limited"] == statuses.count(429)


def test_fault_rule_fires_the_given_number_of_times(small: SandboxServer) -> None:
    rule = {"resource": "contacts", "kind": "status", "status": 503, "retry_after": 2, "times": 1}
    control(small, "POST", "faults", {"rules": [rule]})

    first = get(small, "/api/3/contacts", limit=5)
    second = get(small, "/api/3/contacts", limit=5)
    stats = control(small, "GET", "stats")

    assert first.status_code == 503
    assert first.headers["Retry-After"] == "2"
    assert second.status_code == 200
    assert stats["faults_injected"] == 1


def test_fault_rule_respects_min_offset_and_truncates_json(small: SandboxServer) -> None:
    rule = {"resource": "contacts", "kind": "truncated_json", "min_offset": 100}
    control(small, "POST", "faults", {"rules": [rule]})

    early = get(small, "/api/3/contacts", offset=0)
    late = get(small, "/api/3/contacts", offset=100)

    assert early.json()["contacts"]
    with pytest.raises(requests.JSONDecodeError):
        late.json()


def test_reset_fault_drops_the_connection(small: SandboxServer) -> None:
    control(small, "POST", "faults", {"rules": [{"kind": "reset", "times": 1}]})

    with pytest.raises(requests.ConnectionError):
        get(small, "/api/3/tags")
    assert get(small, "/api/3/tags").status_code == 200


def test_request_log_records_params(small: SandboxServer) -> None:
    control(small, "POST", "stats/reset")
    get(small, "/api/3/contacts", limit=7, offset=14)

    (entry,) = control(small, "GET", "requests")["requests"]

    assert entry == {
        "path": "/api/3/contacts",
        "params": {"limit": "7", "offset": "14"},
        "status": 200,
        "at": entry["at"],
        "fault": None,
    }
    assert isinstance(entry["at"], float)


def test_dt_fields_carry_the_chicago_offset_with_dst(sandbox: SandboxServer) -> None:
    records = control(sandbox, "GET", "records/contacts")["records"]
    offsets = {record["cdate"][-6:] for record in records}
    summer = next(r for r in records if r["cdate"][5:7] == "07")

    assert offsets == {"-05:00", "-06:00"}
    assert summer["cdate"].endswith("-05:00")
    assert summer["created_timestamp"] == summer["cdate"][:19].replace("T", " ")


def test_default_dataset_contains_the_documented_quirks(sandbox: SandboxServer) -> None:
    def records(resource: str) -> list[dict]:
        return control(sandbox, "GET", f"records/{resource}")["records"]

    contacts, deals, accounts = records("contacts"), records("deals"), records("accounts")
    forms, segments = records("forms"), records("segments")
    short_hour = re.compile(r"T\d:")

    assert any(c["bounced_date"] == "0000-00-00" for c in contacts)
    assert any(c["deleted_at"] == "0000-00-00 00:00:00" for c in contacts)
    assert any(c["rating_tstamp"] == "2021-02-30" for c in contacts)
    assert any(c["adate"] and short_hour.search(c["adate"]) for c in contacts)
    assert any(set(d) == {"id", "title", "isDisabled"} for d in deals)
    assert {type(d["isDisabled"]) for d in deals} == {bool, int}
    assert any(d.get("edate") == "2022-13-01 10:00:00" for d in deals)
    assert {type(a["owner"]) for a in accounts} == {int, str}
    assert any(a["contactCount"] == "" for a in accounts)
    assert any(s["links"] == [] for s in segments)
    assert {type(f["style"]["button"]["padding"]) for f in forms} == {int, str}
