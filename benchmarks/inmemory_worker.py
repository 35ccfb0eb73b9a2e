"""Time haystack-ai's ``InMemoryDocumentStore`` on the same passages and queries, in a fresh process.

This is what a Haystack user reaches for by default: the in-memory store with its BM25
(``InMemoryBM25Retriever``) and embedding (``InMemoryEmbeddingRetriever``) retrievers, same
filters, same top-100, same fusion as the store-level hybrid in ``store_worker``. Its BM25
sees the passage text (it has no context line or stemming: the comparison is of speed, not
of quality). Passages are read from the scaled SQLite index so both stores hold the same rows.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import time
from pathlib import Path

import numpy as np
from haystack import Document
from haystack.components.retrievers.in_memory import (
    InMemoryBM25Retriever,
    InMemoryEmbeddingRetriever,
)
from haystack.document_stores.in_memory import InMemoryDocumentStore

from benchmarks.queries import BenchQuery, read_queries
from benchmarks.stats import time_calls
from search_api.fusion import reciprocal_rank_fusion

TOP_K = 100


def load(index: Path) -> InMemoryDocumentStore:
    store = InMemoryDocumentStore(embedding_similarity_function="dot_product")
    with sqlite3.connect(index) as conn:
        rows = conn.execute("SELECT id, content, meta, embedding FROM passages ORDER BY rowid")
        batch: list[Document] = []
        for doc_id, content, meta, blob in rows:
            vector = np.frombuffer(blob, dtype=np.float32).tolist() if blob else None
            batch.append(Document(id=doc_id, content=content, meta=json.loads(meta), embedding=vector))
            if len(batch) == 5000:
                store.write_documents(batch)
                batch = []
        if batch:
            store.write_documents(batch)
    return store


def measure(index: Path, queries: list[BenchQuery]) -> dict[str, float]:
    started = time.perf_counter()
    store = load(index)
    load_s = time.perf_counter() - started
    bm25 = InMemoryBM25Retriever(store, top_k=TOP_K)
    dense = InMemoryEmbeddingRetriever(store, top_k=TOP_K)

    def hybrid(q: BenchQuery) -> list:
        lists = {
            "bm25": bm25.run(query=q.text, filters=q.filters)["documents"],
            "dense": dense.run(query_embedding=q.vector or [], filters=q.filters)["documents"],
        }
        return reciprocal_rank_fusion(lists)

    hybrid(queries[0])  # warm-up (BM25 statistics are computed lazily)
    calls = {
        "hybrid": hybrid,
        "bm25": lambda q: bm25.run(query=q.text),
        "dense": lambda q: dense.run(query_embedding=q.vector or []),
    }
    result: dict[str, float] = {"queries": len(queries), "load_s": round(load_s, 2)}
    return {**result, **time_calls(calls, queries)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=40, help="queries to time (each takes ~1 s at 100k)")
    args = parser.parse_args()
    result = measure(args.index, read_queries(args.queries)[: args.limit])
    args.out.write_text(json.dumps(result), "utf-8")


if __name__ == "__main__":
    main()
