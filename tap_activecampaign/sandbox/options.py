"""Server-wide switches for how the sandbox shapes its answers, changeable while it runs.

``meta_total`` says how list responses carry ``meta.total``: ``api`` as ActiveCampaign does
(a string, an integer on ``/deals``), or always ``string``, always ``int``, ``null`` or
``absent``. ``hostile_data`` adds the data quirks of :mod:`.render.hostile` to every table
(off by default: the default dataset only carries the quirks documented for the real API).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

META_TOTAL_MODES = ("api", "string", "int", "null", "absent")


@dataclass
class DataOptions:
    """The switches; read on every request, written through the control API."""

    meta_total: str = "api"
    hostile_data: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Validate the constructor arguments like control updates."""
        self.update({"meta_total": self.meta_total, "hostile_data": self.hostile_data})

    def update(self, raw: Mapping[str, Any]) -> None:
        """Apply the given switches; raise ValueError or TypeError (changing nothing)."""
        unknown = sorted(set(raw) - {"meta_total", "hostile_data"})
        if unknown:
            raise ValueError(f"unknown switch(es): {', '.join(unknown)}")
        meta_total = raw.get("meta_total", self.meta_total)
        if meta_total not in META_TOTAL_MODES:
            raise ValueError(f"meta_total must be one of {', '.join(META_TOTAL_MODES)}")
        hostile = raw.get("hostile_data", self.hostile_data)
        if not isinstance(hostile, bool):
            raise TypeError("hostile_data must be true or false")
        with self._lock:
            self.meta_total = meta_total
            self.hostile_data = hostile

    def as_json(self) -> dict[str, Any]:
        """Render the switches for the control API."""
        return {"meta_total": self.meta_total, "hostile_data": self.hostile_data}
