"""HTTP routes for exports, bulk reading and batch search (contract: docs/api.md).

Kept apart from ``search_api.app``: the app includes :func:`bulk_router` with one line and
calls :func:`export_response` when ``/search`` or ``/compare`` is asked for another format.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ValidationError

from laborlex_core.settings import Settings
from search_api.contract import responses
from search_api.bulk import (
    MAX_BATCH_BYTES,
    MAX_BATCH_QUERIES,
    NDJSON,
    BatchRequest,
    batch_filters,
    instrument_provisions,
    ndjson_line,
)
from search_api.exports import FORMATS, MEDIA_TYPES, compare_records, render, search_records
from search_api.library import LawLibrary
from search_api.search import SearchHit


# OpenAPI: what /search and /compare return for format=csv and format=csl-json.
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {MEDIA_TYPES["csv"].split(";")[0]: {}, MEDIA_TYPES["csl-json"]: {}}, "description": "JSON, or with `format` a download"}
}


def _error(field: str, message: str, status: int = 422) -> HTTPException:
    return HTTPException(status_code=status, detail={"field": field, "message": message})


def check_format(fmt: str | None, allowed: Sequence[str] = FORMATS) -> str:
    """``format`` checked against the known export formats (a 422 naming the field)."""
    value = (fmt or "json").strip().lower()
    if value not in allowed:
        raise _error("format", f"unknown format {fmt!r}; expected one of {', '.join(allowed)}")
    return value


def ui_url(settings: Settings) -> str:
    """Where the interface listens when run beside the API (``laborlex up``)."""
    return f"http://{settings.api_host}:{settings.ui_port}"


def _download(body: str, fmt: str, name: str) -> Response:
    extension = "csv" if fmt == "csv" else "json"
    return Response(
        content=body, media_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'}
    )


def export_response(request: Request, settings: Settings, fmt: str, hits: Sequence[SearchHit], offset: int = 0) -> Response:
    """A result page as a CSV or CSL-JSON download."""
    return _download(render(search_records(hits, str(request.base_url), ui_url(settings), offset), fmt), fmt, "laborlex-search")


def compare_export_response(
    request: Request, settings: Settings, fmt: str, columns: Sequence[tuple[str, Sequence[SearchHit]]]
) -> Response:
    """The compare view (one column per jurisdiction) as a CSV or CSL-JSON download."""
    return _download(render(compare_records(columns, str(request.base_url), ui_url(settings)), fmt), fmt, "laborlex-compare")


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A model's JSON schema with its ``$defs`` written in place: the request body is declared
    by hand (the route reads the raw body to bound its size first), and OpenAPI tools do not
    resolve a body schema's own ``#/$defs/…`` references."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    return inline(schema)


def bulk_router(library: LawLibrary, settings: Settings) -> APIRouter:
    router = APIRouter()

    @router.get(
        "/documents/{doc_id}/provisions",
        summary="A whole instrument as provisions (NDJSON stream)",
        response_class=StreamingResponse,
        responses={200: {"content": {NDJSON: {}}, "description": "one provision per line, in reading order"}, **responses(404)},
    )
    def provisions(
        request: Request,
        doc_id: str,
        format: str = Query("ndjson", description="ndjson (the only format)", pattern="^ndjson$"),  # noqa: A002 - the API's name
    ) -> StreamingResponse:
        check_format(format, ("ndjson",))
        if library.store.get_document(doc_id) is None:
            raise _error("doc_id", f"unknown document {doc_id!r}", status=404)
        lines = (ndjson_line(record) for record in instrument_provisions(library.store, doc_id, str(request.base_url)))
        return StreamingResponse(lines, media_type=NDJSON)

    @router.post(
        "/search/batch",
        summary=f"Many queries in one request (at most {MAX_BATCH_QUERIES}); results stream as NDJSON",
        response_class=StreamingResponse,
        responses={200: {"content": {NDJSON: {}}, "description": "one line per query, in the order sent"}, **responses(413)},
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": inline_schema(BatchRequest)}}}},
    )
    async def batch(request: Request) -> StreamingResponse:
        raw = await request.body()
        if len(raw) > MAX_BATCH_BYTES:
            raise _error("body", f"the request body is {len(raw)} bytes; at most {MAX_BATCH_BYTES}", status=413)
        try:
            payload = json.loads(raw or b"null")
        except ValueError as error:
            raise _error("body", f"not JSON: {error}") from None
        if isinstance(payload, dict) and isinstance(payload.get("queries"), list):
            if not payload["queries"]:
                raise _error("queries", "at least one query is required")
            if len(payload["queries"]) > MAX_BATCH_QUERIES:
                raise _error("queries", f"{len(payload['queries'])} queries; at most {MAX_BATCH_QUERIES} per batch")
        try:
            body = BatchRequest.model_validate(payload)
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "body"
            raise _error(field, first["msg"]) from None
        if any(not query.q.strip() for query in body.queries):
            index = next(i for i, query in enumerate(body.queries) if not query.q.strip())
            raise _error(f"queries.{index}.q", "the query is blank")

        def lines() -> Iterator[bytes]:
            for index, query in enumerate(body.queries):
                filters = batch_filters(query)
                page = library.search(query.q, query.mode, filters, limit=query.limit, explain=body.explain)
                yield ndjson_line(
                    {"index": index, "id": query.id, "query": query.q, "mode": query.mode, "total": page.total,
                     "results": [hit.to_dict() for hit in page.hits]}
                )

        return StreamingResponse(lines(), media_type=NDJSON)

    return router


__all__ = ["EXPORT_RESPONSES", "bulk_router", "check_format", "compare_export_response", "export_response"]
