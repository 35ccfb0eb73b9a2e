"""Time the embedded store on one index, in a fresh process (``python -m benchmarks.store_worker``).

A fresh process per index makes "reopen" a real cold open (connection, schema check, the
saved snapshot of the index mapped back in) and makes peak RSS that of the store alone:
queries arrive with their vectors precomputed, so no model is loaded here (the API leg
measures the model). Timed per query:

* ``hybrid``: the full default hybrid pipeline (every ranked list it runs, fusion,
  collapsing, translations) under the query's filter: what a search asks of the store;
* ``hybrid2``: BM25 and dense top-100 under the filter fused by RRF (two lists: the shape
  the in-memory store is timed on, for the speed-up);
* ``bm25`` / ``dense`` alone, with and without the filter.

Each call starts with the store's per-query score caches emptied, so every figure includes
scoring the query once (the queries are distinct texts anyway; the row cache stays warm, as
in a running server).

``dense_recall_at_10`` compares the dense top-10 (int8 first pass, exact re-scoring) with a
plain float32 search over the same index, on every query and filter.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from benchmarks.full_pipeline import FullPipeline
from benchmarks.queries import BenchQuery, read_queries
from benchmarks.stats import time_calls
from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from search_api.fusion import reciprocal_rank_fusion

TOP_K = 100
WARMUP = 5


def hybrid2(store: EmbeddedDocumentStore, query: BenchQuery, top_k: int = TOP_K) -> list:
    """BM25 and dense under the query's filter, fused: two lists."""
    lists = {
        "bm25": store.bm25_retrieval(query.text, filters=query.filters, top_k=top_k),
        "dense": store.embedding_retrieval(query.vector or [], filters=query.filters, top_k=top_k),
    }
    return reciprocal_rank_fusion(lists)


def dense_recall(store: EmbeddedDocumentStore, exact: EmbeddedDocumentStore, queries: list[BenchQuery], k: int = 10) -> float:
    found = wanted = 0
    for query in queries:
        for filters in (None, query.filters):
            ours = {d.id for d in store.embedding_retrieval(query.vector or [], filters=filters, top_k=k)}
            truth = {d.id for d in exact.embedding_retrieval(query.vector or [], filters=filters, top_k=k)}
            found, wanted = found + len(ours & truth), wanted + len(truth)
    return round(found / wanted, 4) if wanted else 1.0


def measure(index: Path, queries: list[BenchQuery]) -> dict[str, float]:
    started = time.perf_counter()
    store = EmbeddedDocumentStore(index)
    store.warm()  # the saved snapshot (or, if none, built from SQLite and saved)
    reopen = time.perf_counter() - started
    pipeline = FullPipeline(Settings(), store)
    for query in queries[:WARMUP]:
        pipeline.run(query.text, query.vector, query.filters)
        hybrid2(store, query)
    def cold(call):  # every timing includes scoring the query: no list reuses another call's scores
        def run(q: BenchQuery) -> object:
            store.forget_query_scores()
            return call(q)
        return run

    calls = {
        "hybrid": cold(lambda q: pipeline.run(q.text, q.vector, q.filters)),
        "hybrid2": cold(lambda q: hybrid2(store, q)),
        "bm25": cold(lambda q: store.bm25_retrieval(q.text, top_k=TOP_K)),
        "dense": cold(lambda q: store.embedding_retrieval(q.vector or [], top_k=TOP_K)),
        "bm25_filtered": cold(lambda q: store.bm25_retrieval(q.text, filters=q.filters, top_k=TOP_K)),
        "dense_filtered": cold(lambda q: store.embedding_retrieval(q.vector or [], filters=q.filters, top_k=TOP_K)),
    }
    result: dict[str, float] = {"passages": store.count_documents(), "queries": len(queries), "reopen_s": round(reopen, 3)}
    result.update(time_calls(calls, queries))
    exact = EmbeddedDocumentStore(index, quantized=False, save_snapshots=False)
    result["dense_recall_at_10"] = dense_recall(store, exact, queries[:50])
    result.update(snapshot_update(store))
    return result


def snapshot_update(store: EmbeddedDocumentStore) -> dict[str, float]:
    """One document written again (its own passages, so the index keeps its size: what a
    re-ingest does), then the time until a query has the new generation's snapshot."""
    doc = store.list_documents()[len(store.list_documents()) // 2]
    passages = store.document_passages(doc["doc_id"], with_embeddings=True)
    meta = {k: v for k, v in doc.items() if k not in ("passages", "provisions", "updated_at")}
    store.replace_document(doc["doc_id"], passages, meta, store.document_text(doc["doc_id"]))
    started = time.perf_counter()
    store.warm()  # from 200k passages the update runs in the background: wait for it to answer
    store.wait_for_refresh()
    elapsed = time.perf_counter() - started
    store.wait_for_snapshot()
    return {"snapshot_update_s": round(elapsed, 3), "snapshot_update_passages": len(passages)}


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
