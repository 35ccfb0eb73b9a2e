"""Time the embedded store on one index, in a fresh process (``python -m benchmarks.store_worker``).

A fresh process per index makes "reopen" a real cold open (connection, schema check, vector
matrix loaded from SQLite) and makes peak RSS that of the store alone: queries arrive with
their vectors precomputed, so no model is loaded here (the API leg measures the model).
Store-level hybrid = BM25 and dense top-100 under the query's filter, fused by the query
pipeline's reciprocal rank fusion.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from benchmarks.queries import BenchQuery, read_queries
from benchmarks.stats import time_calls
from laborlex_core.store.embedded import EmbeddedDocumentStore
from search_api.fusion import reciprocal_rank_fusion

TOP_K = 100
WARMUP = 5


def hybrid(store: EmbeddedDocumentStore, query: BenchQuery, top_k: int = TOP_K) -> list:
    """What the hybrid pipeline asks of the store, plus the fusion, for one query."""
    lists = {
        "bm25": store.bm25_retrieval(query.text, filters=query.filters, top_k=top_k),
        "dense": store.embedding_retrieval(query.vector or [], filters=query.filters, top_k=top_k),
    }
    return reciprocal_rank_fusion(lists)


def measure(index: Path, queries: list[BenchQuery]) -> dict[str, float]:
    started = time.perf_counter()
    store = EmbeddedDocumentStore(index)
    store.embedding_retrieval(queries[0].vector or [], top_k=1)  # loads the vector matrix
    reopen = time.perf_counter() - started
    for query in queries[:WARMUP]:
        hybrid(store, query)
    calls = {
        "hybrid": lambda q: hybrid(store, q),
        "bm25": lambda q: store.bm25_retrieval(q.text, top_k=TOP_K),
        "dense": lambda q: store.embedding_retrieval(q.vector or [], top_k=TOP_K),
        "bm25_filtered": lambda q: store.bm25_retrieval(q.text, filters=q.filters, top_k=TOP_K),
        "dense_filtered": lambda q: store.embedding_retrieval(q.vector or [], filters=q.filters, top_k=TOP_K),
    }
    result: dict[str, float] = {"passages": store.count_documents(), "queries": len(queries), "reopen_s": round(reopen, 3)}
    return {**result, **time_calls(calls, queries)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", type=Path, required=True, help="the index.sqlite3 file")
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    result = measure(args.index, read_queries(args.queries))
    args.out.write_text(json.dumps(result), "utf-8")


if __name__ == "__main__":
    main()
