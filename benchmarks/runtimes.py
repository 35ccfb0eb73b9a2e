"""Embedding runtimes side by side: passages/s on real corpus passages, one query's latency.

The default runtime and the previous one (torch bfloat16) are loaded in the same process and
timed in alternating rounds (first round in one order, second in the other), so that a load
change on a shared machine hits both alike; their ratio is the figure to read. Vectors are
compared too (cosine between the runtimes, per text).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from laborlex_core.settings import Settings

# (label, settings changes): the default first, then what it replaced.
RUNTIMES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("default", {}),
    ("previous (torch bfloat16)", {"embed_runtime": "torch", "embed_dtype": "bfloat16"}),
)


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def measure_runtimes(
    settings: Settings,
    passages: Sequence[str],
    queries: Sequence[str],
    *,
    sample: int = 256,
    runtimes: Sequence[tuple[str, dict[str, Any]]] = RUNTIMES,
    seed: int = 0,
) -> dict[str, Any]:
    """Passages/s (batches sorted by length, as ingest does) and query p50/p95 per runtime.

    ``passages`` are embedding texts (without the prompt); ``queries`` plain query texts.
    """
    from laborlex_core.embedding.embedder import QUERY_PROMPT, _load, embed_passage_texts, model_key, unit_float32
    from laborlex_core.text_analysis import lower_mtavruli

    texts = random.Random(seed).sample(list(passages), min(sample, len(passages)))
    halves = [texts[0::2], texts[1::2]]
    query_halves = [list(queries[0::2]), list(queries[1::2])]
    loaded: dict[str, Any] = {}
    rows: dict[str, dict[str, Any]] = {}
    for label, change in runtimes:
        key = model_key(settings.model_copy(update=change))
        started = time.perf_counter()
        model = _load(*key)
        model.encode([QUERY_PROMPT + "warm up"], normalize_embeddings=True)
        loaded[label] = model
        rows[label] = {"runtime": key[0], "dtype": key[4], "precision": str(getattr(model, "precision", key[4])),
                       "load_s": round(time.perf_counter() - started, 2), "passage_s": 0.0, "query_ms": [],
                       "vectors": {}, "query_vectors": {}}
    labels = [label for label, _ in runtimes]
    for round_, order in enumerate((labels, labels[::-1])):
        for label in order:
            model, row = loaded[label], rows[label]
            started = time.perf_counter()
            vectors = embed_passage_texts(model, halves[round_], settings.embed_batch_size)
            row["passage_s"] += time.perf_counter() - started
            row["vectors"].update(zip(halves[round_], vectors))
            for query in query_halves[round_]:
                started = time.perf_counter()
                vector = model.encode(QUERY_PROMPT + lower_mtavruli(query), normalize_embeddings=True)
                row["query_ms"].append((time.perf_counter() - started) * 1000)
                row["query_vectors"][query] = unit_float32(vector)  # bfloat16 output is unit only to ~3 digits
    reference = rows[labels[-1]]
    out: dict[str, Any] = {"passages": len(texts), "queries": len(queries), "runtimes": {}}
    for label in labels:
        row = rows[label]
        passage_cos = [float(np.dot(row["vectors"][t], reference["vectors"][t])) for t in texts]
        query_cos = [float(np.dot(row["query_vectors"][q], reference["query_vectors"][q])) for q in queries]
        out["runtimes"][label] = {
            "runtime": row["runtime"],
            "dtype": row["dtype"],
            "precision": row["precision"],
            "load_s": row["load_s"],
            "passages_per_s": round(len(texts) / row["passage_s"], 2) if row["passage_s"] else None,
            "query_p50_ms": round(_percentile(row["query_ms"], 50), 1),
            "query_p95_ms": round(_percentile(row["query_ms"], 95), 1),
            "query_mean_ms": round(statistics.fmean(row["query_ms"]), 1),
            f"cosine_to_{labels[-1].split()[0]}_min": round(min(passage_cos + query_cos), 5),
        }
    first, last = (out["runtimes"][label] for label in (labels[0], labels[-1]))
    if first["passages_per_s"] and last["passages_per_s"]:
        out["passage_speedup"] = round(first["passages_per_s"] / last["passages_per_s"], 2)
    out["query_p50_speedup"] = round(last["query_p50_ms"] / first["query_p50_ms"], 2) if first["query_p50_ms"] else None
    return out


def corpus_embedding_texts(store: Any) -> list[str]:
    """The embedding texts of every passage of an ingested store, as the model saw them."""
    from laborlex_core.passage_text import embedding_text

    texts: list[str] = []
    for document in store.list_documents():
        texts.extend(embedding_text(p.content or "", p.meta) for p in store.document_passages(document["doc_id"]))
    return texts
