"""Documents, passages and provisions per jurisdiction, language and kind (``/stats``, ``laborlex stats``)."""

from __future__ import annotations

from typing import Any

from laborlex_core.store.base import SearchBackend

STAT_FIELDS: tuple[str, ...] = ("jurisdiction", "language", "kind")


def corpus_stats(store: SearchBackend) -> dict[str, Any]:
    documents = store.list_documents()
    grouped: dict[str, dict[str, dict[str, int]]] = {f"by_{name}": {} for name in STAT_FIELDS}
    for doc in documents:
        for name in STAT_FIELDS:
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
