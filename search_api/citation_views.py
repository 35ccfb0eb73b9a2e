"""Citations as the API shows them: who cites a provision, what it cites, and a corpus report."""

from __future__ import annotations

from typing import Any

from laborlex_core.passage_text import citation
from laborlex_core.schema import RULING_KINDS, Citation, citation_key, parse_citation_key
from laborlex_core.store.base import SearchBackend
from search_api.reading import provision_metas, provision_passages, provision_summary
from search_api.search import SearchHit


def with_citation_counts(store: SearchBackend, hits: list[SearchHit]) -> list[SearchHit]:
    """Each hit with how many other provisions cite it (one store query for the page)."""
    counts = store.citation_counts([citation_key(h.doc_id, h.article) for h in hits])
    for hit in hits:
        hit.cited_by_count = counts.get(citation_key(hit.doc_id, hit.article), 0)
    return hits


def _source(meta: dict[str, Any]) -> dict[str, Any]:
    return {"doc_id": meta["doc_id"], "article": str(meta.get("article") or ""), "citation": citation(meta)}


class CitationViews:
    """Read-side citation services over one store."""

    def __init__(self, store: SearchBackend) -> None:
        self.store = store

    def cited_by(self, doc_id: str, article: str) -> dict[str, Any] | None:
        """Who cites this provision: rulings first, then provisions, grouped by citing document."""
        own = provision_passages(self.store, doc_id, article)
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
        return {"provision": _source(own[0].meta), "total": sum(len(g["citations"]) for g in ordered), "groups": ordered}

    def cites(self, doc_id: str, article: str) -> dict[str, Any] | None:
        """What this provision cites, resolved or not; ``linked`` when the target is indexed."""
        own = provision_passages(self.store, doc_id, article)
        if not own:
            return None
        rows = self.store.citations_of(doc_id, article)
        metas = provision_metas(
            self.store, {(r["target_doc"], r["target_article"]) for r in rows if r.get("target_doc") and r.get("target_article")}
        )
        targets = {r["target_doc"] for r in rows if r.get("target_doc")}
        indexed = {d for d in targets if self.store.get_document(d) is not None}
        citations = []
        for row in rows:
            target_doc, target_article = row.get("target_doc"), row.get("target_article")
            target_meta = metas.get((target_doc or "", target_article or ""))
            citations.append(
                {
                    "text": row["text"], "kind": row["kind"], "detail": row.get("detail"), "instrument": row.get("instrument"),
                    "target_doc": target_doc, "target_article": target_article,
                    "resolved": Citation.from_dict(row).resolved,
                    "linked": target_meta is not None or (target_doc in indexed and not target_article),
                    "internal": bool(row.get("internal")),
                    "target_citation": citation(target_meta) if target_meta else None,
                    "passage_id": row["passage_id"], "start": row["start"], "end": row["end"],
                }
            )
        return {"provision": _source(own[0].meta), "citations": citations}

    def report(self, top: int = 10) -> dict[str, Any]:
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
        metas = provision_metas(self.store, {pair for pair in parsed.values() if pair})
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
