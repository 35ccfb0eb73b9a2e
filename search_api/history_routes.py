"""HTTP side of amendment history: ``GET /documents/{id}/provisions/{article}/history`` and
the ``as_of`` / ``amended_after`` / ``amended_before`` search parameters (docs/api.md).

Kept out of app.py: the app includes ``router`` and takes ``history_query`` as a dependency
of ``/search``, one line each.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path as PathParam, Query, Request
from pydantic import BaseModel, Field

from search_api.contract import DATE_PATTERN, DAY_PATTERN, responses
from search_api.history import HistoryParamError, HistoryQuery, provision_history

router = APIRouter()

_DocId = Annotated[str, PathParam(description="document id, as in the manifest", examples=["mx-lft-es"])]
_Article = Annotated[str, PathParam(description='article as printed, URL-encoded ("22%20Bis")', examples=["3"])]


class AmendmentEvent(BaseModel):
    date: str = Field(description="YYYY-MM-DD, as published in the gazette")
    gazette: str = Field(description='"DOF": Diario Oficial de la Federación')
    action: Literal["added", "amended", "repealed", "corrected", "moved"] = Field(
        description="corrected: a fe de erratas; moved: recorrida / reubicado"
    )
    part: Literal["article", "fraction", "paragraph", "subsection", "numeral", "section", "chapter", "title", "heading"]
    note: str = Field(description="the note as printed")


class HistoryProvision(BaseModel):
    doc_id: str
    article: str
    citation: str


class HistoryResponse(BaseModel):
    provision: HistoryProvision
    source: Literal["notes", "manifest", "none"] = Field(
        description="notes: the instrument carries amendment notes (none here: the original text); "
        "manifest: only the instrument's date is known; none: no date at all"
    )
    document_date: str | None
    added_on: str | None = Field(description="when the provision entered the law; null for the original text")
    amended_on: str | None = Field(description="the last change of any kind")
    repealed: bool = Field(description="the provision stands repealed: its text is not law in force")
    repealed_on: str | None
    events: list[AmendmentEvent] = Field(description="oldest first")


def _field_error(field: str, message: str, status: int = 422) -> HTTPException:
    return HTTPException(status_code=status, detail={"field": field, "message": message})


def history_query(
    as_of: Annotated[
        str | None,
        Query(
            description="YYYY-MM-DD: leave out provisions added after it or repealed by it; flag those changed since",
            pattern=DAY_PATTERN,
        ),
    ] = None,
    amended_after: Annotated[
        str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD: only provisions amended on or after it", pattern=DATE_PATTERN)
    ] = None,
    amended_before: Annotated[
        str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD: only provisions amended on or before it", pattern=DATE_PATTERN)
    ] = None,
) -> HistoryQuery:
    """The history parameters of ``/search``, checked (a bad one: 422 naming it)."""
    try:
        return HistoryQuery.parse(as_of, amended_after, amended_before)
    except HistoryParamError as error:
        raise _field_error(error.field, error.message) from None


@router.get(
    "/documents/{doc_id}/provisions/{article}/history",
    response_model=HistoryResponse,
    summary="A provision's amendment history, oldest first",
    responses=responses(404),
)
def history(request: Request, doc_id: _DocId, article: _Article) -> HistoryResponse:
    store = request.app.state.library.store
    if store.get_document(doc_id) is None:
        raise _field_error("doc_id", f"unknown document {doc_id!r}", status=404)
    found = provision_history(store, doc_id, article)
    if found is None:
        raise _field_error("article", f"no provision {article!r} in {doc_id!r}", status=404)
    return HistoryResponse(**found)
