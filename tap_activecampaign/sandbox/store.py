"""The in-memory dataset and its mutations, safe to share between handler threads.

Each table is an immutable snapshot (``TableState``); a mutation builds a new snapshot and swaps
it in under the lock, so a request that already holds a snapshot keeps a consistent view and
caches can key on the snapshot's version.
"""

from __future__ import annotations

import bisect
import itertools
import threading
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tap_activecampaign.sandbox.clock import now_epoch
from tap_activecampaign.sandbox.data import Dataset, generate, resolve_counts

_versions = itertools.count(1)


@dataclass(frozen=True)
class TableState:
    """One version of a table: position-aligned columns, ids ascending."""

    ids: array[int]
    created: array[int]
    updated: array[int]
    revisions: Mapping[int, int]
    version: int

    def position(self, row_id: int) -> int | None:
        """Return the position of an id, or None when it does not exist."""
        index = bisect.bisect_left(self.ids, row_id)
        if index < len(self.ids) and self.ids[index] == row_id:
            return index
        return None


class Store:
    """All simulated tables for one seed."""

    def __init__(self, seed: int, counts: Mapping[str, int] | None = None) -> None:
        """Generate the dataset; ``counts`` maps stream names to row counts."""
        self.seed = seed
        self.counts = resolve_counts(seed, counts)
        dataset: Dataset = generate(seed, self.counts)
        self._lock = threading.RLock()
        self._states = {
            stream: TableState(cols.ids, cols.created, cols.updated, {}, next(_versions))
            for stream, cols in dataset.columns.items()
        }
        self._initial_ids = {stream: cols.ids for stream, cols in dataset.columns.items()}
        self._quirks = dataset.quirks
        self._stage_group = dataset.stage_group
        self._initial_stages = _stages_by_group(dataset.stage_group)
        self._max_ids = {
            stream: max(cols.ids, default=0) for stream, cols in dataset.columns.items()
        }
        self._stage_cache: tuple[int, Mapping[int, list[int]]] = (0, {})

    def state(self, stream: str) -> TableState:
        """Return the current snapshot of a table."""
        return self._states[stream]

    def initial_ids(self, stream: str) -> array[int]:
        """Return the generated ids, which foreign keys point at for reproducibility."""
        return self._initial_ids[stream]

    def quirks_of(self, stream: str, row_id: int) -> frozenset[str]:
        """Return the names of the quirks a generated row carries."""
        return frozenset(name for name, ids in self._quirks[stream].items() if row_id in ids)

    def stage_group(self, stage_id: int) -> int | None:
        """Return the pipeline a stage belongs to."""
        return self._stage_group.get(stage_id)

    def initial_stages_of(self, group_id: int) -> list[int]:
        """Return the generated stages of a pipeline (for deals' stage links)."""
        return self._initial_stages.get(group_id, [])

    def current_stages_of(self, group_id: int) -> list[int]:
        """Return the existing stages of a pipeline, ascending, for dealGroups' sideload."""
        state = self._states["deal_stages"]
        version, cached = self._stage_cache
        if version != state.version:
            live = {stage_id: self._stage_group.get(stage_id) for stage_id in state.ids}
            cached = MappingProxyType(_stages_by_group(live))
            self._stage_cache = (state.version, cached)
        return cached.get(group_id, [])

    def delete(self, stream: str, ids: Iterable[int]) -> list[int]:
        """Hard-delete rows; return the ids that existed."""
        with self._lock:
            state = self._states[stream]
            doomed = {row_id for row_id in ids if state.position(row_id) is not None}
            keep = [p for p, row_id in enumerate(state.ids) if row_id not in doomed]
            self._states[stream] = TableState(
                array("q", (state.ids[p] for p in keep)),
                array("q", (state.created[p] for p in keep)),
                array("q", (state.updated[p] for p in keep)),
                state.revisions,
                next(_versions),
            )
            return sorted(doomed)

    def touch(self, stream: str, ids: Iterable[int], at: int | None = None) -> list[int]:
        """Stamp rows as updated at ``at`` (default: now) and bump their visible revision."""
        with self._lock:
            state = self._states[stream]
            updated = array("q", state.updated)
            revisions = dict(state.revisions)
            touched = []
            for row_id in ids:
                position = state.position(row_id)
                if position is None:
                    continue
                stamp = at if at is not None else max(now_epoch(), state.created[position])
                updated[position] = stamp
                revisions[row_id] = revisions.get(row_id, 0) + 1
                touched.append(row_id)
            self._states[stream] = TableState(
                state.ids, state.created, updated, revisions, next(_versions)
            )
            return touched

    def create(self, stream: str, count: int) -> list[int]:
        """Append new rows above the highest id ever issued, created and updated now."""
        with self._lock:
            state = self._states[stream]
            first = self._max_ids[stream] + 1
            new_ids = list(range(first, first + count))
            self._max_ids[stream] = first + count - 1 if count else first - 1
            stamp = now_epoch()
            if stream == "deal_stages":
                self._link_new_stages(new_ids)
            self._states[stream] = TableState(
                state.ids + array("q", new_ids),
                state.created + array("q", [stamp] * count),
                state.updated + array("q", [stamp] * count),
                state.revisions,
                next(_versions),
            )
            return new_ids

    def _link_new_stages(self, stage_ids: list[int]) -> None:
        """Spread new stages over the existing pipelines, round-robin."""
        groups = self._states["deal_groups"].ids
        for index, stage_id in enumerate(stage_ids):
            self._stage_group[stage_id] = groups[index % len(groups)] if groups else None


def _stages_by_group(stage_group: Mapping[int, int | None]) -> dict[int, list[int]]:
    """Invert a stage-to-pipeline map, keeping the map's (ascending) stage order."""
    grouped: dict[int, list[int]] = {}
    for stage_id, group_id in stage_group.items():
        if group_id is not None:
            grouped.setdefault(group_id, []).append(stage_id)
    return grouped
