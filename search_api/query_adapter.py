"""Domain adaptation of the query side of the embedding model (a lever: ``LABORLEX_QUERY_ADAPTER``).

multilingual-e5-small was trained on web text; here a question meets statutes. The model
stays as built from the bundled weights; what is learnt is a rotation of the query vector
towards where this corpus's passages lie, from pairs the corpus itself provides (no judged
query is used):

* **heading → passage**: each chapter or section heading ("CAPITULO II Jornada de trabajo"),
  read as a query, and every passage under it;
* **the same article across languages**: an article of an instrument held in two language
  versions (ILO conventions, the Georgian Labour Code), read as a query, and the passage of
  that article in the other language;
* **citing → cited**: the words around a citation ("…conforme al artículo 48…"), read as a
  query, and the first passage of the provision it cites.

The rotation is the orthogonal Procrustes solution (an SVD of Qᵀ P, each source weighted
alike), so it keeps vector lengths and cannot collapse the space; the query vector used for
search is ``unit((1 - blend) · q + blend · q W)``, with ``blend`` chosen by cross-validation
(``LABORLEX_QUERY_ADAPTER``: 0 = off). ``laborlex adapter`` rebuilds ``data/query_adapter.npy``
(and its description ``data/query_adapter.json``) from the index, deterministically.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from haystack import Document

from laborlex_core.embedding.query_vector import QueryVector, as_query_vector
from laborlex_core.schema import LANGUAGES
from laborlex_core.store.base import SearchBackend
from search_api.handoff import provision_key
from search_api.translations import instrument_of

MATRIX_RESOURCE = "data/query_adapter.npy"
INFO_RESOURCE = "data/query_adapter.json"
QUERY_CHARS = 1000  # an article read as a query: its opening, as a question would be short
CITATION_CONTEXT = 160  # characters either side of a citation
MAX_PAIRS_PER_SOURCE = 600  # keeps the rebuild to minutes; the first ones in a fixed order

Pairs = list[tuple[str, np.ndarray]]  # (text read as a query, target passage vector)


def _first_passages(passages: Sequence[Document]) -> dict[tuple[str, str], Document]:
    first: dict[tuple[str, str], Document] = {}
    for passage in sorted(passages, key=lambda p: (str(p.meta.get("doc_id")), int(p.meta.get("ordinal") or 0), int(p.meta.get("chunk") or 0))):
        first.setdefault(provision_key(passage.meta), passage)
    return first


def heading_pairs(passages: Sequence[Document]) -> Pairs:
    """(innermost heading, passage vector) for every passage under a heading."""
    pairs = [
        (str(p.meta["heading_path"][-1]), np.asarray(p.embedding, dtype=np.float32))
        for p in sorted(passages, key=lambda p: p.id)
        if p.meta.get("heading_path") and p.embedding is not None
    ]
    return pairs[:MAX_PAIRS_PER_SOURCE]


def cross_language_pairs(passages: Sequence[Document]) -> Pairs:
    """(article text in one language, the same article's passage vector in another)."""
    first = _first_passages(passages)
    versions: dict[tuple[str, str], dict[str, Document]] = defaultdict(dict)
    for (doc_id, article), passage in first.items():
        language = passage.meta.get("language")
        if language in LANGUAGES:
            versions[(instrument_of(doc_id, language), article)][language] = passage
    pairs: Pairs = []
    for _, by_language in sorted(versions.items()):
        for source in sorted(by_language):
            for target in sorted(by_language):
                if source != target and by_language[target].embedding is not None:
                    text = (by_language[source].content or "")[:QUERY_CHARS]
                    pairs.append((text, np.asarray(by_language[target].embedding, dtype=np.float32)))
    return pairs[:MAX_PAIRS_PER_SOURCE]


def citation_pairs(passages: Sequence[Document]) -> Pairs:
    """(the words around a resolved citation, the cited provision's first passage vector)."""
    first = _first_passages(passages)
    pairs: Pairs = []
    for passage in sorted(passages, key=lambda p: p.id):
        text = passage.content or ""
        for citation in passage.meta.get("citations") or []:
            target = first.get((str(citation.get("target_doc")), str(citation.get("target_article"))))
            if target is None or target.embedding is None or target.id == passage.id:
                continue
            start, end = int(citation.get("start") or 0), int(citation.get("end") or 0)
            context = text[max(0, start - CITATION_CONTEXT) : end + CITATION_CONTEXT].strip()
            if context:
                pairs.append((context, np.asarray(target.embedding, dtype=np.float32)))
    return pairs[:MAX_PAIRS_PER_SOURCE]


SOURCES: dict[str, Callable[[Sequence[Document]], Pairs]] = {
    "heading": heading_pairs,
    "cross_language": cross_language_pairs,
    "citation": citation_pairs,
}


def procrustes(queries: np.ndarray, targets: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """The orthogonal W minimizing Σ wᵢ ‖qᵢ W − pᵢ‖² (rows are vectors): U Vᵀ of the SVD of Qᵀ diag(w) P."""
    if weights is not None:
        queries = queries * np.sqrt(weights)[:, None]
        targets = targets * np.sqrt(weights)[:, None]
    u, _, vt = np.linalg.svd(queries.T.astype(np.float64) @ targets.astype(np.float64))
    return (u @ vt).astype(np.float32)


def build_adapter(store: SearchBackend, embed_queries: Callable[[list[str]], np.ndarray]) -> tuple[np.ndarray, dict[str, Any]]:
    """The rotation learnt from the index's pairs, and its description (sources and counts)."""
    passages = [p for p in store.filter_documents(None) if p.embedding is not None]
    rows: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    counts: dict[str, int] = {}
    for name, mine in SOURCES.items():
        pairs = mine(passages)
        counts[name] = len(pairs)
        if not pairs:
            continue
        texts = [text for text, _ in pairs]
        distinct = sorted(set(texts))
        vectors = embed_queries(distinct)
        index = {text: i for i, text in enumerate(distinct)}
        rows.append(np.asarray([vectors[index[t]] for t in texts], dtype=np.float32))
        targets.append(np.stack([vector for _, vector in pairs]))
        weights.append(np.full(len(pairs), 1.0 / len(pairs)))  # each source weighs the same
    if not rows:
        raise ValueError("the index holds no heading, parallel article or citation to learn from")
    queries, passages_matrix = np.concatenate(rows), np.concatenate(targets)
    matrix = procrustes(queries, passages_matrix, np.concatenate(weights))
    before = float(np.mean(np.sum(queries * passages_matrix, axis=1)))
    after = float(np.mean(np.sum((queries @ matrix) * passages_matrix, axis=1)))
    info = {
        "_source": "pairs mined from the index only (no judged query): " + ", ".join(f"{n} {c}" for n, c in counts.items()),
        "pairs": counts,
        "mean_cosine_before": round(before, 4),
        "mean_cosine_after": round(after, 4),
        "sha256": hashlib.sha256(matrix.tobytes()).hexdigest(),
        "rebuild": "laborlex adapter",
    }
    return matrix, info


def write_adapter(matrix: np.ndarray, info: dict[str, Any], matrix_path: Path, info_path: Path) -> None:
    np.save(matrix_path, matrix.astype(np.float32), allow_pickle=False)
    info_path.write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    load_adapter.cache_clear()


@lru_cache(maxsize=2)
def load_adapter(path: str | None = None) -> np.ndarray:
    with (open(path, "rb") if path else resources.files("search_api").joinpath(MATRIX_RESOURCE).open("rb")) as handle:
        return np.load(handle, allow_pickle=False)


def adapt(vector: Sequence[float], matrix: np.ndarray, blend: float) -> QueryVector:
    """unit((1 − blend) · q + blend · q W); blend 0 returns the vector unchanged."""
    if blend == 0:
        return as_query_vector(vector)
    query = np.asarray(vector, dtype=np.float32)
    mixed = (1.0 - blend) * query + blend * (query @ matrix)
    return QueryVector(mixed / np.linalg.norm(mixed))
