"""Contacts, rendered with the field names and JSON types of ``GET /api/3/contacts``.

Quirks: ``zero_dates`` puts ``0000-00-00`` into ``bounced_date``/``rating_tstamp`` and
``0000-00-00 00:00:00`` into ``socialdata_lastcheck``/``deleted_at``; ``bad_calendar`` puts
``2021-02-30`` into ``rating_tstamp``; ``short_hour`` renders ``adate`` with a one-digit hour.
``phone`` and ``ua`` vary between null and ``""``; ``ip`` is an unsigned-integer string.
"""

from __future__ import annotations

from tap_activecampaign.sandbox.clock import (
    ZERO_DATE,
    ZERO_DATETIME,
    format_d,
    format_dt,
    format_dt_short_hour,
    format_dtn,
)
from tap_activecampaign.sandbox.hashing import code, mix, pick
from tap_activecampaign.sandbox.render.accounts import account_name
from tap_activecampaign.sandbox.render.common import (
    API_HOST,
    Record,
    RenderContext,
    Row,
    SortKey,
    between,
    blank,
    edited,
    flag,
    history_end,
    links,
)
from tap_activecampaign.sandbox.vocab import EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, USER_AGENTS

TABLE = code("contacts")

_LINKS = (
    "bounceLogs", "contactAutomations", "contactData", "contactGoals", "contactLists",
    "contactLogs", "contactTags", "contactDeals", "deals", "fieldValues", "geoIps", "notes",
    "organization", "plusAppend", "trackingLogs", "scoreValues", "accountContacts",
    "automationEntryCounts",
)  # fmt: skip


def person(seed: int, row: Row) -> tuple[str, str]:
    """Return (first, last) name; cheap, so ordering by name needs no full render."""
    value = mix(seed, TABLE, row.id, 1)
    first = pick(FIRST_NAMES, value)
    return edited(first, row.revision), pick(LAST_NAMES, value >> 20)


def email(seed: int, row: Row) -> str:
    """Return the contact's address, unique per id and unchanged by edits."""
    value = mix(seed, TABLE, row.id, 1)
    first, last = pick(FIRST_NAMES, value), pick(LAST_NAMES, value >> 20)
    return f"{first}.{last}{row.id}@{pick(EMAIL_DOMAINS, value >> 40)}".lower()


def render(ctx: RenderContext, row: Row) -> Record:
    """Render one contact."""
    rng = ctx.rng(TABLE, row)
    first, last = person(ctx.seed, row)
    address = email(ctx.seed, row)
    local_part, domain = address.split("@")
    quirks = row.quirks
    end = history_end(row)

    account = ctx.pick_id("accounts", rng.getrandbits(32)) if rng.random() < 0.4 else None
    bounced_hard = flag(rng, 0.02)
    bounced_soft = str(rng.choice((0, 0, 0, 0, 0, 1, 2)))
    bounce_day = between(row.created, end, rng.random())
    active = rng.random() < 0.7 or "short_hour" in quirks
    activity = between(row.created, end, rng.random())
    rated = rng.random() < 0.3
    checked = rng.random() < 0.2
    phone = f"+1 312-555-{rng.randrange(10000):04d}" if rng.random() < 0.6 else blank(rng)
    user_agent = pick(USER_AGENTS, rng.getrandbits(8)) if rng.random() < 0.5 else blank(rng)
    ip = str(rng.randrange(16777216, 4294967295)) if rng.random() < 0.8 else "0"
    author = "1" if rng.random() < 0.5 else None

    bounced = bounced_hard == "1" or bounced_soft != "0"
    adate = None
    if active:
        adate = format_dt_short_hour(activity) if "short_hour" in quirks else format_dt(activity)

    created_naive, updated_naive = format_dtn(row.created), format_dtn(row.updated)
    return {
        "id": str(row.id),
        "cdate": format_dt(row.created),
        "udate": format_dt(row.updated),
        "adate": adate,
        "edate": None,
        "email": address,
        "phone": phone,
        "firstName": first,
        "lastName": last,
        "orgid": account or "0",
        "orgname": account_name(ctx.seed, int(account)) if account else "",
        "organization": None,
        "segmentio_id": "",
        "bounced_hard": bounced_hard,
        "bounced_soft": bounced_soft,
        "bounced_date": _zero_or(format_d(bounce_day) if bounced else None, quirks, ZERO_DATE),
        "ip": ip,
        "ua": user_agent,
        "hash": f"{rng.getrandbits(128):032x}",
        "socialdata_lastcheck": _zero_or(
            format_dtn(activity) if checked else None, quirks, ZERO_DATETIME
        ),
        "email_local": local_part,
        "email_domain": domain,
        "sentcnt": str(rng.randrange(0, 400)),
        "rating_tstamp": _rating(format_d(activity) if rated else None, quirks),
        "gravatar": flag(rng, 0.2),
        "deleted": "0",
        "anonymized": "0",
        "deleted_at": _zero_or(None, quirks, ZERO_DATETIME),
        "created_utc_timestamp": created_naive,
        "updated_utc_timestamp": updated_naive,
        "created_timestamp": created_naive,
        "updated_timestamp": updated_naive,
        "created_by": author,
        "updated_by": author,
        "email_empty": False,
        "mpp_tracking": flag(rng, 0.3),
        "scoreValues": [],
        "accountContacts": [str(row.id * 7 + 3)] if account else [],
        "links": links(f"{API_HOST}/api/3/contacts", row.id, _LINKS),
    }


def _zero_or(value: str | None, quirks: frozenset[str], sentinel: str) -> str | None:
    """Keep a real value; otherwise show the zero sentinel on quirk rows and null elsewhere."""
    if value is None and "zero_dates" in quirks:
        return sentinel
    return value


def _rating(value: str | None, quirks: frozenset[str]) -> str | None:
    """The rating date carries the impossible-calendar quirk."""
    if "bad_calendar" in quirks:
        return "2021-02-30"
    return _zero_or(value, quirks, ZERO_DATE)


def _full_name(ctx: RenderContext, row: Row) -> str:
    first, last = person(ctx.seed, row)
    return f"{first} {last}".lower()


SORT_KEYS: dict[str, SortKey] = {
    "email": lambda ctx, row: email(ctx.seed, row),
    "first_name": lambda ctx, row: person(ctx.seed, row)[0].lower(),
    "last_name": lambda ctx, row: person(ctx.seed, row)[1].lower(),
    "name": _full_name,
}
