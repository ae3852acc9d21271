"""Segments, rendered like ``GET /api/3/segments`` (fields from connectors' live schemas).

Quirk: ``links_empty`` renders ``links`` as ``[]`` instead of an object.
"""

from __future__ import annotations

from typing import Any

from tap_activecampaign.sandbox.clock import format_dtn
from tap_activecampaign.sandbox.hashing import code, mix, pick
from tap_activecampaign.sandbox.render.common import (
    API_HOST,
    Record,
    RenderContext,
    Row,
    edited,
    flag,
    links,
)
from tap_activecampaign.sandbox.vocab import SEGMENT_NAMES

TABLE = code("segments")


def render(ctx: RenderContext, row: Row) -> Record:
    """Render one segment."""
    rng = ctx.rng(TABLE, row)
    title = f"{pick(SEGMENT_NAMES, mix(ctx.seed, TABLE, row.id, 1))} {row.id}"
    row_links: Any = links(f"{API_HOST}/api/3/segments", row.id, ("segmentGroups",))
    if "links_empty" in row.quirks:
        row_links = []
    return {
        "id": str(row.id),
        "name": edited(title, row.revision),
        "logic": rng.choice(("and", "or")),
        "hidden": flag(rng, 0.1),
        "seriesid": "0",
        "created_timestamp": format_dtn(row.created),
        "updated_timestamp": format_dtn(row.updated),
        "created_by": "1" if rng.random() < 0.7 else None,
        "updated_by": "1" if rng.random() < 0.7 else None,
        "links": row_links,
    }
