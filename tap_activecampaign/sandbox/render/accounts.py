"""Accounts (organisations), rendered like ``GET /api/3/accounts``.

Quirks: ``owner_int`` renders ``owner`` as a JSON int (a string elsewhere); ``links_empty``
renders ``links`` as ``[]``; ``empty_numeric`` renders ``contactCount`` as ``""``.
``accountUrl`` varies between a URL, null and ``""``.
"""

from __future__ import annotations

from typing import Any

from tap_activecampaign.sandbox.clock import format_dt
from tap_activecampaign.sandbox.hashing import code, mix, pick
from tap_activecampaign.sandbox.render.common import (
    API_HOST,
    Record,
    RenderContext,
    Row,
    blank,
    edited,
    links,
)
from tap_activecampaign.sandbox.vocab import COMPANY_KINDS, COMPANY_WORDS

TABLE = code("accounts")

_LINKS = (
    "notes", "accountCustomFieldData", "accountContacts", "emailActivities", "contactEmails",
)  # fmt: skip


def account_name(seed: int, account_id: int) -> str:
    """Return the generated name of an account (also shown as a contact's ``orgname``)."""
    value = mix(seed, TABLE, account_id, 1)
    return f"{pick(COMPANY_WORDS, value)} {pick(COMPANY_KINDS, value >> 16)} {account_id}"


def render(ctx: RenderContext, row: Row) -> Record:
    """Render one account."""
    rng = ctx.rng(TABLE, row)
    name = account_name(ctx.seed, row.id)
    owner_id = rng.randint(1, 3)
    slug = name.split()[0].lower()
    url = f"https://www.{slug}{row.id}.example" if rng.random() < 0.6 else blank(rng)
    contacts = rng.randrange(0, 40)
    deals = rng.randrange(0, 8)

    owner: Any = owner_id if "owner_int" in row.quirks else str(owner_id)
    row_links: Any = links(f"{API_HOST}/api/3/accounts", row.id, _LINKS)
    if "links_empty" in row.quirks:
        row_links = []
    return {
        "id": str(row.id),
        "name": edited(name, row.revision),
        "accountUrl": url,
        "owner": owner,
        "createdTimestamp": format_dt(row.created),
        "updatedTimestamp": format_dt(row.updated),
        "contactCount": "" if "empty_numeric" in row.quirks else str(contacts),
        "dealCount": str(deals),
        "links": row_links,
    }
