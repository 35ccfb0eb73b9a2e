"""Citations as flat rows, and the counts both store backends derive from them.

A row is one citation of one passage, with the citing passage's identity. Counting lives
here once so that the embedded store and OpenSearch report the same figures: a provision is
"cited by" each *other* provision that cites it (a reference to a part of the provision's
own article, "ამ მუხლის მე-2 პუნქტით", is internal and not counted).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from haystack import Document

from laborlex_core.schema import Citation, citation_key

# Passage fields copied onto each row: who cites.
CITING_FIELDS: tuple[str, ...] = ("doc_id", "article", "unit", "title", "language", "jurisdiction", "date", "ordinal", "chunk")


def is_internal(row: dict[str, Any]) -> bool:
    """A reference from a provision to (a part of) itself."""
    return row.get("target_doc") == row.get("doc_id") and row.get("target_article") == row.get("article")


def rows_from_passages(documents: Iterable[Document]) -> list[dict[str, Any]]:
    """One row per citation in the passages' ``meta["citations"]``, in reading order."""
    rows: list[dict[str, Any]] = []
    for document in documents:
        meta = document.meta
        for seq, raw in enumerate(meta.get("citations") or []):
            citation = Citation.from_dict(raw)
            row = {name: meta.get(name) for name in CITING_FIELDS}
            row["doc_kind"] = meta.get("kind")  # the citing document's kind; "kind" is the citation's
            row.update(citation.to_dict())
            row.update(passage_id=document.id, seq=seq, target_key=citation.key)
            row["article"] = str(meta.get("article") or "")
            row["internal"] = is_internal(row)
            rows.append(row)
    return rows


def cited_keys(citations: Sequence[dict[str, Any]], doc_id: str, article: str) -> list[str]:
    """The ``DOC:ARTICLE`` keys a passage cites, other than its own provision (the ``cites`` filter)."""
    keys = {
        citation_key(c["target_doc"], c["target_article"])
        for c in citations
        if c.get("target_doc") and c.get("target_article") and (c["target_doc"], c["target_article"]) != (doc_id, article)
    }
    return sorted(keys)


def count_citing(rows: Iterable[dict[str, Any]], keys: Sequence[str] | None = None) -> dict[str, int]:
    """Per cited provision key, how many other provisions cite it (all keys when ``keys`` is None)."""
    wanted = set(keys) if keys is not None else None
    citing: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in rows:
        key = row.get("target_key")
        if not key or row.get("internal") or (wanted is not None and key not in wanted):
            continue
        citing[key].add((str(row["doc_id"]), str(row["article"])))
    return {key: len(sources) for key, sources in citing.items()}


def stats_from_rows(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Citations and resolved citations per citing document, and citing counts per target."""
    documents: dict[str, dict[str, int]] = {}
    for row in rows:
        entry = documents.setdefault(str(row["doc_id"]), {"citations": 0, "resolved": 0})
        entry["citations"] += 1
        entry["resolved"] += int(Citation.from_dict(row).resolved)
    return {"documents": dict(sorted(documents.items())), "targets": count_citing(rows)}
