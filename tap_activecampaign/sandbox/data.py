"""Seeded generation of the compact per-row data the store keeps for every table.

Only what filtering, ordering and mutation need is kept (ids, stamps, quirk membership, stage to
pipeline links); full records are rendered on demand from (seed, table, id).
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from dataclasses import dataclass

from tap_activecampaign.sandbox.clock import HISTORY_START_EPOCH, REFERENCE_EPOCH
from tap_activecampaign.sandbox.hashing import code, seeded_rng
from tap_activecampaign.sandbox.tables import BY_STREAM, TABLES

# A stub deal hides every other field, so other quirks are placed on normal rows only.
_EXCLUSIVE_QUIRKS = frozenset({"stub"})

# Quirks are forced onto at least one row once a table has this many rows.
_QUIRK_MIN_ROWS = 4


@dataclass(frozen=True)
class Columns:
    """Ascending ids with their created and updated epoch seconds, position-aligned."""

    ids: array[int]
    created: array[int]
    updated: array[int]


@dataclass(frozen=True)
class Dataset:
    """Everything generated at startup."""

    columns: dict[str, Columns]
    quirks: dict[str, dict[str, frozenset[int]]]
    stage_group: dict[int, int | None]


def resolve_counts(seed: int, counts: Mapping[str, int] | None) -> dict[str, int]:
    """Fill in default counts and derive the stage count from the pipelines (3-6 each)."""
    given = dict(counts or {})
    unknown = sorted(set(given) - set(BY_STREAM))
    if unknown:
        raise ValueError(f"unknown table(s) in counts: {', '.join(unknown)}")
    if any(not isinstance(n, int) or n < 0 for n in given.values()):
        raise ValueError("counts must be non-negative integers")

    resolved = {spec.stream: given.get(spec.stream, spec.default_count or 0) for spec in TABLES}
    if "deal_stages" not in given:
        rng = seeded_rng(seed, code("stages-per-group"))
        resolved["deal_stages"] = sum(rng.randint(3, 6) for _ in range(resolved["deal_groups"]))
    return resolved


def generate(seed: int, counts: Mapping[str, int]) -> Dataset:
    """Build the compact columns, quirk placement and pipeline links for every table."""
    columns = {stream: _columns(seed, stream, n) for stream, n in counts.items()}
    quirks = {
        spec.stream: _place_quirks(seed, spec.stream, spec.quirks, columns[spec.stream].ids)
        for spec in TABLES
    }
    stage_group = _assign_stages(seed, columns["deal_stages"].ids, columns["deal_groups"].ids)
    return Dataset(columns=columns, quirks=quirks, stage_group=stage_group)


def _columns(seed: int, stream: str, count: int) -> Columns:
    """Ids with gaps, creation times rising with the id, updates at or after creation."""
    rng = seeded_rng(seed, code(stream), code("columns"))
    ids: array[int] = array("q")
    current = 0
    for _ in range(count):
        current += 1 if rng.random() < 0.8 else rng.randint(2, 5)
        ids.append(current)

    span = REFERENCE_EPOCH - HISTORY_START_EPOCH
    created = array("q", sorted(HISTORY_START_EPOCH + rng.randrange(span) for _ in range(count)))
    updated: array[int] = array("q")
    for made in created:
        if rng.random() < 0.35:
            updated.append(made)
        else:
            updated.append(made + int((REFERENCE_EPOCH - made) * rng.random() ** 3))
    return Columns(ids=ids, created=created, updated=updated)


def _place_quirks(
    seed: int, stream: str, rates: Mapping[str, float], ids: array[int]
) -> dict[str, frozenset[int]]:
    """Choose which rows carry each quirk: a fixed share, at least one row in non-tiny tables."""
    rng = seeded_rng(seed, code(stream), code("quirks"))
    pool = list(range(len(ids)))
    placed: dict[str, frozenset[int]] = {}
    for name in sorted(rates, key=lambda quirk: quirk not in _EXCLUSIVE_QUIRKS):
        wanted = round(len(ids) * rates[name])
        if wanted == 0 and len(ids) >= _QUIRK_MIN_ROWS:
            wanted = 1
        chosen = rng.sample(pool, min(wanted, len(pool)))
        placed[name] = frozenset(ids[position] for position in chosen)
        if name in _EXCLUSIVE_QUIRKS:
            taken = set(chosen)
            pool = [position for position in pool if position not in taken]
    return placed


def _assign_stages(
    seed: int, stage_ids: array[int], group_ids: array[int]
) -> dict[int, int | None]:
    """Give each stage a pipeline in contiguous runs, as stages are created per pipeline.

    The derived default count uses the seeded 3-6 stages per pipeline; an explicit count that
    differs is spread evenly instead.
    """
    if not group_ids:
        return dict.fromkeys(stage_ids)

    rng = seeded_rng(seed, code("stages-per-group"))
    sizes = [rng.randint(3, 6) for _ in group_ids]
    if sum(sizes) != len(stage_ids):
        sizes = [len(stage_ids) // len(group_ids)] * len(group_ids)
        for index in range(len(stage_ids) % len(group_ids)):
            sizes[index] += 1

    owners = [group for group, size in zip(group_ids, sizes, strict=True) for _ in range(size)]
    return dict(zip(stage_ids, owners, strict=True))
