"""What the OpenAPI document promises beyond the success bodies: every error status the server
returns, the body of each, and the exact shape of the filter values it accepts.

Why this matters: clients (the UI, scripts, schemathesis) read the spec, not the code. A status
the spec does not list, an error body unlike the declared one, or a parameter declared as any
string but refused unless it is ``MX,HN`` are all broken promises. The patterns below are the
checks themselves (``search_api.app`` validates with the same expressions), so the spec and the
server cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.dependencies.utils import get_flat_params
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.routing import Match
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

# YYYY, YYYY-MM or YYYY-MM-DD with a real month and a day 01-31 (a day past the month's end
# means its last day: app.parse_date).
DATE_PATTERN = r"^[1-9][0-9]{3}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
DAY_PATTERN = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"  # one day (as_of)


def choices_pattern(allowed: tuple[str, ...]) -> str:
    """Comma-separated values from ``allowed``, spaces around them and empty items tolerated."""
    one = "(?:" + "|".join(allowed) + ")"
    item = f"(?: *{one} *| *)"
    return f"^{item}(?:,{item})*$"


class ErrorDetail(BaseModel):
    field: str = Field(description="the parameter, header or form field at fault")
    message: str = Field(description="what is wrong, in words")


class ErrorBody(BaseModel):
    """laborlex's own errors: ``{"detail": {"field", "message"}}``."""

    detail: ErrorDetail


_DESCRIPTIONS: dict[int, str] = {
    400: "Malformed request (a Content-Length that is not a number)",
    401: "No bearer token",
    403: "Wrong token, or writes disabled (no LABORLEX_API_TOKEN on the server)",
    404: "Unknown document, provision or cited document",
    413: "Request body or upload over its limit (refused before the body is read)",
    414: "Query string over LABORLEX_API_MAX_QUERY_BYTES",
    431: "Headers over LABORLEX_API_MAX_HEADER_BYTES",
    503: "At capacity (load shed) or no ingest function; Retry-After says when to try again",
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given error statuses, all with :class:`ErrorBody`."""
    return {code: {"model": ErrorBody, "description": _DESCRIPTIONS[code]} for code in codes}


# What any operation may answer, whatever its route: the limits middleware and load shedding.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    **responses(400, 413, 414, 431),
    503: {
        "model": ErrorBody,
        "description": _DESCRIPTIONS[503],
        "headers": {"Retry-After": {"description": "seconds", "schema": {"type": "string", "pattern": "^[0-9]+$"}}},
    },
}


def install_error_contract(app: FastAPI) -> None:
    """One 422 for every invalid input, declared as it comes: laborlex's
    ``{"detail": {"field", "message"}}``, whether the value broke the declared schema (checked
    by FastAPI) or a rule the code checks; clients and the UI read one shape."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes, servers=app.servers
        )
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault("ErrorDetail", ErrorDetail.model_json_schema())
        schemas["ErrorBody"] = {
            "title": "ErrorBody",
            "type": "object",
            "properties": {"detail": {"$ref": "#/components/schemas/ErrorDetail"}},
            "required": ["detail"],
        }
        unprocessable = {"anyOf": [{"$ref": "#/components/schemas/ErrorBody"}]}
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        for path in spec.get("paths", {}).values():
            for operation in path.values():
                answers = operation.setdefault("responses", {})
                answers["422"] = {
                    "description": "Invalid input: the field named and why",
                    "content": {"application/json": {"schema": unprocessable}},
                }
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(RequestValidationError)
    async def invalid_input(request: Request, exc: RequestValidationError) -> JSONResponse:
        """FastAPI's list of errors becomes the first one, the field named, in laborlex's shape;
        a value that breaks a pattern is told the form the parameter expects (its description)."""
        first = exc.errors()[0] if exc.errors() else {}
        where = [str(part) for part in first.get("loc", ()) if part not in ("query", "path", "header", "body", "cookie")]
        field = ".".join(where) or "body"
        message = str(first.get("msg") or "invalid")
        if first.get("type") == "string_pattern_mismatch" and where:
            expected = _described(request, where[-1])
            message = f"{first.get('input')!r} is not accepted" + (f"; expected {expected}" if expected else "")
        return JSONResponse({"detail": {"field": field, "message": message}}, status_code=422)

    @app.exception_handler(405)
    async def method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
        """Starlette's 405 lists only the methods of the first route matching the path; the
        path's operations can be spread over several routes (GET and POST /documents)."""
        allowed: set[str] = set()
        for route in app.routes:
            if isinstance(route, APIRoute):
                match, _ = route.matches({"type": "http", "path": request.url.path, "method": ""})
                if match != Match.NONE:
                    allowed |= set(route.methods or ())
        body = {"detail": {"field": "method", "message": f"{request.method} is not allowed here"}}
        return JSONResponse(body, status_code=405, headers={"Allow": ", ".join(sorted(allowed))})


def _described(request: Request, name: str) -> str | None:
    """The description a route gives its parameter ``name`` (sub-dependencies included)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return None
    for param in get_flat_params(dependant):
        if param.name == name or param.alias == name:
            return param.field_info.description
    return None
