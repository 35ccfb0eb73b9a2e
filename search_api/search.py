"""Search as the API, CLI and evaluation use it: query in, cited provisions out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from haystack import Document, Pipeline

from laborlex_core.citations.practitioner import match_offset, practitioner_citation
from laborlex_core.passage_text import citation
from laborlex_core.settings import Settings
from laborlex_core.store.base import SearchBackend
from laborlex_core.store.filters import combine, equals_filter
from search_api.branches import profile_query
from search_api.pipeline import (
    MODES,
    Mode,
    build_query_pipeline,
    output_component,
    pipeline_inputs,
)
from search_api.sentence_vectors import SentenceVectors
from search_api.snippets import make_snippet, sentences


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
    cited_by_count: int = 0  # other provisions citing this one (filled by the library)
    ocr_confidence: float | None = None  # set when the passage was recognized from a scan (mean, 0-100)
    # Amendment history (search_api/history.py): the last change, whether it stands repealed,
    # every amendment date, and (with as_of) the changes after that date.
    last_amended: str | None = None
    repealed: bool = False
    repealed_on: str | None = None
    amendment_dates: list[str] = field(default_factory=list)
    changed_after_as_of: list[str] = field(default_factory=list)
    history_source: str | None = None  # "notes", "manifest" or "none" (docs/api.md)
    formal_citation: str = ""  # as practitioners write it, pinpointed (laborlex_core.citations.practitioner)
    explanation: dict[str, Any] | None = None  # why it was found (explain=true; search_api.explain)

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
        ocr_confidence=meta.get("ocr_confidence"),
        last_amended=meta.get("amended_on"),
        repealed=bool(meta.get("repealed")),
        repealed_on=meta.get("repealed_on"),
        amendment_dates=list(meta.get("amendment_dates") or []),
        history_source=meta.get("history_source"),
    )


class Searcher:
    """Holds one query pipeline per mode over a store; pipelines are built on first use."""

    def __init__(self, settings: Settings, store: SearchBackend) -> None:
        self.settings = settings
        self.store = store
        self._pipelines: dict[str, Pipeline] = {}
        self.sentence_vectors = SentenceVectors(settings)  # for snippets of results found by meaning

    def pipeline(self, mode: Mode) -> Pipeline:
        if mode not in self._pipelines:
            self._pipelines[mode] = build_query_pipeline(mode, self.settings, self.store)
        return self._pipelines[mode]

    def search_documents(
        self, query: str, mode: Mode = "hybrid", filters: dict[str, Any] | None = None, top_k: int = 10
    ) -> list[Document]:
        """Ranked provisions as Documents (best passage each), for evaluation and the API."""
        return list(self.run(query, mode, filters, top_k)[0])

    def run(
        self, query: str, mode: Mode = "hybrid", filters: dict[str, Any] | None = None, top_k: int = 10
    ) -> tuple[Sequence[Document], list[float] | None]:
        """Ranked provisions, and the query's embedding when the pipeline computed one. The
        embedded store's are a ``handoff.ProvisionList``: each Document is built when read."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
        inputs = pipeline_inputs(mode, self.settings, query, filters, top_k)
        embedded = "query_embedder" in inputs
        outputs = self.pipeline(mode).run(inputs, include_outputs_from={"query_embedder"} if embedded else None)
        vector = outputs.get("query_embedder", {}).get("embedding") if embedded else None
        return outputs[output_component(mode, self.settings)]["documents"], vector

    def hits(self, documents: list[Document], query: str, query_vector: list[float] | None) -> list[SearchHit]:
        """Results with snippets (see :meth:`_hits`) and practitioners' citations pinpointed to
        the fraction or paragraph holding the snippet's first marked word."""
        hits = self._hits(documents, query, query_vector)
        for document, hit in zip(documents, hits):
            content = document.content or ""
            offset = match_offset(content, hit.snippet, hit.highlights)
            lead = self._earlier_windows(document) if offset is not None else ""
            text = lead + content
            hit.formal_citation = practitioner_citation(document.meta, text, None if offset is None else len(lead) + offset)
        return hits

    def _earlier_windows(self, document: Document) -> str:
        """A later window of a long provision lacks the markers ("(a)", "III.") opened before
        it: the provision's earlier windows, in order, are read so the pinpoint sees them."""
        chunk = int(document.meta.get("chunk") or 0)
        if chunk == 0:
            return ""
        meta = document.meta
        earlier_filter = combine(
            equals_filter(doc_id=str(meta.get("doc_id")), article=str(meta.get("article"))),
            {"field": "meta.chunk", "operator": "<", "value": chunk},
        )  # the later windows are not read (a long provision has dozens)
        earlier = sorted(self.store.passages(earlier_filter), key=lambda p: int(p.meta.get("chunk") or 0))
        return "".join((p.content or "") + "\n" for p in earlier)

    def _hits(self, documents: list[Document], query: str, query_vector: list[float] | None) -> list[SearchHit]:
        """Results with snippets: the query's words marked, else the translated words it was
        found by in its language, or, for a provision found only by meaning (no word in common), the
        sentence of it closest in meaning to the query."""
        hits = [hit_from_document(d, query) for d in documents]
        terms = profile_query(query, self.settings.query_filler != "keep").expansions  # a hit found through translated words
        for document, hit in zip(documents, hits):  # shows the words it was found by
            found_by_terms = any(name.startswith("terms/") for name in document.meta.get("ranks") or {})
            if not hit.highlights and found_by_terms and hit.language in terms:
                hit.snippet, hit.highlights = make_snippet(document.content or "", terms[hit.language], hit.language)
        semantic = [i for i, hit in enumerate(hits) if not hit.highlights and query_vector is not None]
        if not semantic:
            return hits
        candidates = [sentences(documents[i].content or "") for i in semantic]
        known = self._sentence_vectors([documents[i].id for i in semantic], candidates)
        query_array = np.asarray(query_vector, dtype=np.float32)
        for i, group in zip(semantic, candidates):
            scored = [(float(known[text] @ query_array), text) for text in group if text in known]
            if scored:  # else (over this request's embedding budget) the opening words stay
                best = max(scored, key=lambda pair: pair[0])[1]
                hits[i].snippet, hits[i].highlights = make_snippet(best, query, hits[i].language)
        return hits

    def _sentence_vectors(self, passage_ids: list[str], groups: list[list[str]]) -> dict[str, np.ndarray]:
        """Vectors of the sentences in ``groups``: those stored at ingest, read for the page in
        one call, then, for sentences without a stored vector (an index made before they were
        stored), the on-demand path with its per-request budget."""
        blocks = self.store.sentence_vectors(passage_ids)
        known: dict[str, np.ndarray] = {}
        for passage_id, group in zip(passage_ids, groups):
            block = blocks.get(passage_id)
            if block is not None:
                known.update(block.vectors_for(group))
        missing = [text for group in groups for text in group if text not in known]
        if missing:
            known.update(self.sentence_vectors.vectors(missing))
        return known

    def search(
        self,
        query: str,
        mode: Mode = "hybrid",
        filters: dict[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[SearchHit]:
        documents, vector = self.run(query, mode, filters, top_k=offset + limit)
        return self.hits(documents[offset : offset + limit], query, vector)
