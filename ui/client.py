"""The laborlex HTTP API as the interface sees it (contract: docs/api.md).

Every failure becomes an :class:`ApiError` subclass carrying what a user needs to read
(which field, what is wrong), so the interface can always show a sentence instead of a
traceback. Responses are returned as the JSON the API sends; the interface does not
re-model them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

# Values the contract accepts for the filters (docs/api.md), in the order the API lists them.
JURISDICTIONS: tuple[str, ...] = ("MX", "HN", "GE", "US", "INTL")
LANGUAGES: tuple[str, ...] = ("es", "ka", "en")
KINDS: tuple[str, ...] = ("statute", "convention", "treaty", "case_law", "case_law_index")
MODES: tuple[str, ...] = ("hybrid", "bm25", "dense")

# Connecting fails fast so an API that is down is reported at once; reading may take a while
# because the first dense query on a cold server loads the embedding model.
CONNECT_TIMEOUT_S = 3.0
READ_TIMEOUT_S = 60.0


class ApiError(Exception):
    """The API answered with an error, or could not be asked."""

    def __init__(self, message: str, *, status: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


class ApiUnreachable(ApiError):
    """Nothing listens at the API's address (or the network is down)."""


class ApiTimeout(ApiError):
    """The API accepted the connection but did not answer in time."""


class NotFound(ApiError):
    """404: an unknown document or provision."""


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """One ``GET /search``; frozen so it can key a cache of results."""

    q: str
    mode: str = "hybrid"
    jurisdiction: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    date_from: str = ""
    date_to: str = ""
    doc: str = ""
    as_of: str = ""  # the law as of this day (docs/api.md)
    limit: int = 10
    offset: int = 0
    explain: bool = False  # each result says why it was found (ui.why)

    def params(self) -> dict[str, str | int]:
        params: dict[str, str | int] = {"q": self.q, "mode": self.mode, "limit": self.limit, "offset": self.offset}
        if self.explain:
            params["explain"] = "true"
        for name in ("jurisdiction", "language", "kind"):
            values: tuple[str, ...] = getattr(self, name)
            if values:
                params[name] = ",".join(values)
        for name in ("date_from", "date_to", "doc", "as_of"):
            value: str = getattr(self, name).strip()
            if value:
                params[name] = value
        return params


def error_from_response(response: httpx.Response) -> ApiError:
    """Read ``{"detail": ...}`` in either shape the contract allows into one error."""
    status = response.status_code
    try:
        detail: Any = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    field: str | None = None
    message = response.reason_phrase or f"HTTP {status}"
    if isinstance(detail, dict):  # laborlex's own: {"field": ..., "message": ...}
        field = detail.get("field")
        message = str(detail.get("message") or message)
    elif isinstance(detail, list) and detail and isinstance(detail[0], dict):  # FastAPI validation
        first = detail[0]
        location = [part for part in first.get("loc", []) if part not in ("query", "path", "body")]
        field = str(location[-1]) if location else None
        message = str(first.get("msg") or message)
    elif isinstance(detail, str):
        message = detail
    kind = NotFound if status == 404 else ApiError
    return kind(message, status=status, field=field)


def provision_path(doc_id: str, article: str) -> str:
    """Articles are printed labels ("22 Bis", "3 [2]"), so every character is escaped."""
    return f"/documents/{quote(doc_id, safe='')}/provisions/{quote(article, safe='')}"


class LaborlexClient:
    """Synchronous client over one connection pool; safe to share between sessions."""

    def __init__(self, base_url: str, *, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        timeout = httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S)
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def close(self) -> None:
        self._http.close()

    def _get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            response = self._http.get(path, params=params)
        except httpx.TimeoutException as error:
            if isinstance(error, httpx.ConnectTimeout):
                raise ApiUnreachable(f"no answer from {self.base_url}") from error
            raise ApiTimeout(f"{self.base_url} did not answer in time") from error
        except httpx.TransportError as error:  # refused, reset, DNS: the service is not there
            raise ApiUnreachable(f"cannot connect to {self.base_url}: {error}") from error
        if response.status_code >= 400:
            raise error_from_response(response)
        try:
            body = response.json()
        except ValueError as error:
            raise ApiError(f"{self.base_url}{path} did not answer with JSON", status=response.status_code) from error
        if not isinstance(body, dict):
            raise ApiError(f"{self.base_url}{path} answered with unexpected JSON", status=response.status_code)
        return body

    def health(self) -> dict[str, Any]:
        return self._get("/health")

    def documents(self) -> list[dict[str, Any]]:
        return list(self._get("/documents").get("documents", []))

    def document(self, doc_id: str) -> dict[str, Any]:
        return self._get(f"/documents/{quote(doc_id, safe='')}")

    def search(self, query: SearchQuery) -> dict[str, Any]:
        return self._get("/search", query.params())

    def compare(self, q: str, jurisdictions: tuple[str, ...], mode: str = "hybrid", limit: int = 3) -> dict[str, Any]:
        params = {"q": q, "jurisdictions": ",".join(jurisdictions), "mode": mode, "limit": limit}
        return self._get("/compare", params)

    def provision(self, doc_id: str, article: str) -> dict[str, Any]:
        return self._get(provision_path(doc_id, article))

    def cited_by(self, doc_id: str, article: str) -> dict[str, Any]:
        return self._get(provision_path(doc_id, article) + "/cited-by")

    def cites(self, doc_id: str, article: str) -> dict[str, Any]:
        return self._get(provision_path(doc_id, article) + "/cites")

    def history(self, doc_id: str, article: str) -> dict[str, Any]:
        return self._get(provision_path(doc_id, article) + "/history")

    def similar(
        self,
        doc_id: str,
        article: str,
        jurisdiction: tuple[str, ...] = (),
        language: tuple[str, ...] = (),
        limit: int = 10,
    ) -> dict[str, Any]:
        params: dict[str, str | int] = {"limit": limit}
        if jurisdiction:
            params["jurisdiction"] = ",".join(jurisdiction)
        if language:
            params["language"] = ",".join(language)
        return self._get(provision_path(doc_id, article) + "/similar", params)
