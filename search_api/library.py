"""What the API serves beyond a ranked list, behind one object: search pages with facets,
jurisdictions side by side, documents and provisions in context, similar provisions,
citations and statistics.

Each service lives in its own module (``results``, ``reading``, ``similar``,
``citation_views``, ``corpus_stats``); :class:`LawLibrary` only holds the store and the
searcher they share, so the FastAPI layer and the CLI have one thing to build.
"""

from __future__ import annotations

from typing import Any

from laborlex_core.settings import Settings
from laborlex_core.store.base import SearchBackend
from search_api.citation_views import CitationViews, with_citation_counts
from search_api.corpus_stats import corpus_stats
from search_api.pipeline import Mode
from search_api.reading import ProvisionView, Reader, provision_summary
from search_api.results import FACET_FIELDS, SearchPage, compare, search_page
from search_api.search import Searcher, SearchHit
from search_api.similar import similar_provisions


class LawLibrary:
    """Read-side services over one store."""

    def __init__(self, settings: Settings, store: SearchBackend) -> None:
        self.settings = settings
        self.store = store
        self.searcher = Searcher(settings, store)
        self.reader = Reader(store)
        self.citations = CitationViews(store)

    def warm(self) -> None:
        """Load what the first search would otherwise wait for: the store's snapshot, the
        pipelines, and the model's first call (its kernels are prepared lazily, ~1 s)."""
        warm = getattr(self.store, "warm", None)
        if warm is not None:
            warm()
        self.search("warm up", "hybrid", limit=1)

    def search(
        self,
        query: str,
        mode: Mode = "hybrid",
        scope: dict[str, Any] | None = None,
        facet_filter: dict[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        explain: bool = False,
    ) -> SearchPage:
        """A search page under ``scope`` and ``facet_filter``; facets counted under ``scope``."""
        return search_page(self.settings, self.store, self.searcher, query, mode, scope, facet_filter, limit, offset, explain)

    def with_citation_counts(self, hits: list[SearchHit]) -> list[SearchHit]:
        return with_citation_counts(self.store, hits)

    def compare(self, query: str, jurisdictions: list[str], mode: Mode = "hybrid", limit: int = 3) -> list[tuple[str, list[SearchHit]]]:
        return compare(self.store, self.searcher, query, jurisdictions, mode, limit)

    def documents(self) -> list[dict[str, Any]]:
        return self.reader.documents()

    def document(self, doc_id: str) -> dict[str, Any] | None:
        return self.reader.document(doc_id)

    def provision(self, doc_id: str, article: str) -> ProvisionView | None:
        return self.reader.provision(doc_id, article)

    def similar(
        self, doc_id: str, article: str, filters: dict[str, Any] | None = None, limit: int = 10
    ) -> tuple[dict[str, Any], list[SearchHit]] | None:
        return similar_provisions(self.settings, self.store, doc_id, article, filters, limit)

    def cited_by(self, doc_id: str, article: str) -> dict[str, Any] | None:
        return self.citations.cited_by(doc_id, article)

    def cites(self, doc_id: str, article: str) -> dict[str, Any] | None:
        return self.citations.cites(doc_id, article)

    def citation_report(self, top: int = 10) -> dict[str, Any]:
        return self.citations.report(top)

    def stats(self) -> dict[str, Any]:
        return corpus_stats(self.store)


__all__ = ["FACET_FIELDS", "LawLibrary", "ProvisionView", "SearchPage", "provision_summary"]
