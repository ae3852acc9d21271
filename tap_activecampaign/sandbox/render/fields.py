"""Contact custom fields (``/fields``) with their ``fieldOptions`` and ``fieldRels`` sideloads.

Choice fields (dropdown, checkbox, radio, listbox) own options with ids ``field * 100 + n``;
every field has one or two list relations with ids ``field * 10 + n`` (``relid`` 0 = all lists).
"""

from __future__ import annotations

from tap_activecampaign.sandbox.clock import format_dt
from tap_activecampaign.sandbox.hashing import code, mix, pick
from tap_activecampaign.sandbox.render.common import (
    API_HOST,
    Record,
    RenderContext,
    Row,
    blank,
    edited,
    flag,
    links,
)
from tap_activecampaign.sandbox.vocab import FIELD_TITLES, FIELD_TYPES

TABLE = code("custom_fields")

_CHOICE_TYPES = frozenset({"dropdown", "checkbox", "radio", "listbox"})
_CHOICES = ("Small", "Medium", "Large", "Other")


def field_type(seed: int, field_id: int) -> str:
    """Return the field's input type."""
    return pick(FIELD_TYPES, mix(seed, TABLE, field_id, 2))


def option_ids(seed: int, field_id: int) -> list[int]:
    """Return the ids of a field's options (empty for non-choice fields)."""
    if field_type(seed, field_id) not in _CHOICE_TYPES:
        return []
    return [field_id * 100 + n for n in range(1, 2 + mix(seed, TABLE, field_id, 3) % 3)]


def rel_ids(seed: int, field_id: int) -> list[int]:
    """Return the ids of a field's list relations."""
    return [field_id * 10 + n for n in range(1, 2 + mix(seed, TABLE, field_id, 4) % 2)]


def render(ctx: RenderContext, row: Row) -> Record:
    """Render one custom field definition."""
    rng = ctx.rng(TABLE, row)
    title = f"{pick(FIELD_TITLES, mix(ctx.seed, TABLE, row.id, 1))} {row.id}"
    kind = field_type(ctx.seed, row.id)
    return {
        "id": str(row.id),
        "title": edited(title, row.revision),
        "descript": "Collected on signup" if rng.random() < 0.4 else blank(rng),
        "type": kind,
        "isrequired": flag(rng, 0.1),
        "perstag": title.upper().replace(" ", "_"),
        "defval": blank(rng),
        "show_in_list": flag(rng, 0.3),
        "rows": "0",
        "cols": "0",
        "visible": "1",
        "service": "",
        "ordernum": str(row.id),
        "cdate": format_dt(row.created),
        "udate": format_dt(row.updated),
        "options": [str(option) for option in option_ids(ctx.seed, row.id)],
        "relations": [str(rel) for rel in rel_ids(ctx.seed, row.id)],
        "links": links(f"{API_HOST}/api/3/fields", row.id, ("options", "relations")),
    }


def render_options(ctx: RenderContext, row: Row) -> list[Record]:
    """Render the sideloaded ``fieldOptions`` of one field."""
    records = []
    for order, option in enumerate(option_ids(ctx.seed, row.id), start=1):
        label = pick(_CHOICES, option)
        records.append(
            {
                "id": str(option),
                "field": str(row.id),
                "orderid": str(order),
                "value": label,
                "label": label,
                "isdefault": "1" if order == 1 else "0",
                "cdate": format_dt(row.created),
                "udate": format_dt(row.created),
                "links": {"field": f"{API_HOST}/api/3/fieldOptions/{option}/field"},
            }
        )
    return records


def render_rels(ctx: RenderContext, row: Row) -> list[Record]:
    """Render the sideloaded ``fieldRels`` of one field."""
    records = []
    for order, rel in enumerate(rel_ids(ctx.seed, row.id), start=1):
        list_id = ctx.pick_id("lists", mix(ctx.seed, TABLE, rel)) if order > 1 else None
        records.append(
            {
                "id": str(rel),
                "field": str(row.id),
                "relid": list_id or "0",
                "dorder": str(order),
                "cdate": format_dt(row.created),
                "links": {"field": f"{API_HOST}/api/3/fieldRels/{rel}/field"},
            }
        )
    return records
