"""The key's own user, as ``GET /api/3/users/me`` returns it (used as a credential check)."""

from __future__ import annotations

from tap_activecampaign.sandbox.clock import HISTORY_START_EPOCH, format_dt, format_dtn
from tap_activecampaign.sandbox.render.common import API_HOST, Record, links


def render_me() -> Record:
    """Render the sandbox admin user."""
    return {
        "id": "1",
        "username": "admin",
        "firstName": "Sandbox",
        "lastName": "Admin",
        "email": "admin@example.com",
        "phone": "",
        "signature": None,
        "lang": "english",
        "localZoneid": "America/Chicago",
        "password_updated_utc_timestamp": format_dtn(HISTORY_START_EPOCH),
        "cdate": format_dt(HISTORY_START_EPOCH),
        "udate": format_dt(HISTORY_START_EPOCH),
        "mfaEnabled": "0",
        "links": links(
            f"{API_HOST}/api/3/users",
            1,
            ("lists", "userGroup", "dealGroupTotals", "dealGroupUsers", "configs"),
        ),
    }
