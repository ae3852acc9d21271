"""Deals, rendered like ``GET /api/3/deals``.

Quirks: ``stub`` renders only ``{"id", "title", "isDisabled": 1}`` (pipelines the key may not
see); ``disabled_int`` renders ``isDisabled`` as ``0`` instead of ``false``; ``zero_dates``
renders ``edate`` as ``0000-00-00 00:00:00``; ``bad_calendar`` renders ``edate`` as
``2022-13-01 10:00:00``. ``description`` varies between text, null and ``""``.
"""

from __future__ import annotations

from typing import Any

from tap_activecampaign.sandbox.clock import ZERO_DATETIME, format_dt, format_dtn
from tap_activecampaign.sandbox.hashing import code, mix, pick
from tap_activecampaign.sandbox.render.common import (
    Record,
    RenderContext,
    Row,
    SortKey,
    between,
    blank,
    edited,
    history_end,
    links,
)
from tap_activecampaign.sandbox.render.pipelines import group_currency
from tap_activecampaign.sandbox.vocab import COMPANY_WORDS, DEAL_PRODUCTS

TABLE = code("deals")

_LINKS = (
    "dealActivities", "contact", "contactDeals", "group", "nextTask", "notes", "account",
    "customerAccount", "organization", "owner", "scoreValues", "stage", "tasks",
    "dealCustomFieldData",
)  # fmt: skip


def title(seed: int, row: Row) -> str:
    """Return the deal's title."""
    value = mix(seed, TABLE, row.id, 1)
    product = pick(DEAL_PRODUCTS, value)
    return edited(f"{product} - {pick(COMPANY_WORDS, value >> 16)} #{row.id}", row.revision)


def value_cents(seed: int, deal_id: int) -> int:
    """Return the deal value in cents (the API sends cents as a string)."""
    return (mix(seed, TABLE, deal_id, 2) % 5000 + 1) * 1000


def pipeline_of(ctx: RenderContext, deal_id: int) -> str | None:
    """Return the deal's pipeline id."""
    return ctx.pick_id("deal_groups", mix(ctx.seed, TABLE, deal_id, 3))


def currency_of(ctx: RenderContext, deal_id: int) -> str:
    """Return the deal's currency: the one of its pipeline."""
    group = pipeline_of(ctx, deal_id)
    return group_currency(ctx.seed, int(group)) if group else "usd"


def render(ctx: RenderContext, row: Row) -> Record:
    """Render one deal (or its permission stub)."""
    if "stub" in row.quirks:
        return {"id": str(row.id), "title": title(ctx.seed, row), "isDisabled": 1}

    rng = ctx.rng(TABLE, row)
    group = pipeline_of(ctx, row.id)
    stages = ctx.store.initial_stages_of(int(group)) if group else []
    stage = str(pick(stages, rng.getrandbits(16))) if stages else None
    status = rng.choice(("0", "0", "0", "1", "2"))
    has_task = status == "0" and rng.random() < 0.5
    next_day = between(row.created, history_end(row) + 30 * 86400, rng.random())
    win_probability = rng.randrange(0, 101) if rng.random() < 0.6 else None
    closed_at = between(row.created, row.updated, rng.random())
    description = "Follow-up from the spring campaign." if rng.random() < 0.5 else blank(rng)
    task_id = str(rng.randrange(1, 5000))
    account = ctx.pick_id("accounts", rng.getrandbits(32)) if rng.random() < 0.5 else None
    disabled: Any = 0 if "disabled_int" in row.quirks else False

    return {
        "id": str(row.id),
        "hash": f"{rng.getrandbits(32):08x}",
        "owner": str(rng.randint(1, 3)),
        "contact": ctx.pick_id("contacts", rng.getrandbits(32)),
        "organization": account,
        "account": account,
        "customerAccount": account,
        "group": group,
        "stage": stage,
        "title": title(ctx.seed, row),
        "description": description,
        "percent": str(rng.choice((0, 10, 25, 50, 75, 90, 100))),
        "cdate": format_dt(row.created),
        "mdate": format_dt(row.updated),
        "nextdate": format_dt(next_day) if has_task else None,
        "nexttaskid": task_id if has_task else "0",
        "nextTask": task_id if has_task else None,
        "value": str(value_cents(ctx.seed, row.id)),
        "currency": currency_of(ctx, row.id),
        "winProbability": win_probability,
        "winProbabilityMdate": format_dt(row.updated) if win_probability is not None else None,
        "status": status,
        "activitycount": str(rng.randrange(0, 30)),
        "nextdealid": "0",
        "edate": _end_date(status, closed_at, row.quirks),
        "isDisabled": disabled,
        "links": links("/api/3/deals", row.id, _LINKS),
    }


def _end_date(status: str, closed_at: int, quirks: frozenset[str]) -> str | None:
    """Won/lost deals have an end date; quirk rows show a zero or impossible one."""
    if "bad_calendar" in quirks:
        return "2022-13-01 10:00:00"
    if "zero_dates" in quirks:
        return ZERO_DATETIME
    return format_dtn(closed_at) if status != "0" else None


SORT_KEYS: dict[str, SortKey] = {
    "title": lambda ctx, row: title(ctx.seed, row).lower(),
    "value": lambda ctx, row: value_cents(ctx.seed, row.id),
}
