"""Provisions of other documents closest in meaning to one provision, in any language."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from laborlex_core.passage_text import citation
from laborlex_core.settings import Settings
from laborlex_core.store.base import SearchBackend
from laborlex_core.store.filters import combine
from search_api.collapse import collapse_passages
from search_api.reading import provision_passages
from search_api.search import SearchHit, hit_from_document


def similar_provisions(
    settings: Settings, store: SearchBackend, doc_id: str, article: str, filters: dict[str, Any] | None = None, limit: int = 10
) -> tuple[dict[str, Any], list[SearchHit]] | None:
    """The provision's mean vector against every other document's passages (one dense list)."""
    own = provision_passages(store, doc_id, article)
    vectors = [d.embedding for d in own if d.embedding is not None]
    if not own or not vectors:
        return None
    centroid = np.mean(np.asarray(vectors, dtype=np.float32), axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    elsewhere = combine({"field": "meta.doc_id", "operator": "!=", "value": doc_id}, filters)
    found = store.embedding_retrieval(centroid.tolist(), elsewhere, top_k=settings.candidates_per_retriever)
    ranked = [replace(d, meta={**d.meta, "ranks": {"dense": rank}}) for rank, d in enumerate(found, start=1)]
    provisions = collapse_passages(ranked)[:limit]
    source = {"doc_id": doc_id, "article": article, "citation": citation(own[0].meta)}
    return source, [hit_from_document(d, "") for d in provisions]
