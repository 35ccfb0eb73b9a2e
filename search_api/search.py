"""Search as the API, CLI and evaluation use it: query in, cited provisions out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from haystack import Document, Pipeline

from laborlex_core.passage_text import citation
from laborlex_core.settings import Settings
from laborlex_core.store.base import SearchBackend
from search_api.pipeline import MODES, NATIVE_HYBRID, Mode, build_query_pipeline, uses_native_hybrid
from search_api.snippets import make_snippet


@dataclass(slots=True)
class SearchHit:
    """One provision found for a query, with what a reader needs to cite and open it."""

    doc_id: str
    title: str
    jurisdiction: str | None
    language: str | None
    kind: str | None
    date: str | None
    article: str
    unit: str
    heading_path: list[str]
    citation: str
    snippet: str
    highlights: list[tuple[int, int]]
    score: float
    ranks: dict[str, int] = field(default_factory=dict)
    passage_id: str = ""
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def hit_from_document(document: Document, query: str) -> SearchHit:
    meta = document.meta
    snippet, spans = make_snippet(document.content or "", query, meta.get("language"))
    return SearchHit(
        doc_id=meta["doc_id"],
        title=meta.get("title") or meta["doc_id"],
        jurisdiction=meta.get("jurisdiction"),
        language=meta.get("language"),
        kind=meta.get("kind"),
        date=meta.get("date"),
        article=str(meta.get("article") or ""),
        unit=str(meta.get("unit") or "article"),
        heading_path=list(meta.get("heading_path") or []),
        citation=citation(meta),
        snippet=snippet,
        highlights=spans,
        score=float(document.score or 0.0),
        ranks=dict(meta.get("ranks") or {}),
        passage_id=document.id,
        page=meta.get("page"),
    )


class Searcher:
    """Holds one query pipeline per mode over a store; pipelines are built on first use."""

    def __init__(self, settings: Settings, store: SearchBackend) -> None:
        self.settings = settings
        self.store = store
        self._pipelines: dict[str, Pipeline] = {}

    def pipeline(self, mode: Mode) -> Pipeline:
        if mode not in self._pipelines:
            self._pipelines[mode] = build_query_pipeline(mode, self.settings, self.store)
        return self._pipelines[mode]

    def search_documents(
        self, query: str, mode: Mode = "hybrid", filters: dict[str, Any] | None = None, top_k: int = 10
    ) -> list[Document]:
        """Ranked provisions as Documents (best passage each), for evaluation and the API."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
        inputs: dict[str, dict[str, Any]] = {"collapse": {"top_k": top_k}}
        if uses_native_hybrid(mode, self.settings):
            inputs["query_embedder"] = {"text": query}
            inputs[NATIVE_HYBRID] = {"query": query, "filters": filters}
        elif mode in ("hybrid", "bm25"):
            inputs["bm25"] = {"query": query, "filters": filters}
        if mode in ("hybrid", "dense") and not uses_native_hybrid(mode, self.settings):
            inputs["query_embedder"] = {"text": query}
            inputs["dense"] = {"filters": filters}
        return self.pipeline(mode).run(inputs)["collapse"]["documents"]

    def search(
        self,
        query: str,
        mode: Mode = "hybrid",
        filters: dict[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[SearchHit]:
        documents = self.search_documents(query, mode, filters, top_k=offset + limit)
        return [hit_from_document(d, query) for d in documents[offset : offset + limit]]
