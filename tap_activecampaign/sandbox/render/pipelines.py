"""Pipelines (``/dealGroups``) and their stages (``/dealStages``).

Quirk: ``null_dates`` renders a stage's ``cdate`` and ``udate`` as null (documented for real
rows), until the stage is edited through the control endpoint.
"""

from __future__ import annotations

from typing import Any

from tap_activecampaign.sandbox.clock import format_dt, format_dtn
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
from tap_activecampaign.sandbox.vocab import COLORS, CURRENCIES, PIPELINES, STAGE_TITLES

GROUPS = code("deal_groups")
STAGES = code("deal_stages")


def group_title(seed: int, row: Row) -> str:
    """Return a pipeline's title."""
    return edited(f"{pick(PIPELINES, mix(seed, GROUPS, row.id, 1))} {row.id}", row.revision)


def group_currency(seed: int, group_id: int) -> str:
    """Return a pipeline's currency; its deals use the same one."""
    return pick(CURRENCIES, mix(seed, GROUPS, group_id, 2))


def stage_title(ctx: RenderContext, row: Row) -> str:
    """Return a stage's title, following its generated place in the pipeline."""
    group_id = ctx.store.stage_group(row.id)
    siblings = ctx.store.initial_stages_of(group_id) if group_id is not None else []
    place = siblings.index(row.id) if row.id in siblings else row.id
    return edited(pick(STAGE_TITLES, place), row.revision)


def render_group(ctx: RenderContext, row: Row) -> Record:
    """Render one pipeline."""
    rng = ctx.rng(GROUPS, row)
    stages = ctx.store.current_stages_of(row.id)
    initialized = format_dtn(row.created) if rng.random() < 0.5 else None
    return {
        "id": str(row.id),
        "title": group_title(ctx.seed, row),
        "currency": group_currency(ctx.seed, row.id),
        "autoassign": flag(rng, 0.3),
        "allusers": flag(rng, 0.7),
        "allgroups": flag(rng, 0.7),
        "cdate": format_dt(row.created),
        "udate": format_dt(row.updated),
        "stages": [str(stage_id) for stage_id in stages],
        "win_probability_initialize_date": initialized,
        "links": links(
            f"{API_HOST}/api/3/dealGroups", row.id, ("dealGroupGroups", "dealGroupUsers", "stages")
        ),
    }


def render_stage(ctx: RenderContext, row: Row) -> Record:
    """Render one deal stage."""
    rng = ctx.rng(STAGES, row)
    group_id = ctx.store.stage_group(row.id)
    siblings = ctx.store.current_stages_of(group_id) if group_id is not None else []
    order = siblings.index(row.id) + 1 if row.id in siblings else 1
    undated = "null_dates" in row.quirks and row.revision == 0
    regions: dict[str, Any] = {
        "cardRegion1": "title",
        "cardRegion2": "next-action",
        "cardRegion3": "show-avatar",
        "cardRegion4": "contact-fullname-orgname",
        "cardRegion5": "value",
    }
    return {
        "id": str(row.id),
        "group": str(group_id) if group_id is not None else None,
        "title": stage_title(ctx, row),
        "order": str(order),
        "color": pick(COLORS, rng.getrandbits(8)),
        "width": str(rng.choice((280, 280, 320))),
        "dealOrder": rng.choice(("next-action DESC", "title ASC", "value DESC")),
        **regions,
        "cdate": None if undated else format_dt(row.created),
        "udate": None if undated else format_dt(row.updated),
        "links": {"group": f"{API_HOST}/api/3/dealStages/{row.id}/group"},
    }


GROUP_SORT_KEYS: dict[str, SortKey] = {
    "title": lambda ctx, row: group_title(ctx.seed, row).lower(),
}
STAGE_SORT_KEYS: dict[str, SortKey] = {
    "title": lambda ctx, row: stage_title(ctx, row).lower(),
}
