"""Keep other libraries' log lines that would mislead a reader out of the tap's log."""

from __future__ import annotations

import logging

_MISLEADING = frozenset(
    {
        # Deal stubs have no mdate by design; the stream reports them once, in a summary.
        "New replication value is null",
        # The SDK says this of every stream whose API does not sort by the bookmark. The
        # bookmark is still safe (it only advances when the stream finishes), and contacts
        # resume from their own id-range state.
        "Stream is assumed to be unsorted, progress is not resumable if interrupted",
    }
)


class _DropMisleading(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in _MISLEADING


def quiet_library_logs() -> None:
    """Drop the SDK's misleading per-record lines and the rate limiter's setup chatter."""
    logging.getLogger("singer_sdk").addFilter(_DropMisleading())
    logging.getLogger("pyrate_limiter").setLevel(logging.WARNING)
