"""What reaches the log: no secrets, and no library lines that would mislead a reader."""

from __future__ import annotations

import logging

_MISLEADING = (
    # Deal stubs have no mdate by design; the stream reports them once, in a summary.
    "New replication value is null",
    # The SDK says this of every stream whose API does not sort by the bookmark. The bookmark
    # is still safe (it only advances when the stream finishes), and contacts resume from
    # their own id-range state.
    "Stream is assumed to be unsorted, progress is not resumable if interrupted",
    # The SDK's own line before a failure; the tap ends every run it cannot finish with one
    # line that says what went wrong and what to do.
    "An unhandled error occurred while syncing",
)

REDACTED = "***"


class _DropMisleading(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(_MISLEADING)


class _RedactSecret(logging.Filter):
    """Replaces the secret in a record's message and traceback before any handler prints it.

    The tap never logs the key itself, but an error may quote a response, and an API that
    echoes the key back would put it in the log.
    """

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, REDACTED), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.secret in record.exc_text:
            record.exc_text = record.exc_text.replace(self.secret, REDACTED)
        return True


def filter_run_logs(secret: str) -> None:
    """For a run from the command line: mask ``secret`` and drop misleading library lines.

    The filters go on the handlers, which see the records of every logger.
    """
    logging.getLogger("pyrate_limiter").setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_DropMisleading())
        if len(secret) >= 4:  # shorter would mask ordinary text
            handler.addFilter(_RedactSecret(secret))
