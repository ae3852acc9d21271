"""Campaigns, rendered like ``GET /api/3/campaigns`` (docs fields plus real-data extras).

Quirks: ``empty_numeric`` renders the counter ``socialshares`` as ``""``; ``short_hour``
renders ``scheduleddate`` with a one-digit hour. Drafts have null ``sdate``/``ldate``.
"""

from __future__ import annotations

import random

from tap_activecampaign.sandbox.clock import format_dt, format_dt_short_hour, format_dtn
from tap_activecampaign.sandbox.hashing import code, mix, pick
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
    links,
)
from tap_activecampaign.sandbox.vocab import CAMPAIGN_TOPICS, CAMPAIGN_TYPES

TABLE = code("campaigns")

_UNSENT = (0, 1)
_STATUSES = (5, 5, 5, 5, 5, 0, 1, 2, 3, 4, 6)
_LINKS = ("user", "automation", "campaignMessage", "campaignMessages", "links", "campaignLists")


def status(seed: int, campaign_id: int) -> int:
    """Return the campaign status (0 draft, 1 scheduled, 5 completed...)."""
    return pick(_STATUSES, mix(seed, TABLE, campaign_id, 2))


def send_dates(seed: int, row: Row) -> tuple[int | None, int | None]:
    """Return (first send, last send) in epoch seconds; unsent campaigns have neither."""
    if status(seed, row.id) in _UNSENT:
        return None, None
    value = mix(seed, TABLE, row.id, 3)
    first = between(row.created, row.updated, (value % 1000) / 1000)
    return first, between(first, row.updated, ((value >> 10) % 1000) / 1000)


def name(seed: int, row: Row) -> str:
    """Return the campaign name."""
    topic = pick(CAMPAIGN_TOPICS, mix(seed, TABLE, row.id, 1))
    return edited(f"{topic} {row.id}", row.revision)


def render(ctx: RenderContext, row: Row) -> Record:
    """Render one campaign."""
    rng = ctx.rng(TABLE, row)
    state = status(ctx.seed, row.id)
    sdate, ldate = send_dates(ctx.seed, row)
    scheduled_at = between(row.created, row.updated, rng.random())
    scheduled = state == 1 or "short_hour" in row.quirks
    campaign_type = pick(CAMPAIGN_TYPES, rng.getrandbits(8))
    sent = 0 if sdate is None else rng.randrange(50, 5000)
    counters = _counters(rng, sent)
    if "empty_numeric" in row.quirks:
        counters["socialshares"] = ""
    scheduled_text = None
    if scheduled:
        formatter = format_dt_short_hour if "short_hour" in row.quirks else format_dt
        scheduled_text = formatter(scheduled_at)
    automation = ctx.pick_id("automations", rng.getrandbits(32)) if rng.random() < 0.3 else None
    message_id = str(rng.randrange(1, 900))

    return {
        "id": str(row.id),
        "type": campaign_type,
        "userid": "1",
        "user": "1",
        "segmentid": str(rng.choice((0, 0, 3, 7))),
        "bounceid": str(rng.choice((-1, 0, 1))),
        "realcid": "0",
        "sendid": "0",
        "threadid": "0",
        "seriesid": automation or "0",
        "automation": automation,
        "formid": "0",
        "basetemplateid": "0",
        "basemessageid": message_id,
        "addressid": "0",
        "source": rng.choice(("web", "copy", "api")),
        "name": name(ctx.seed, row),
        "cdate": format_dt(row.created),
        "mdate": format_dt(row.updated),
        "sdate": format_dt(sdate) if sdate is not None else None,
        "ldate": format_dt(ldate) if ldate is not None else None,
        **counters,
        "status": str(state),
        "public": flag(rng, 0.8),
        "mail_transfer": "0",
        "mail_send": "1" if sent else "0",
        "mail_cleanup": "1" if sent else "0",
        "mailer_log_file": "0",
        "tracklinks": rng.choice(("all", "mime", "html", "none")),
        "tracklinksanalytics": flag(rng, 0.3),
        "trackreads": flag(rng, 0.9),
        "trackreadsanalytics": flag(rng, 0.3),
        "analytics_campaign_name": "",
        "tweet": "0",
        "facebook": "0",
        "survey": "",
        "embed_images": "0",
        "htmlunsub": "1",
        "textunsub": "1",
        "htmlunsubdata": blank(rng),
        "textunsubdata": blank(rng),
        "recurring": "",
        "willrecur": "0",
        "split_type": "read",
        "split_content": "0",
        "split_offset": "2",
        "split_offset_type": "day",
        "split_winner_messageid": "0",
        "split_winner_awaiting": "0",
        "responder_offset": "0",
        "responder_type": "subscribe",
        "responder_existing": "0",
        "reminder_field": "sdate",
        "reminder_format": None,
        "reminder_type": "month_day",
        "reminder_offset": "0",
        "reminder_offset_type": "day",
        "reminder_offset_sign": "+",
        "reminder_last_cron_run": None,
        "activerss_interval": "day1",
        "activerss_url": None,
        "activerss_items": "10",
        "ip4": str(rng.randrange(16777216, 4294967295)),
        "laststep": "summary" if sent else "design",
        "managetext": "0",
        "schedule": "1" if scheduled else "0",
        "scheduleddate": scheduled_text,
        "waitpreview": "0",
        "deletestamp": None,
        "replysys": "0",
        "created_timestamp": format_dtn(row.created),
        "updated_timestamp": format_dtn(row.updated),
        "created_by": "1",
        "updated_by": "1",
        "ip": "0",
        "series_send_lock_time": None,
        "can_skip_approval": "0",
        "use_quartz_scheduler": "1",
        "verified_opens": counters["opens"],
        "verified_unique_opens": counters["uniqueopens"],
        "segmentname": "",
        "has_predictive_content": "0",
        "message_id": message_id,
        "screenshot": f"{API_HOST}/screenshots/campaigns/{row.id}.png",
        "campaign_message_id": message_id,
        "ed_version": "2",
        "links": links(f"{API_HOST}/api/3/campaigns", row.id, _LINKS),
    }


def _counters(rng: random.Random, sent: int) -> dict[str, str]:
    """Return the delivery counters, all integers encoded as strings."""
    opens = int(sent * rng.uniform(0.1, 0.6))
    clicks = int(opens * rng.uniform(0.05, 0.4))
    return {
        "send_amt": str(sent),
        "total_amt": str(sent),
        "opens": str(opens + rng.randrange(0, opens + 1)),
        "uniqueopens": str(opens),
        "linkclicks": str(clicks + rng.randrange(0, clicks + 1)),
        "uniquelinkclicks": str(clicks),
        "subscriberclicks": str(clicks),
        "forwards": str(rng.randrange(0, 5)),
        "uniqueforwards": "0",
        "hardbounces": str(int(sent * 0.01)),
        "softbounces": str(int(sent * 0.02)),
        "unsubscribes": str(int(sent * 0.005)),
        "unsubreasons": "0",
        "updates": "0",
        "socialshares": "0",
        "replies": "0",
        "uniquereplies": "0",
    }


def _stamp(value: int | None) -> int:
    """Sort unsent (null) dates first, as MySQL does in ascending order."""
    return -1 if value is None else value


SORT_KEYS: dict[str, SortKey] = {
    "sdate": lambda ctx, row: _stamp(send_dates(ctx.seed, row)[0]),
    "ldate": lambda ctx, row: _stamp(send_dates(ctx.seed, row)[1]),
}
