"""What every laborlex store backend offers, beyond Haystack's DocumentStore protocol.

Ingest, the query pipelines and the API program against this protocol only, so the
embedded store and OpenSearch are interchangeable and must give the same kind of results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from haystack import Document
from haystack.document_stores.types import DocumentStore

from laborlex_core.snippet_sentences import SentenceBlock


@dataclass(frozen=True, slots=True)
class ListRequest:
    """One ranked list a pipeline step wants: BM25 of ``query``, or the nearest neighbours of
    ``embedding`` (exactly one of the two), under ``filters``, best ``top_k`` first."""

    query: str | None = None
    embedding: Sequence[float] | None = None
    filters: dict[str, Any] | None = None
    top_k: int = 10

    def __post_init__(self) -> None:
        if (self.query is None) == (self.embedding is None):
            raise ValueError("a ListRequest names a query (BM25) or an embedding (nearest neighbours), not both or neither")


def answer_each(store: Any, requests: Sequence[ListRequest]) -> list[list[Document]]:
    """``ranked_lists`` one list at a time, through ``store``'s own retrieval methods (what a
    store whose lists cost no round trip does: the embedded store)."""
    return [
        store.bm25_retrieval(r.query, filters=r.filters, top_k=r.top_k) if r.query is not None
        else store.embedding_retrieval(r.embedding, filters=r.filters, top_k=r.top_k)
        for r in requests
    ]


class ProvisionMatchesView(Protocol):
    """What ``SearchBackend.provision_matches`` answers: the provisions a query matches under a
    filter, counted, faceted and paged (the embedded store's ``ProvisionMatches`` works on its
    snapshot's rows, OpenSearch's ``OpenSearchMatches`` on aggregations; search pages use
    only this)."""

    @property
    def total(self) -> int:
        """How many provisions match (each counted once)."""
        ...

    def facet_counts(self, fields: Sequence[str]) -> dict[str, dict[str, int]]:
        """Matching provisions per value of each field, most first (then by value)."""
        ...

    def page(self, exclude: set[tuple[str, str]], offset: int, limit: int) -> list[Document]:
        """Matching provisions not in ``exclude`` (doc_id, article), best passage each, from ``offset``."""
        ...

    def narrowed(self, facet_filter: dict[str, Any] | None) -> ProvisionMatchesView | None:
        """These matches also under ``facet_filter`` (a facet selection: jurisdiction,
        language, kind) without counting again, or None where the backend cannot tell them
        apart this way (the caller then asks ``provision_matches`` under both filters)."""
        ...


@runtime_checkable
class SearchBackend(DocumentStore, Protocol):
    """A Haystack DocumentStore plus per-document writes, reading in context, and retrieval."""

    def replace_document(
        self, doc_id: str, passages: Sequence[Document], doc_meta: dict[str, Any], text: str | None = None
    ) -> int:
        """Swap all passages of a document atomically (readers never see half of it)."""
        ...

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document and its passages; False when it was not there."""
        ...

    def list_documents(self) -> list[dict[str, Any]]:
        """Document metadata with ``passages`` and ``provisions`` counts, sorted by id."""
        ...

    def get_document(self, doc_id: str) -> dict[str, Any] | None: ...

    def document_text(self, doc_id: str) -> str | None:
        """The document's extracted text; passage offsets point into it."""
        ...

    def document_passages(self, doc_id: str, with_embeddings: bool = False) -> list[Document]:
        """A document's passages in reading order (ordinal, chunk)."""
        ...

    def passages(self, filters: dict[str, Any] | None = None, with_embeddings: bool = False) -> list[Document]:
        """Passages matching ``filters`` in reading order (``filter_documents`` without the
        vectors unless asked: a provision's other windows, the articles a query cites)."""
        ...

    def facet_counts(self, field: str, filters: dict[str, Any] | None = None) -> dict[str, int]: ...

    def sentence_vectors(self, passage_ids: Sequence[str]) -> dict[str, SentenceBlock]:
        """The snippet sentence vectors stored at ingest for those passages that have them, in
        one read (a page's worth); a passage without them is absent (its snippet sentences are
        embedded on demand: search_api.sentence_vectors)."""
        ...

    def provision_matches(
        self,
        query: str,
        filters: dict[str, Any] | None = None,
        include: Sequence[tuple[str, str]] = (),
        also: Sequence[tuple[str, dict[str, Any] | None]] = (),
        narrowing: dict[str, Any] | None = None,
    ) -> ProvisionMatchesView:
        """The provisions matching ``query`` under ``filters`` (a passage holds one of its terms
        as BM25 analyzes them), or a (text, filters) pair of ``also`` (translated words within
        their language), plus the (doc_id, article) pairs of ``include`` (what a ranking found by
        other means): what a search page's ``total`` and facets count (search_api.results).
        ``narrowing``: a facet selection the caller will ask ``narrowed`` for (a server backend
        counts it in the same request; the embedded store masks when asked)."""
        ...

    def bm25_retrieval(self, query: str, filters: dict[str, Any] | None = None, top_k: int = 10) -> list[Document]:
        """BM25 with laborlex's analysis (stemming per language, folded accents), best first."""
        ...

    def embedding_retrieval(
        self, query_embedding: Sequence[float], filters: dict[str, Any] | None = None, top_k: int = 10
    ) -> list[Document]:
        """Cosine nearest neighbours, best first, filters applied before the top-k cut."""
        ...

    def ranked_lists(self, requests: Sequence[ListRequest]) -> list[list[Document]]:
        """Several BM25 / nearest-neighbour lists answered together, in the order asked; each
        equals the single call (``bm25_retrieval`` / ``embedding_retrieval``). Why: a hybrid
        query runs a dozen lists; a server backend sends them in one request (OpenSearch:
        ``_msearch``) instead of a round trip each."""
        ...

    # Citations (passages carry ``meta["citations"]``; see laborlex_core.store.citation_rows for
    # the row shape). A filter on ``meta.cites`` == "DOC:ARTICLE" keeps passages citing it.

    def cited_by(self, doc_id: str, article: str) -> list[dict[str, Any]]:
        """Citations of the provision made by other provisions, one row each, in reading order."""
        ...

    def citations_of(self, doc_id: str, article: str) -> list[dict[str, Any]]:
        """The provision's own citations, resolved or not, in reading order."""
        ...

    def citation_counts(self, keys: Sequence[str]) -> dict[str, int]:
        """For each "DOC:ARTICLE", how many other provisions cite it (absent = none)."""
        ...

    def citation_stats(self) -> dict[str, Any]:
        """``{"documents": {doc: {"citations", "resolved"}}, "targets": {key: citing provisions}}``."""
        ...
