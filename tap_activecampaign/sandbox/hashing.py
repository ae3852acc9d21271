"""Deterministic hashing, so any record can be regenerated from (seed, table, id) alone."""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

_MASK = (1 << 64) - 1


def mix(*parts: int) -> int:
    """Fold integers into one well-spread 64-bit value (splitmix64 per part)."""
    state = 0x243F6A8885A308D3
    for part in parts:
        state = (state + (part & _MASK) + 0x9E3779B97F4A7C15) & _MASK
        state = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        state = ((state ^ (state >> 27)) * 0x94D049BB133111EB) & _MASK
        state ^= state >> 31
    return state


def code(name: str) -> int:
    """Return a stable integer for a table or purpose name (unlike ``hash``, not salted)."""
    return zlib.crc32(name.encode())


def seeded_rng(*parts: int) -> random.Random:
    """Return a reproducible random stream for generated data (never for secrets)."""
    return random.Random(mix(*parts))  # noqa: S311 - fake data must be reproducible


def row_rng(seed: int, table: int, row_id: int) -> random.Random:
    """Return the private random stream of one record."""
    return seeded_rng(seed, table, row_id)


def pick(items: Sequence[T], value: int) -> T:
    """Choose an item from a non-empty sequence by a hash value."""
    return items[value % len(items)]
