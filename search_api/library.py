"""What the API serves beyond a ranked list: documents, provisions in context, similar
provisions, jurisdictions side by side, facets and statistics.

It works on the store's per-document methods and on :class:`Searcher`, so it is the same
whatever backend sits underneath; the FastAPI layer only validates and serializes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from haystack import Document

from laborlex_core.passage_text import citation, unit_label
from laborlex_core.schema import (
    RULING_KINDS,
    Citation,
    citation_key,
    parse_citation_key,
)
from laborlex_core.settings import Settings
from laborlex_core.store.base import SearchBackend
from laborlex_core.store.filters import combine, equals_filter
from search_api.collapse import collapse_passages
from search_api.pipeline import Mode
from search_api.search import Searcher, SearchHit, hit_from_document

FACET_FIELDS: tuple[str, ...] = ("jurisdiction", "language", "kind")


def _reading_order(passage: Document) -> tuple[int, int]:
    return int(passage.meta.get("ordinal") or 0), int(passage.meta.get("chunk") or 0)


@dataclass(slots=True)
class SearchPage:
    """One page of results, the number of provisions found, and facet counts over them."""

    hits: list[SearchHit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(slots=True)
class ProvisionView:
    """A provision read whole: its text from the document, and its neighbours."""

    meta: dict[str, Any]
    text: str
    previous: dict[str, Any] | None
    next: dict[str, Any] | None


def facet_counts(documents: list[Document]) -> dict[str, dict[str, int]]:
    return {
        name: dict(Counter(str(d.meta.get(name)) for d in documents if d.meta.get(name)).most_common())
        for name in FACET_FIELDS
    }


def provision_summary(meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "article": str(meta.get("article") or ""),
        "unit": meta.get("unit") or "article",
        "label": unit_label(str(meta.get("unit") or "article"), str(meta.get("article") or ""), meta.get("language")),
        "heading_path": list(meta.get("heading_path") or []),
        "page": meta.get("page"),
        "citation": citation(meta),
    }


class LawLibrary:
    """Read-side services over one store."""

    def __init__(self, settings: Settings, store: SearchBackend) -> None:
        self.settings = settings
        self.store = store
        self.searcher = Searcher(settings, store)

    # ---- search --------------------------------------------------------------------

    def search(
        self,
        query: str,
        mode: Mode = "hybrid",
        filters: dict[str, Any] | None = None,
        facet_free_filters: dict[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> SearchPage:
        """Search, page, and count facets.

        Facets are counted over the candidates found *without* the jurisdiction/language/kind
        filters (``facet_free_filters``), so a user filtering on Mexico still sees how many
        answers other jurisdictions hold.
        """
        depth = self.settings.candidates_per_retriever
        found, vector = self.searcher.run(query, mode, filters, top_k=depth)
        unfaceted = found if facet_free_filters == filters else self.searcher.search_documents(
            query, mode, facet_free_filters, top_k=depth
        )
        hits = self.with_citation_counts(self.searcher.hits(found[offset : offset + limit], query, vector))
        return SearchPage(hits=hits, total=len(found), facets=facet_counts(unfaceted))

    def with_citation_counts(self, hits: list[SearchHit]) -> list[SearchHit]:
        """Each hit with how many other provisions cite it."""
        counts = self.store.citation_counts([citation_key(h.doc_id, h.article) for h in hits])
        for hit in hits:
            hit.cited_by_count = counts.get(citation_key(hit.doc_id, hit.article), 0)
        return hits

    def compare(
        self, query: str, jurisdictions: list[str], mode: Mode = "hybrid", limit: int = 3
    ) -> list[tuple[str, list[SearchHit]]]:
        """The best provisions for one question in each jurisdiction, in the order asked."""
        return [
            (
                j,
                self.with_citation_counts(
                    self.searcher.search(query, mode, {"field": "meta.jurisdiction", "operator": "==", "value": j}, limit)
                ),
            )
            for j in jurisdictions
        ]

    # ---- documents and provisions -----------------------------------------------------

    def documents(self) -> list[dict[str, Any]]:
        return self.store.list_documents()

    def document(self, doc_id: str) -> dict[str, Any] | None:
        """Metadata and the provisions in reading order (one entry per provision)."""
        meta = self.store.get_document(doc_id)
        if meta is None:
            return None
        provisions = [
            provision_summary(d.meta) for d in self.store.document_passages(doc_id) if not d.meta.get("chunk")
        ]
        return {**meta, "provision_count": meta["provisions"], "provisions": provisions}

    def _provision_passages(self, doc_id: str, article: str) -> list[Document]:
        """One provision's passages in reading order, fetched alone (not its whole document)."""
        passages = self.store.filter_documents(equals_filter(doc_id=doc_id, article=article))
        return sorted(passages, key=_reading_order)

    def _provision_metas(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Meta of the first passage of each indexed (document, article) in ``keys``, in one query."""
        if not keys:
            return {}
        wanted = equals_filter(doc_id=sorted({d for d, _ in keys}), article=sorted({a for _, a in keys}))
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for passage in sorted(self.store.filter_documents(wanted), key=_reading_order):
            key = (str(passage.meta.get("doc_id")), str(passage.meta.get("article")))
            if key in keys:
                found.setdefault(key, passage.meta)
        return found

    def provision(self, doc_id: str, article: str) -> ProvisionView | None:
        """The provision's full text (from the document's text by offsets) and its neighbours."""
        passages = self.store.document_passages(doc_id)
        order = [d for d in passages if not d.meta.get("chunk")]
        index = next((i for i, d in enumerate(order) if str(d.meta.get("article")) == article), None)
        if index is None:
            return None
        own = [d for d in passages if str(d.meta.get("article")) == article]
        text = self._full_text(doc_id, own)
        previous = provision_summary(order[index - 1].meta) if index > 0 else None
        following = provision_summary(order[index + 1].meta) if index + 1 < len(order) else None
        meta = {**own[0].meta, "page_end": own[-1].meta.get("page_end") or own[-1].meta.get("page")}
        return ProvisionView(meta=meta, text=text, previous=previous, next=following)

    def _full_text(self, doc_id: str, own: list[Document]) -> str:
        document_text = self.store.document_text(doc_id)
        start = min(int(d.meta.get("start") or 0) for d in own)
        end = max(int(d.meta.get("end") or 0) for d in own)
        if document_text and end > start:
            return document_text[start:end].strip()
        if len(own) == 1:
            return own[0].content or ""
        return "\n".join(d.content or "" for d in own)  # overlapping windows; text not kept

    def similar(
        self, doc_id: str, article: str, filters: dict[str, Any] | None = None, limit: int = 10
    ) -> tuple[dict[str, Any], list[SearchHit]] | None:
        """Provisions of *other* documents closest in meaning to this one, in any language."""
        own = self._provision_passages(doc_id, article)
        vectors = [d.embedding for d in own if d.embedding is not None]
        if not own or not vectors:
            return None
        centroid = np.mean(np.asarray(vectors, dtype=np.float32), axis=0)
        centroid /= np.linalg.norm(centroid) or 1.0
        elsewhere = combine({"field": "meta.doc_id", "operator": "!=", "value": doc_id}, filters)
        found = self.store.embedding_retrieval(centroid.tolist(), elsewhere, top_k=self.settings.candidates_per_retriever)
        ranked = [replace(d, meta={**d.meta, "ranks": {"dense": rank}}) for rank, d in enumerate(found, start=1)]
        provisions = collapse_passages(ranked)[:limit]
        source = {"doc_id": doc_id, "article": article, "citation": citation(own[0].meta)}
        return source, [hit_from_document(d, "") for d in provisions]

    # ---- citations ---------------------------------------------------------------------

    def cited_by(self, doc_id: str, article: str) -> dict[str, Any] | None:
        """Who cites this provision: rulings first, then provisions, grouped by citing document."""
        own = self._provision_passages(doc_id, article)
        if not own:
            return None
        groups: dict[str, dict[str, Any]] = {}
        for row in self.store.cited_by(doc_id, article):
            group = groups.setdefault(
                row["doc_id"],
                {"doc_id": row["doc_id"], "title": row.get("title") or row["doc_id"], "kind": row.get("doc_kind"),
                 "jurisdiction": row.get("jurisdiction"), "language": row.get("language"), "citations": []},
            )
            entries = group["citations"]
            if entries and entries[-1]["article"] == row["article"]:
                entries[-1]["texts"].append(row["text"])  # the same provision citing it again
                continue
            summary = provision_summary({**row, "kind": row.get("doc_kind")})
            entries.append({**summary, "passage_id": row["passage_id"], "texts": [row["text"]], "detail": row.get("detail")})
        ordered = sorted(groups.values(), key=lambda g: (g["kind"] not in RULING_KINDS, g["doc_id"]))
        return {
            "provision": self._source(own[0].meta),
            "total": sum(len(g["citations"]) for g in ordered),
            "groups": ordered,
        }

    def cites(self, doc_id: str, article: str) -> dict[str, Any] | None:
        """What this provision cites, resolved or not; ``linked`` when the target is indexed."""
        own = self._provision_passages(doc_id, article)
        if not own:
            return None
        rows = self.store.citations_of(doc_id, article)
        metas = self._provision_metas({(r["target_doc"], r["target_article"]) for r in rows if r.get("target_doc") and r.get("target_article")})
        indexed = {d["doc_id"] for d in self.store.list_documents()}
        citations = []
        for row in rows:
            target_doc, target_article = row.get("target_doc"), row.get("target_article")
            target_meta = metas.get((target_doc or "", target_article or ""))
            document_known = target_doc in indexed
            citations.append(
                {
                    "text": row["text"], "kind": row["kind"], "detail": row.get("detail"), "instrument": row.get("instrument"),
                    "target_doc": target_doc, "target_article": target_article,
                    "resolved": Citation.from_dict(row).resolved,
                    "linked": target_meta is not None or (document_known and not target_article),
                    "internal": bool(row.get("internal")),
                    "target_citation": citation(target_meta) if target_meta else None,
                    "passage_id": row["passage_id"], "start": row["start"], "end": row["end"],
                }
            )
        return {"provision": self._source(own[0].meta), "citations": citations}

    @staticmethod
    def _source(meta: dict[str, Any]) -> dict[str, Any]:
        return {"doc_id": meta["doc_id"], "article": str(meta.get("article") or ""), "citation": citation(meta)}

    def citation_report(self, top: int = 10) -> dict[str, Any]:
        """Citations per document, the share resolved (and linked to an indexed provision), the most cited."""
        stats = self.store.citation_stats()
        documents = [
            {"doc_id": d["doc_id"], "citations": stats["documents"].get(d["doc_id"], {}).get("citations", 0),
             "resolved": stats["documents"].get(d["doc_id"], {}).get("resolved", 0)}
            for d in self.store.list_documents()
        ]
        total = sum(d["citations"] for d in documents)
        resolved = sum(d["resolved"] for d in documents)
        targets: dict[str, int] = stats["targets"]
        parsed = {key: parse_citation_key(key) for key in targets}
        metas = self._provision_metas({pair for pair in parsed.values() if pair})
        most = sorted(targets.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        return {
            "documents": documents,
            "citations": total,
            "resolved": resolved,
            "share_resolved": resolved / total if total else 0.0,
            "cited_provisions": len(targets),
            "cited_provisions_indexed": len(metas),
            "top": [
                {"key": key, "cited_by": n, "citation": citation(metas[parsed[key]]) if parsed[key] in metas else key}
                for key, n in most
            ],
        }

    # ---- statistics ------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        documents = self.store.list_documents()
        grouped: dict[str, dict[str, dict[str, int]]] = {f"by_{name}": {} for name in FACET_FIELDS}
        for doc in documents:
            for name in FACET_FIELDS:
                bucket = grouped[f"by_{name}"].setdefault(str(doc.get(name) or "unknown"), {"documents": 0, "passages": 0, "provisions": 0})
                bucket["documents"] += 1
                bucket["passages"] += int(doc.get("passages") or 0)
                bucket["provisions"] += int(doc.get("provisions") or 0)
        return {
            "documents": len(documents),
            "passages": sum(int(d.get("passages") or 0) for d in documents),
            "provisions": sum(int(d.get("provisions") or 0) for d in documents),
            **grouped,
        }


__all__ = ["LawLibrary", "ProvisionView", "SearchPage", "facet_counts"]
