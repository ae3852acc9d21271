"""Record renderers per table, and the cheap sort and filter keys derived from them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tap_activecampaign.sandbox.render import (
    accounts,
    automations,
    campaigns,
    contacts,
    deals,
    fields,
    forms,
    hostile,
    lists,
    pipelines,
    segments,
    tags,
)
from tap_activecampaign.sandbox.render.common import Record, RenderContext, Renderer, Row, SortKey
from tap_activecampaign.sandbox.store import TableState

__all__ = ["Record", "RenderContext", "Row", "render_rows", "row_at"]

RENDERERS: dict[str, Renderer] = {
    "contacts": contacts.render,
    "accounts": accounts.render,
    "deals": deals.render,
    "deal_stages": pipelines.render_stage,
    "deal_groups": pipelines.render_group,
    "campaigns": campaigns.render,
    "lists": lists.render,
    "segments": segments.render,
    "forms": forms.render,
    "tags": tags.render,
    "automations": automations.render,
    "custom_fields": fields.render,
}

# Orders on stored stamps ("id", "cdate", ...) are handled by the query layer; these are the
# orders whose key has to be derived from the generated record.
SORT_KEYS: dict[str, dict[str, SortKey]] = {
    "contacts": contacts.SORT_KEYS,
    "deals": deals.SORT_KEYS,
    "deal_stages": pipelines.STAGE_SORT_KEYS,
    "deal_groups": pipelines.GROUP_SORT_KEYS,
    "campaigns": campaigns.SORT_KEYS,
    "lists": lists.SORT_KEYS,
    "tags": tags.SORT_KEYS,
    "automations": automations.SORT_KEYS,
}

EqualityKey = Callable[[RenderContext, Row], str]

EQUALITY_KEYS: dict[str, dict[str, EqualityKey]] = {
    "deal_stages": {"d_groupid": lambda ctx, row: str(ctx.store.stage_group(row.id))},
}


def row_at(ctx: RenderContext, stream: str, state: TableState, position: int) -> Row:
    """Return the stored facts of the row at a position of a table snapshot."""
    row_id = state.ids[position]
    return Row(
        id=row_id,
        created=state.created[position],
        updated=state.updated[position],
        revision=state.revisions.get(row_id, 0),
        quirks=ctx.store.quirks_of(stream, row_id),
    )


def render_rows(
    ctx: RenderContext, stream: str, state: TableState, positions: Iterable[int]
) -> list[Record]:
    """Render the records at the given positions, in that order."""
    render = RENDERERS[stream]
    records = [render(ctx, row_at(ctx, stream, state, position)) for position in positions]
    if ctx.options.hostile_data:
        records = [hostile.apply(ctx.seed, stream, record) for record in records]
    return records
