"""Writing Singer messages to stdout in chunks instead of one system call per record."""

from __future__ import annotations

import atexit
import sys
from typing import TYPE_CHECKING

from singer_sdk.io_base import SingerMessageType, SingerWriter
from typing_extensions import override

if TYPE_CHECKING:
    from singer_sdk.singerlib.encoding.simple import Message

CHUNK_CHARACTERS = 64 * 1024


class RecordBufferingWriter(SingerWriter):
    """Holds RECORD lines until 64 KiB gather, another message type comes, or the run ends.

    The SDK's writer flushes after every message, and with ``PYTHONUNBUFFERED`` (which
    orchestrators often set) each line is its own system call: the largest single cost in
    the tap's profile. Messages still leave in order, and a STATE goes out together with
    every record written before it, so a target never sees a bookmark ahead of its records.
    """

    def __init__(self) -> None:
        """Start with nothing held back; whatever is held when the process ends goes out."""
        super().__init__()
        self._held: list[str] = []
        self._held_characters = 0
        atexit.register(self._write_held)

    @override
    def write_message(self, message: Message) -> None:
        line = self.format_message(message) + "\n"
        self._held.append(line)
        self._held_characters += len(line)
        if message.type != SingerMessageType.RECORD or self._held_characters >= CHUNK_CHARACTERS:
            self._write_held()

    def _write_held(self) -> None:
        if not self._held:
            sys.stdout.flush()
            return
        sys.stdout.write("".join(self._held))
        sys.stdout.flush()
        self._held.clear()
        self._held_characters = 0
