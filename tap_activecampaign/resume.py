"""Where an interrupted contacts sync stopped, kept in the stream's state.

Contacts are read by id ranges, each walked upward with ``id_greater``. After every page
that was fully written, the range's lower end moves past it; STATE messages carry these
ranges, so a sync killed half-way continues from there instead of from id 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tap_activecampaign.paging import IdRange

STATE_KEY = "resume"


@dataclass
class ResumePoint:
    """The unfinished part of a keyset sync and the settings it must be finished with.

    ``since`` is the update-time filter the sync started with, ``started_at`` its start
    (the bookmark may not pass it, or updates made during the first attempt would be
    missed), and ``version`` the table version it stamps on full-table records.
    """

    ranges: list[IdRange]
    since: str | None
    started_at: str | None
    version: int | None

    def to_state(self) -> dict[str, Any]:
        """The JSON form kept in the stream state."""
        return {
            "ranges": [[r.after, r.upto] for r in self.ranges],
            "since": self.since,
            "started_at": self.started_at,
            "version": self.version,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> ResumePoint | None:
        """Read a resume point back; None if there is none, or it is unreadable or empty.

        A resume point with no id range left would read nothing and then activate its table
        version, marking every contact deleted downstream: such a state is ignored.
        """
        saved = state.get(STATE_KEY)
        if not isinstance(saved, dict):
            return None
        try:
            ranges = [
                IdRange(int(after), None if upto is None else int(upto))
                for after, upto in saved["ranges"]
            ]
            for stamp in (saved.get("since"), saved.get("started_at")):
                if stamp is not None:
                    datetime.fromisoformat(stamp)
        except (KeyError, TypeError, ValueError):
            return None
        version = saved.get("version")
        if not ranges or not (version is None or type(version) is int):
            return None
        return cls(ranges, saved.get("since"), saved.get("started_at"), version)
