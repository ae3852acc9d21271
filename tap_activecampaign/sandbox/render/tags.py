"""Tags, rendered like ``GET /api/3/tags``; their only update stamp is ``updated_timestamp``."""

from __future__ import annotations

from tap_activecampaign.sandbox.clock import format_dt, format_dtn
from tap_activecampaign.sandbox.hashing import code, mix, pick
from tap_activecampaign.sandbox.render.common import (
    API_HOST,
    Record,
    RenderContext,
    Row,
    SortKey,
    edited,
)
from tap_activecampaign.sandbox.vocab import TAG_WORDS

TABLE = code("tags")


def tag_name(seed: int, row: Row) -> str:
    """Return the tag text (what ``orders[search]`` sorts by)."""
    return edited(f"{pick(TAG_WORDS, mix(seed, TABLE, row.id, 1))}-{row.id}", row.revision)


def render(ctx: RenderContext, row: Row) -> Record:
    """Render one tag."""
    rng = ctx.rng(TABLE, row)
    return {
        "id": str(row.id),
        "tag": tag_name(ctx.seed, row),
        "tagType": rng.choice(("contact", "contact", "contact", "template")),
        "description": rng.choice(("", "", "Imported", "Added by automation")),
        "cdate": format_dt(row.created),
        "subscriber_count": str(rng.randrange(0, 2500)),
        "created_timestamp": format_dtn(row.created),
        "updated_timestamp": format_dtn(row.updated),
        "created_by": "1" if rng.random() < 0.6 else None,
        "updated_by": "1" if rng.random() < 0.6 else None,
        "links": {"contactGoalTags": f"{API_HOST}/api/3/tags/{row.id}/contactGoalTags"},
    }


SORT_KEYS: dict[str, SortKey] = {
    "search": lambda ctx, row: tag_name(ctx.seed, row).lower(),
}
