"""The ``/api/3`` read endpoints: envelopes, ``meta`` blocks and sideloads, free of HTTP."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tap_activecampaign.sandbox.query import ListQuery, Selection, Selector, parse_query
from tap_activecampaign.sandbox.render import (
    Record,
    RenderContext,
    render_rows,
    row_at,
)
from tap_activecampaign.sandbox.render import deals as deal_render
from tap_activecampaign.sandbox.render import fields as field_render
from tap_activecampaign.sandbox.render.pipelines import render_stage
from tap_activecampaign.sandbox.render.users import render_me
from tap_activecampaign.sandbox.tables import TableSpec, lookup_path

API_PREFIX = "/api/3/"


@dataclass(frozen=True)
class ApiResult:
    """A response before it is put on the wire."""

    status: int
    body: Any


def not_found(path: str) -> ApiResult:
    """Answer an unknown path the way the API words it."""
    return ApiResult(404, {"message": f"No Result found for {path}"})


class Api:
    """Answers ``GET /api/3/...`` from the store."""

    def __init__(self, ctx: RenderContext) -> None:
        """Serve one dataset."""
        self.ctx = ctx
        self.selector = Selector(ctx)
        self._currency_memo: dict[tuple[Any, ...], dict[str, Any]] = {}

    def get(self, path: str, pairs: Sequence[tuple[str, str]]) -> ApiResult:
        """Route a GET below ``/api/3/``."""
        parts = [part for part in path[len(API_PREFIX) :].split("/") if part]
        if parts == ["users", "me"]:
            return ApiResult(200, {"user": render_me()})

        spec = lookup_path(parts[0]) if parts else None
        if spec is None or len(parts) > 2:
            return not_found(path)
        if len(parts) == 2:
            return self._one(spec, parts[1])
        return ApiResult(200, self.collection(spec, pairs))

    def collection(self, spec: TableSpec, pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """Build a collection page: records, sideloads and meta."""
        query = parse_query(spec, pairs)
        selection = self.selector.select(spec, query)
        page = selection.positions[query.offset : query.offset + query.limit]
        records = render_rows(self.ctx, spec.stream, selection.state, page)
        total = len(selection.positions)

        body: dict[str, Any] = {}
        if spec.stream == "contacts":
            body["scoreValues"] = []
        body[spec.path] = records
        body.update(self._sideloads(spec, selection, page))
        body["meta"] = self._meta(spec, query, selection, total, records)
        return body

    def _one(self, spec: TableSpec, raw_id: str) -> ApiResult:
        """Fetch one record by id under its singular root key."""
        state = self.ctx.store.state(spec.stream)
        position = state.position(int(raw_id)) if raw_id.isdigit() else None
        if position is None:
            return ApiResult(404, {"message": f"No Result found for {spec.model} with id {raw_id}"})
        (record,) = render_rows(self.ctx, spec.stream, state, [position])
        return ApiResult(200, {spec.singular: record})

    def _sideloads(
        self, spec: TableSpec, selection: Selection, page: Sequence[int]
    ) -> dict[str, list[Record]]:
        """Return the related arrays some endpoints add next to their records."""
        if spec.stream == "deal_groups":
            stage_state = self.ctx.store.state("deal_stages")
            stages = []
            for position in page:
                for stage_id in self.ctx.store.current_stages_of(selection.state.ids[position]):
                    stage_position = stage_state.position(stage_id)
                    if stage_position is not None:
                        row = row_at(self.ctx, "deal_stages", stage_state, stage_position)
                        stages.append(render_stage(self.ctx, row))
            return {"dealStages": stages}

        if spec.stream == "custom_fields":
            rows = [row_at(self.ctx, spec.stream, selection.state, p) for p in page]
            return {
                "fieldOptions": [
                    o for row in rows for o in field_render.render_options(self.ctx, row)
                ],
                "fieldRels": [r for row in rows for r in field_render.render_rels(self.ctx, row)],
            }
        return {}

    def _meta(
        self,
        spec: TableSpec,
        query: ListQuery,
        selection: Selection,
        total: int,
        records: list[Record],
    ) -> dict[str, Any]:
        """Build the ``meta`` block, whose shape differs per endpoint."""
        meta: dict[str, Any] = {}
        if spec.stream == "deals":
            meta["currencies"] = self._currencies(query, selection)
        mode = self.ctx.options.meta_total  # how ``total`` is sent, see ``options``
        if mode == "api":
            meta["total"] = total if spec.total_as_int else str(total)
        elif mode != "absent":
            meta["total"] = {"string": str(total), "int": total, "null": None}[mode]
        if spec.stream == "contacts":
            meta["page_input"] = _page_input(query)
        if spec.stream == "automations":
            meta["starts"] = [
                {"id": str(int(record["id"]) * 3), "series": record["id"], "type": "start"}
                for record in records
            ]
            meta["filtered"] = False
            meta["smsLogs"] = []
        return meta

    def _currencies(self, query: ListQuery, selection: Selection) -> dict[str, Any]:
        """Sum matching deal values per currency (memoised per snapshot and filters)."""
        key = (selection.state.version, query.bounds, query.equals, query.orders)
        cached = self._currency_memo.get(key)
        if cached is not None:
            return cached

        sums: dict[str, list[int]] = {}
        for position in selection.positions:
            row = row_at(self.ctx, "deals", selection.state, position)
            if "stub" in row.quirks:
                continue
            bucket = sums.setdefault(deal_render.currency_of(self.ctx, row.id), [0, 0])
            bucket[0] += 1
            bucket[1] += deal_render.value_cents(self.ctx.seed, row.id)
        result = {
            currency: {"currency": currency, "total": str(count), "value": str(value)}
            for currency, (count, value) in sorted(sums.items())
        }
        if len(self._currency_memo) > 32:
            self._currency_memo.clear()
        self._currency_memo[key] = result
        return result


def _page_input(query: ListQuery) -> dict[str, Any]:
    """Echo the paging inputs the way ``/contacts`` does."""
    cache_id = hashlib.md5(repr(query).encode(), usedforsecurity=False).hexdigest()
    return {
        "segmentid": None,
        "formid": 0,
        "listid": 0,
        "tagid": 0,
        "limit": query.limit,
        "offset": query.offset,
        "search": None,
        "sort": None,
        "seriesid": 0,
        "waitid": 0,
        "status": -1,
        "forceQuery": 0,
        "cacheid": cache_id,
    }
