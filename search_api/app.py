"""The HTTP API (FastAPI). It validates input, names the field at fault in every 4xx, and
delegates to :class:`LawLibrary` and to the ingest function it was given. Contract: docs/api.md.

The API does not import ingest: ``create_app(..., ingest=...)`` receives the function that
indexes uploaded files (``laborlex serve`` passes ``ingest.pipeline.ingest_sources``); without
one, uploads answer 503.
"""

from __future__ import annotations

import re
from calendar import monthrange
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol

from fastapi import Depends, FastAPI, File, Form, HTTPException, Path as PathParam, Query, Request, Response, UploadFile
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from laborlex_core.schema import JURISDICTIONS, KINDS, LANGUAGES, DocumentMeta, citation_key, parse_citation_key
from laborlex_core.settings import Settings
from laborlex_core.store import open_store
from laborlex_core.store.base import SearchBackend
from laborlex_core.store.filters import combine, equals_filter
from search_api.history import HistoryQuery, annotate
from search_api.history_routes import history_query, router as history_router
from search_api.bulk_routes import EXPORT_RESPONSES, bulk_router, check_format, compare_export_response, export_response
from search_api.contract import (
    COMMON_RESPONSES,
    DATE_PATTERN,
    choices_pattern,
    install_error_contract,
    responses,
)
from search_api.library import LawLibrary, provision_summary
from search_api.limits import RequestLimits, token_problem
from search_api.timing import component_timer, server_timing
from search_api.models import (
    CitedByResponse,
    CitesResponse,
    CompareColumn,
    CompareResponse,
    DocumentDetail,
    DocumentList,
    Health,
    Ingested,
    ProvisionResponse,
    SearchResponse,
    SimilarResponse,
    Stats,
)

ModeParam = Literal["hybrid", "bm25", "dense"]
MAX_OFFSET = 1_000_000  # paging runs to the last match (docs/api.md)


class IngestReport(Protocol):
    """What the API reads of an ingest's report."""

    failures: Sequence[Any]
    written: dict[str, int]
    provisions: dict[str, int]


# (files with their metadata, settings, store) -> report; ingest.pipeline.ingest_sources fits.
IngestFunction = Callable[[list[tuple[Path, DocumentMeta]], Settings, SearchBackend], IngestReport]
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DOC_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
UPLOAD_CHUNK = 1 << 20
_BEARER = HTTPBearer(auto_error=False)
# Examples in the OpenAPI spec: they document the identifiers and let a fuzzer reach real data.
DocIdParam = Annotated[str, PathParam(description="document id, as in the manifest", examples=["ilo-c182-es"])]
ArticleParam = Annotated[str, PathParam(description='article as printed, URL-encoded ("22%20Bis")', examples=["3"])]


def field_error(field: str, message: str, status: int = 422) -> HTTPException:
    return HTTPException(status_code=status, detail={"field": field, "message": message})


def parse_choices(field: str, raw: str | None, allowed: tuple[str, ...]) -> list[str] | None:
    """A comma-separated filter value, every item checked against the known values."""
    if raw is None or not raw.strip():
        return None
    if not re.fullmatch(choices_pattern(allowed), raw):  # what the OpenAPI document declares
        raise field_error(field, f"expected a comma-separated list of {', '.join(allowed)}")
    values = [v.strip() for v in raw.split(",") if v.strip()]
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise field_error(field, f"unknown value(s) {', '.join(unknown)}; expected any of {', '.join(allowed)}")
    return values


