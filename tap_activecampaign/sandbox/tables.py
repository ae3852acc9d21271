"""The facts about each simulated table: names, paging meta, sortable fields, filters, quirks.

Stream names are the tap's; paths and root keys are the API's. Quirk rates are the share of
generated rows that carry a documented data quirk (see ``render`` for where each one shows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

CREATED = "created"
UPDATED = "updated"


@dataclass(frozen=True)
class DateFilter:
    """A ``filters[<name>]`` bound on one of the row's stored stamps."""

    stamp: str
    lower: bool


@dataclass(frozen=True)
class TableSpec:
    """One simulated collection endpoint."""

    stream: str
    path: str
    singular: str
    model: str
    default_count: int | None
    orders: tuple[str, ...] = ()
    date_filters: Mapping[str, DateFilter] = field(default_factory=dict)
    equality_filters: tuple[str, ...] = ()
    keyset: bool = False
    total_as_int: bool = False
    quirks: Mapping[str, float] = field(default_factory=dict)


_CHANGE_FILTERS = MappingProxyType(
    {
        "updated_after": DateFilter(UPDATED, lower=True),
        "updated_before": DateFilter(UPDATED, lower=False),
        "created_after": DateFilter(CREATED, lower=True),
        "created_before": DateFilter(CREATED, lower=False),
    }
)

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "contacts",
        "contacts",
        "contact",
        "Subscriber",
        1000,
        orders=("id", "cdate", "email", "first_name", "last_name", "name"),
        date_filters=_CHANGE_FILTERS,
        keyset=True,
        quirks={"zero_dates": 0.08, "bad_calendar": 0.01, "short_hour": 0.01},
    ),
    TableSpec(
        "accounts",
        "accounts",
        "account",
        "CustomerAccount",
        120,
        quirks={"owner_int": 0.3, "links_empty": 0.05, "empty_numeric": 0.04},
    ),
    TableSpec(
        "deals",
        "deals",
        "deal",
        "SubscriberDeal",
        300,
        orders=("title", "value", "cdate"),
        date_filters=_CHANGE_FILTERS,
        total_as_int=True,
        quirks={"stub": 0.02, "disabled_int": 0.3, "zero_dates": 0.1, "bad_calendar": 0.01},
    ),
    TableSpec(
        "deal_stages",
        "dealStages",
        "dealStage",
        "DealStage",
        None,
        orders=("title",),
        equality_filters=("d_groupid",),
        quirks={"null_dates": 0.05},
    ),
    TableSpec("deal_groups", "dealGroups", "dealGroup", "Pipeline", 4, orders=("title",)),
    TableSpec(
        "campaigns",
        "campaigns",
        "campaign",
        "Campaign",
        60,
        orders=("sdate", "ldate", "mdate"),
        quirks={"empty_numeric": 0.05, "short_hour": 0.05},
    ),
    TableSpec("lists", "lists", "list", "_List", 12, orders=("id", "name", "created_timestamp")),
    TableSpec("segments", "segments", "segment", "Segment", 25, quirks={"links_empty": 0.1}),
    TableSpec("forms", "forms", "form", "Form", 8, quirks={"padding_text": 0.5}),
    TableSpec("tags", "tags", "tag", "Tag", 60, orders=("search",)),
    TableSpec(
        "automations", "automations", "automation", "Series", 30, orders=("name", "cdate", "mdate")
    ),
    TableSpec("custom_fields", "fields", "field", "Field", 20),
)

BY_STREAM: Mapping[str, TableSpec] = MappingProxyType({spec.stream: spec for spec in TABLES})
_BY_NAME: Mapping[str, TableSpec] = MappingProxyType(
    {
        **{spec.path.lower(): spec for spec in TABLES},
        **{spec.stream.lower(): spec for spec in TABLES},
    }
)


def lookup(name: str) -> TableSpec | None:
    """Resolve an API path name (``dealStages``) or a stream name (``deal_stages``)."""
    return _BY_NAME.get(name.lower())


def lookup_path(path: str) -> TableSpec | None:
    """Resolve an API path segment only, case-insensitively like the real router."""
    spec = _BY_NAME.get(path.lower())
    if spec is None or spec.path.lower() != path.lower():
        return None
    return spec
