"""Forms, rendered like ``GET /api/3/forms`` with their free-form nested objects.

Quirk: ``padding_text`` renders ``style.button.padding`` as ``"10px"`` (an int elsewhere).
``recent`` is a list of plain strings (sometimes empty); ``contacts``/``deals`` are JSON ints.
"""

from __future__ import annotations

import random
from typing import Any

from tap_activecampaign.sandbox.clock import format_dt
from tap_activecampaign.sandbox.hashing import code, mix, pick
from tap_activecampaign.sandbox.render.common import (
    API_HOST,
    Record,
    RenderContext,
    Row,
    edited,
)
from tap_activecampaign.sandbox.vocab import FORM_NAMES

TABLE = code("forms")


def render(ctx: RenderContext, row: Row) -> Record:
    """Render one form."""
    rng = ctx.rng(TABLE, row)
    title = f"{pick(FORM_NAMES, mix(ctx.seed, TABLE, row.id, 1))} {row.id}"
    list_id = ctx.pick_id("lists", rng.getrandbits(32)) or "0"
    padding: Any = "10px" if "padding_text" in row.quirks else 10
    submissions = rng.randrange(0, 900)
    recent = [f"visitor{rng.randrange(1000)}@example.com" for _ in range(rng.randrange(0, 4))]
    return {
        "id": str(row.id),
        "name": edited(title, row.revision),
        "action": "",
        "actiondata": {"actions": [{"type": "subscribe-to-list", "email": "", "list": list_id}]},
        "submit": "show-thanks",
        "submitdata": {"url": ""},
        "url": "",
        "layout": rng.choice(("inline-form", "floating-box", "floating-bar", "modal")),
        "title": title,
        "body": "Sign up for news and offers.",
        "button": "Submit",
        "thanks": "Thanks for signing up!",
        "style": _style(rng, padding),
        "options": {
            "blanks_overwrite": True,
            "confaction": "show-thanks",
            "sendoptin": rng.random() < 0.5,
            "optin_id": 1,
            "optin_created": False,
            "confform": "",
        },
        "cfields": [
            {"type": "header", "header": "Subscribe", "class": "_x1"},
            {"type": "email", "header": "Email", "required": True, "class": "_x2"},
            {"type": "button", "default_text": "Submit", "class": "_x3"},
        ],
        "parentformid": "0",
        "userid": "1",
        "addressid": "0",
        "address": None,
        "cdate": format_dt(row.created),
        "udate": format_dt(row.updated),
        "entries": str(submissions),
        "aid": "0",
        "defaultscreenshot": f"{API_HOST}/screenshots/forms/default.png",
        "recent": recent,
        "contacts": submissions,
        "deals": rng.randrange(0, 20),
        "links": {"address": f"{API_HOST}/api/3/forms/{row.id}/address"},
    }


def _style(rng: random.Random, padding: Any) -> dict[str, Any]:
    """Return the form's style block."""
    return {
        "background": "FFFFFF",
        "dark": rng.random() < 0.2,
        "fontcolor": "000000",
        "layout": "normal",
        "border": {"width": 0, "style": "solid", "color": "B0B0B0", "radius": 0},
        "width": 500,
        "ac_branding": True,
        "button": {
            "padding": padding,
            "background": "004CFF",
            "fontcolor": "FFFFFF",
            "border": {"radius": 4, "color": "333333", "style": "solid", "width": 0},
        },
    }
