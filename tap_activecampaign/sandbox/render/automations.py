"""Automations, rendered like ``GET /api/3/automations``."""

from __future__ import annotations

from tap_activecampaign.sandbox.clock import format_dt
from tap_activecampaign.sandbox.hashing import code, mix, pick
from tap_activecampaign.sandbox.render.common import (
    API_HOST,
    Record,
    RenderContext,
    Row,
    SortKey,
    edited,
    flag,
    links,
)
from tap_activecampaign.sandbox.vocab import AUTOMATION_NAMES

TABLE = code("automations")

_LINKS = (
    "campaigns", "contactGoals", "contactAutomations", "blocks", "goals", "sms", "sitemessages",
)  # fmt: skip


def name(seed: int, row: Row) -> str:
    """Return the automation name."""
    base = pick(AUTOMATION_NAMES, mix(seed, TABLE, row.id, 1))
    return edited(f"{base} {row.id}", row.revision)


def render(ctx: RenderContext, row: Row) -> Record:
    """Render one automation."""
    rng = ctx.rng(TABLE, row)
    entered = rng.randrange(0, 5000)
    return {
        "id": str(row.id),
        "name": name(ctx.seed, row),
        "cdate": format_dt(row.created),
        "mdate": format_dt(row.updated),
        "userid": "1",
        "status": rng.choice(("1", "1", "2")),
        "entered": str(entered),
        "exited": str(int(entered * rng.random())),
        "hidden": flag(rng, 0.05),
        "defaultscreenshot": f"{API_HOST}/screenshots/automations/default.png",
        "screenshot": f"{API_HOST}/screenshots/automations/{row.id}.png",
        "links": links(f"{API_HOST}/api/3/automations", row.id, _LINKS),
    }


SORT_KEYS: dict[str, SortKey] = {
    "name": lambda ctx, row: name(ctx.seed, row).lower(),
}