def parse_date(field: str, raw: str | None, upper: bool) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD; an upper bound is widened to the end of its period."""
    if raw is None or not raw.strip():
        return None
    match = _DATE.match(raw.strip())
    if not match:
        raise field_error(field, "expected a date as YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        date(int(year), int(month or 1), 1)
    except ValueError:
        raise field_error(field, f"{raw!r} is not a calendar date") from None
    if day and int(day) > monthrange(int(year), int(month))[1]:  # "2021-02-30": the month's last day
        day = f"{monthrange(int(year), int(month))[1]:02d}"
    if not upper:
        return "-".join(part for part in (year, month, day) if part)
    return f"{year}-{month or '12'}-{day or '31'}"


def date_filter(date_from: str | None, date_to: str | None) -> dict[str, Any] | None:
    start = parse_date("date_from", date_from, upper=False)
    end = parse_date("date_to", date_to, upper=True)
    # date_to before date_from is an empty range, answered with no results: each bound alone is
    # valid input, and the OpenAPI document cannot express a rule between two parameters.
    conditions = []
    if start:
        conditions.append({"field": "meta.date", "operator": ">=", "value": start})
    if end:
        conditions.append({"field": "meta.date", "operator": "<=", "value": end})
    return {"operator": "AND", "conditions": conditions} if conditions else None


def create_app(
    settings: Settings | None = None, library: LawLibrary | None = None, ingest: IngestFunction | None = None
) -> FastAPI:
    """Build the app over the configured store (or a given library, for tests); ``ingest``
    indexes uploads (none: uploads are refused with 503)."""
    settings = settings or Settings()
    lib = library or LawLibrary(settings, open_store(settings))
    timer = component_timer()
    app = FastAPI(
        title="laborlex",
        version="0.1.0",
        description="Multilingual search over labor law: provisions with citations, in context, across jurisdictions.",
        responses=COMMON_RESPONSES,
    )
    app.state.library = lib
    app.include_router(history_router)
    install_error_contract(app)
    app.add_middleware(RequestLimits, settings=settings)  # sizes, upload pre-checks, load shedding

    def require_token(credentials: HTTPAuthorizationCredentials | None = Depends(_BEARER)) -> None:
        """Writes need LABORLEX_API_TOKEN; with none configured they are off altogether."""
        expected = settings.api_token.get_secret_value() if settings.api_token else None
        given = f"Bearer {credentials.credentials}" if credentials is not None else None
        refused = token_problem(expected, given)
        if refused is not None:
            headers = {"WWW-Authenticate": "Bearer"} if refused[0] == 401 else None
            raise HTTPException(refused[0], detail={"field": "Authorization", "message": refused[1]}, headers=headers)

    def known_document(doc_id: str) -> None:
        if lib.store.get_document(doc_id) is None:
            raise field_error("doc_id", f"unknown document {doc_id!r}", status=404)

    @app.get("/search", response_model=SearchResponse, summary="Search provisions", responses={**EXPORT_RESPONSES, **responses(404)})
    def search(
        request: Request,
        response: Response,
        q: Annotated[str, Query(min_length=1, max_length=1000, pattern=r"\S", description="the question, in any language")],
        mode: ModeParam = "hybrid",
        jurisdiction: Annotated[str | None, Query(description="comma-separated: MX,HN,GE,US,INTL", pattern=choices_pattern(JURISDICTIONS))] = None,
        language: Annotated[str | None, Query(description="comma-separated: es,ka,en", pattern=choices_pattern(LANGUAGES))] = None,
        kind: Annotated[str | None, Query(description="comma-separated: statute,convention,treaty,case_law,case_law_index", pattern=choices_pattern(KINDS))] = None,
        date_from: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD", pattern=DATE_PATTERN)] = None,
        date_to: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD", pattern=DATE_PATTERN)] = None,
        doc: Annotated[str | None, Query(description="only this document")] = None,
        cites: Annotated[
            str | None, Query(max_length=300, pattern=r"^[^:]*[^:\s][^:]*:[\s\S]*\S", description='only passages citing this provision: DOC:ARTICLE, e.g. "mx-lft-es:47"')
        ] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 10,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="paging runs to `total`")] = 0,
        history: Annotated[HistoryQuery, Depends(history_query)] = HistoryQuery(),
        explain: Annotated[bool, Query(description="each result says why it was found (docs/api.md)")] = False,
        format: Annotated[str, Query(description="json, csv or csl-json (a download)", pattern="^(json|csv|csl-json)$")] = "json",  # noqa: A002
    ) -> SearchResponse:
        fmt = check_format(format)
        started = time.perf_counter()
        timer.reset()
        if not q.strip():
            raise field_error("q", "the query is blank")
        facet_values = equals_filter(
            jurisdiction=parse_choices("jurisdiction", jurisdiction, JURISDICTIONS),
            language=parse_choices("language", language, LANGUAGES),
            kind=parse_choices("kind", kind, KINDS),
        )
        if doc:
            known_document(doc)
        scope = combine(date_filter(date_from, date_to), equals_filter(doc_id=doc), cites_filter(cites), history.filter)
        page = lib.search(q, mode, scope, facet_values, limit=limit, offset=offset, explain=explain)
        annotate(page.hits, history.as_of)
        if fmt != "json":
            return export_response(request, settings, fmt, page.hits, offset)  # type: ignore[return-value]
        response.headers["Server-Timing"] = server_timing(timer.seconds(), time.perf_counter() - started)
        return SearchResponse(query=q, mode=mode, total=page.total, results=page.hits, facets=page.facets)

    @app.get("/compare", response_model=CompareResponse, summary="One question, best provisions per jurisdiction", responses=EXPORT_RESPONSES)
    def compare(
        request: Request,
        q: Annotated[str, Query(min_length=1, max_length=1000, pattern=r"\S")],
        jurisdictions: Annotated[str, Query(description="comma-separated, in display order", pattern=choices_pattern(JURISDICTIONS))] = ",".join(JURISDICTIONS),
        mode: ModeParam = "hybrid",
        limit: Annotated[int, Query(ge=1, le=20)] = 3,
        format: Annotated[str, Query(description="json, csv or csl-json (a download)", pattern="^(json|csv|csl-json)$")] = "json",  # noqa: A002
    ) -> CompareResponse:
        fmt = check_format(format)
        if not q.strip():
            raise field_error("q", "the query is blank")
        chosen = parse_choices("jurisdictions", jurisdictions, JURISDICTIONS) or list(JURISDICTIONS)
        columns = lib.compare(q, list(dict.fromkeys(chosen)), mode, limit)
        if fmt != "json":
            return compare_export_response(request, settings, fmt, columns)  # type: ignore[return-value]
        return CompareResponse(query=q, columns=[CompareColumn(jurisdiction=j, results=h) for j, h in columns])

    @app.get("/documents", response_model=DocumentList, summary="Indexed documents")
    def documents() -> DocumentList:
        return DocumentList(documents=lib.documents())

    @app.get("/documents/{doc_id}", response_model=DocumentDetail, summary="A document and its provisions in order", responses=responses(404))
    def document(doc_id: DocIdParam) -> DocumentDetail:
        found = lib.document(doc_id)
        if found is None:
            raise field_error("doc_id", f"unknown document {doc_id!r}", status=404)
        return DocumentDetail(**found)

    @app.get("/documents/{doc_id}/provisions/{article}", response_model=ProvisionResponse, summary="A provision, whole, with its neighbours", responses=responses(404))
    def provision(doc_id: DocIdParam, article: ArticleParam) -> ProvisionResponse:
        known_document(doc_id)
        view = lib.provision(doc_id, article)
        if view is None:
            raise field_error("article", f"no provision {article!r} in {doc_id!r}", status=404)
        return ProvisionResponse(
            provision={**provision_summary(view.meta), **_meta_fields(view.meta), "text": view.text, "page_end": view.meta.get("page_end")},
            previous=view.previous,
            next=view.next,
        )

    @app.get("/documents/{doc_id}/provisions/{article}/similar", response_model=SimilarResponse, summary="Closest provisions in other documents", responses=responses(404))
    def similar(
        doc_id: DocIdParam,
        article: ArticleParam,
        jurisdiction: Annotated[str | None, Query(pattern=choices_pattern(JURISDICTIONS))] = None,
        language: Annotated[str | None, Query(pattern=choices_pattern(LANGUAGES))] = None,
        limit: Annotated[int, Query(ge=1, le=50)] = 10,
    ) -> SimilarResponse:
        known_document(doc_id)
        filters = equals_filter(
            jurisdiction=parse_choices("jurisdiction", jurisdiction, JURISDICTIONS),
            language=parse_choices("language", language, LANGUAGES),
        )
        found = lib.similar(doc_id, article, filters, limit)
        if found is None:
            raise field_error("article", f"no provision {article!r} in {doc_id!r}", status=404)
        source, hits = found
        return SimilarResponse(source=source, results=hits)

    @app.get(
        "/documents/{doc_id}/provisions/{article}/cited-by",
        response_model=CitedByResponse,
        summary="Rulings and provisions citing this provision",
        responses=responses(404),
    )
    def cited_by(doc_id: DocIdParam, article: ArticleParam) -> CitedByResponse:
        known_document(doc_id)
        found = lib.cited_by(doc_id, article)
        if found is None:
            raise field_error("article", f"no provision {article!r} in {doc_id!r}", status=404)
        return CitedByResponse(**found)

    @app.get(
        "/documents/{doc_id}/provisions/{article}/cites",
        response_model=CitesResponse,
        summary="What this provision cites, resolved or not",
        responses=responses(404),
    )
    def cites_of(doc_id: DocIdParam, article: ArticleParam) -> CitesResponse:
        known_document(doc_id)
        found = lib.cites(doc_id, article)
        if found is None:
            raise field_error("article", f"no provision {article!r} in {doc_id!r}", status=404)
        return CitesResponse(**found)

    def cites_filter(raw: str | None) -> dict[str, Any] | None:
        """``cites=DOC:ARTICLE`` → passages citing that provision; the document must be indexed."""
        if raw is None or not raw.strip():
            return None
        parsed = parse_citation_key(raw)
        if parsed is None:
            raise field_error("cites", 'expected DOC:ARTICLE, e.g. "mx-lft-es:47"')
        if lib.store.get_document(parsed[0]) is None:
            raise field_error("cites", f"unknown document {parsed[0]!r}", status=404)
        return {"field": "meta.cites", "operator": "==", "value": citation_key(*parsed)}

    app.include_router(bulk_router(lib, settings))  # exports, bulk provisions, batch search (search_api.bulk_routes)

    @app.get("/health", response_model=Health, summary="Is the service up, on what")
    def health() -> Health:
        stats = lib.stats()
        return Health(status="ok", backend=settings.backend, model=settings.model, documents=stats["documents"], passages=stats["passages"])

    @app.get("/stats", response_model=Stats, summary="Documents and passages per jurisdiction, language, kind")
    def stats() -> Stats:
        return Stats(**lib.stats())

    @app.post(
        "/documents", response_model=Ingested, status_code=201, dependencies=[Depends(require_token)],
        summary="Ingest one document", responses=responses(401, 403, 413),
    )
    def upload(
        file: Annotated[UploadFile, File(description=".pdf (scanned pages are OCR'd), .docx, .html, .txt, .md or the ruling-titles .json; read by content")],
        id: Annotated[str, Form(pattern=_DOC_ID, description="document id")],
        title: Annotated[str, Form(min_length=1, max_length=500)],
        language: Annotated[Literal["es", "ka", "en"], Form()],
        jurisdiction: Annotated[Literal["MX", "HN", "GE", "US", "INTL"] | None, Form()] = None,
        kind: Annotated[Literal["statute", "convention", "treaty", "case_law", "case_law_index"] | None, Form()] = None,
        date: Annotated[str | None, Form()] = None,
    ) -> Ingested:
        if ingest is None:
            raise HTTPException(503, detail={"field": "file", "message": "this server was started without an ingest function"})
        if date:
            parse_date("date", date, upper=False)
        name = upload_name(file.filename)
        uploads = settings.data_dir / "uploads"
        uploads.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=uploads))
        try:
            target = folder / ("upload" + Path(name).suffix.lower())  # the client's name never makes the path
            _save_upload(file, target, int(settings.max_file_mb * 1024 * 1024))
            meta = DocumentMeta(doc_id=id, title=title, language=language, jurisdiction=jurisdiction, kind=kind, date=date or None, source=name)
            report = ingest([(target, meta)], settings, lib.store)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if report.failures or id not in report.written:
            reason = report.failures[0].reason if report.failures else "nothing to index"
            raise field_error("file", f"{name}: {reason}")
        return Ingested(doc_id=id, provisions=report.provisions.get(id, 0), passages=report.written[id])

    @app.delete(
        "/documents/{doc_id}", status_code=204, dependencies=[Depends(require_token)],
        summary="Remove a document", responses=responses(401, 403, 404),
    )
    def delete(doc_id: DocIdParam) -> Response:
        if not lib.store.delete_document(doc_id):
            raise field_error("doc_id", f"unknown document {doc_id!r}", status=404)
        return Response(status_code=204)

    return app


def upload_name(raw: str | None) -> str:
    """The upload's file name as the client gave it, for messages and the document's source;
    one that names no file (``..``, a folder, control characters) is a 422 naming ``file``."""
    name = (raw or "upload").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if name in ("", ".", "..") or any(ord(c) < 32 for c in name) or len(name) > 255:
        raise field_error("file", f"{raw!r} is not a file name")
    if not re.fullmatch(r"\.[A-Za-z0-9]{1,10}", Path(name).suffix or "."):
        raise field_error("file", f"{name!r}: expected a file type such as .pdf, .docx, .html, .txt, .md or .json")
    return name


def _meta_fields(meta: dict[str, Any]) -> dict[str, Any]:
    return {k: meta.get(k) for k in ("doc_id", "title", "jurisdiction", "language", "kind", "date")}


def _save_upload(file: UploadFile, target: Path, limit: int) -> None:
    """Stream the upload to disk, refusing it (413) as soon as it passes the size limit."""
    written = 0
    with target.open("wb") as out:
        while chunk := file.file.read(UPLOAD_CHUNK):
            written += len(chunk)
            if written > limit:
                raise HTTPException(413, detail={"field": "file", "message": f"{target.name}: larger than the limit of {limit // (1024 * 1024)} MB"})
            out.write(chunk)
