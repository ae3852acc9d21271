"""Lists, rendered like ``GET /api/3/lists`` (docs fields plus real-data extras).

``udate`` is null until a list is modified; ``sender_url`` and other optional strings vary
between null and ``""``.
"""

from __future__ import annotations

from tap_activecampaign.sandbox.clock import format_dt, format_dtn
from tap_activecampaign.sandbox.hashing import code, mix, pick
from tap_activecampaign.sandbox.render.common import (
    API_HOST,
    Record,
    RenderContext,
    Row,
    SortKey,
    blank,
    edited,
    flag,
    links,
)
from tap_activecampaign.sandbox.vocab import LIST_NAMES

TABLE = code("lists")


def name(seed: int, row: Row) -> str:
    """Return the list name."""
    return edited(f"{pick(LIST_NAMES, mix(seed, TABLE, row.id, 1))} {row.id}", row.revision)


def render(ctx: RenderContext, row: Row) -> Record:
    """Render one list."""
    rng = ctx.rng(TABLE, row)
    title = name(ctx.seed, row)
    modified = row.updated != row.created or row.revision > 0
    return {
        "id": str(row.id),
        "stringid": title.lower().replace(" ", "-"),
        "userid": "1",
        "user": "1" if rng.random() < 0.8 else None,
        "name": title,
        "cdate": format_dt(row.created),
        "udate": format_dt(row.updated) if modified else None,
        "p_use_tracking": "1",
        "p_use_analytics_read": flag(rng, 0.2),
        "p_use_analytics_link": flag(rng, 0.2),
        "p_use_twitter": "0",
        "p_use_facebook": "0",
        "p_embed_image": "1",
        "p_use_captcha": flag(rng, 0.5),
        "send_last_broadcast": "0",
        "private": flag(rng, 0.1),
        "analytics_domains": blank(rng),
        "analytics_source": "",
        "analytics_ua": "",
        "twitter_token": "",
        "twitter_token_secret": "",
        "facebook_session": None,
        "carboncopy": blank(rng),
        "subscription_notify": blank(rng),
        "unsubscription_notify": blank(rng),
        "require_name": flag(rng, 0.3),
        "get_unsubscribe_reason": flag(rng, 0.5),
        "to_name": "Subscriber",
        "optinoptout": "1",
        "sender_name": "Sandbox Marketing",
        "sender_addr1": "233 S Wacker Dr",
        "sender_addr2": "",
        "sender_city": "Chicago",
        "sender_state": "IL",
        "sender_zip": "60606",
        "sender_country": "United States",
        "sender_phone": "",
        "sender_url": "https://www.example.com" if rng.random() < 0.5 else blank(rng),
        "sender_reminder": blank(rng),
        "fulladdress": blank(rng),
        "optinmessageid": "0",
        "optoutconf": "0",
        "deletestamp": None,
        "created_timestamp": format_dtn(row.created),
        "updated_timestamp": format_dtn(row.updated),
        "created_by": "1",
        "updated_by": "1" if modified else None,
        "links": links(
            f"{API_HOST}/api/3/lists", row.id, ("contactGoalLists", "user", "addressLists")
        ),
    }


SORT_KEYS: dict[str, SortKey] = {
    "name": lambda ctx, row: name(ctx.seed, row).lower(),
}
