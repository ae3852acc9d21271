"""The ``/__sandbox/...`` control endpoints that tests and demos use to inspect and mutate data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tap_activecampaign.sandbox.api import ApiResult
from tap_activecampaign.sandbox.clock import parse_instant
from tap_activecampaign.sandbox.faults import FaultPlan, FaultRule
from tap_activecampaign.sandbox.render import RenderContext, render_rows
from tap_activecampaign.sandbox.stats import Stats
from tap_activecampaign.sandbox.tables import TableSpec, lookup

CONTROL_PREFIX = "/__sandbox/"

_MAX_CREATE = 1_000_000


class ControlError(Exception):
    """A bad control request; becomes a 400 (or the given status) with the message."""

    def __init__(self, message: str, status: int = 400) -> None:
        """Keep the HTTP status with the message."""
        super().__init__(message)
        self.status = status


ENDPOINTS = {
    "GET /__sandbox/": "this list",
    "GET /__sandbox/ids/<resource>": "every current id, ascending",
    "GET /__sandbox/records/<resource>": "the raw records, as the list endpoint renders them",
    "GET /__sandbox/counts": "rows per table",
    "POST /__sandbox/delete": '{"resource": "tags", "ids": [1, 2]}: hard delete',
    "POST /__sandbox/update": '{"resource": "contacts", "ids": [5], "at": null}: set the update '
    "stamp to now (or at) and edit a name; unknown ids are skipped, the answer lists those changed",
    "POST /__sandbox/create": '{"resource": "contacts", "count": 3}: new rows, ids answered',
    "GET /__sandbox/stats": "request counters; POST /__sandbox/stats/reset clears them",
    "GET /__sandbox/requests": "the last 10,000 API requests with their parameters and status",
    "GET|POST|DELETE /__sandbox/faults": '{"rules": [...], "fault_rate": 0.1}: inject faults',
    "GET|POST /__sandbox/quirks": '{"meta_total": "absent", "hostile_data": true}',
}
"""The control endpoints, also served at ``GET /__sandbox/`` (resource: API or stream name)."""


class Control:
    """Routes control requests to the store, the stats and the fault plan."""

    def __init__(self, ctx: RenderContext, stats: Stats, faults: FaultPlan) -> None:
        """Control one running sandbox."""
        self.ctx = ctx
        self.stats = stats
        self.faults = faults
        self._routes: dict[tuple[str, str], Callable[[str, Any], Any]] = {
            ("GET", ""): lambda _arg, _body: {"endpoints": ENDPOINTS},
            ("GET", "ids"): self._ids,
            ("GET", "records"): self._records,
            ("GET", "counts"): lambda _arg, _body: self._counts(),
            ("POST", "delete"): lambda _arg, body: self._mutate("delete", body),
            ("POST", "update"): lambda _arg, body: self._mutate("update", body),
            ("POST", "create"): lambda _arg, body: self._mutate("create", body),
            ("GET", "stats"): lambda _arg, _body: self.stats.snapshot(),
            ("POST", "stats"): self._reset_stats,
            ("GET", "requests"): lambda _arg, _body: {"requests": self.stats.requests()},
            ("GET", "faults"): lambda _arg, _body: self._rules(),
            ("POST", "faults"): lambda _arg, body: self._set_faults(body),
            ("DELETE", "faults"): lambda _arg, _body: self._set_faults(
                {"rules": [], "fault_rate": 0.0}
            ),
            ("GET", "quirks"): lambda _arg, _body: self.ctx.options.as_json(),
            ("POST", "quirks"): lambda _arg, body: self._set_quirks(body),
        }

    def handle(self, method: str, path: str, body: Any) -> ApiResult:
        """Answer one control request."""
        name, _, argument = path[len(CONTROL_PREFIX) :].strip("/").partition("/")
        route = self._routes.get((method, name))
        if route is None:
            return ApiResult(404, {"message": f"No control endpoint {method} {path}"})
        try:
            return ApiResult(200, route(argument, body))
        except ControlError as error:
            return ApiResult(error.status, {"message": str(error)})

    def _ids(self, resource: str, _body: Any) -> dict[str, Any]:
        state = self.ctx.store.state(_spec(resource).stream)
        return {"ids": list(state.ids)}

    def _records(self, resource: str, _body: Any) -> dict[str, Any]:
        spec = _spec(resource)
        state = self.ctx.store.state(spec.stream)
        return {"records": render_rows(self.ctx, spec.stream, state, range(len(state.ids)))}

    def _counts(self) -> dict[str, Any]:
        store = self.ctx.store
        return {"counts": {stream: len(store.state(stream).ids) for stream in store.counts}}

    def _mutate(self, action: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ControlError("expected a JSON object")
        spec = _spec(str(body.get("resource", "")))
        store = self.ctx.store
        if action == "create":
            count = body.get("count")
            if not isinstance(count, int) or not 0 <= count <= _MAX_CREATE:
                raise ControlError(f"count must be an integer from 0 to {_MAX_CREATE}")
            return {"ids": store.create(spec.stream, count)}

        ids = _ids_of(body)
        if action == "delete":
            return {"ids": store.delete(spec.stream, ids)}
        at = body.get("at")
        stamp = parse_instant(str(at)) if at is not None else None
        if at is not None and stamp is None:
            raise ControlError("at must be an ISO-8601 timestamp")
        return {"ids": store.touch(spec.stream, ids, stamp)}

    def _reset_stats(self, argument: str, _body: Any) -> dict[str, Any]:
        if argument != "reset":
            raise ControlError("use POST /__sandbox/stats/reset", status=404)
        self.stats.reset()
        return self.stats.snapshot()

    def _rules(self) -> dict[str, Any]:
        return {
            "rules": [rule.as_json() for rule in self.faults.rules],
            "fault_rate": self.faults.fault_rate,
        }

    def _set_faults(self, body: Any) -> dict[str, Any]:
        """Replace the rules and/or set ``fault_rate``: ``{"rules": [...], "fault_rate": x}``."""
        if not isinstance(body, dict) or not ({"rules", "fault_rate"} & set(body)):
            raise ControlError('expected {"rules": [{...}, ...]} and/or {"fault_rate": 0.1}')
        raw_rules = body.get("rules", [])
        if not isinstance(raw_rules, list) or not all(isinstance(r, dict) for r in raw_rules):
            raise ControlError('expected {"rules": [{...}, ...]}')
        rate = body.get("fault_rate", self.faults.fault_rate)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ControlError("fault_rate must be a number from 0 to 1")
        try:
            rules = [FaultRule.parse(raw) for raw in raw_rules]
        except (TypeError, ValueError) as error:
            raise ControlError(f"invalid fault rule: {error}") from error
        if "rules" in body:
            self.faults.replace_rules(rules)
        self.faults.set_fault_rate(float(rate))
        return self._rules()

    def _set_quirks(self, body: Any) -> dict[str, Any]:
        """Change ``meta_total`` and/or ``hostile_data`` (see ``options``)."""
        if not isinstance(body, dict):
            raise ControlError('expected {"meta_total": "absent", "hostile_data": true}')
        try:
            self.ctx.options.update(body)
        except (TypeError, ValueError) as error:
            raise ControlError(str(error)) from error
        return self.ctx.options.as_json()


def _spec(resource: str) -> TableSpec:
    """Resolve a resource name or fail with a 404."""
    spec = lookup(resource)
    if spec is None:
        raise ControlError(f"unknown resource {resource!r}", status=404)
    return spec


def _ids_of(body: dict[str, Any]) -> list[int]:
    """Read the ``ids`` list, accepting ints and numeric strings like the API's ids."""
    raw = body.get("ids")
    if not isinstance(raw, list):
        raise ControlError("ids must be a list")
    try:
        return [int(value) for value in raw]
    except (TypeError, ValueError) as error:
        raise ControlError("ids must be integers") from error
