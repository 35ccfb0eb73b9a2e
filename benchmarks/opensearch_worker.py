"""The OpenSearch leg of ``laborlex bench``: one scaled index copied to a live node, timed.

Run in a fresh process per index (``python -m benchmarks.opensearch_worker``), like the
embedded store's worker: the scaled SQLite index is copied into an OpenSearch index of its
own (``<prefix>-<passages>``, vectors included, no re-embedding: ``opensearch_copy``), then
the same queries go through the same full default hybrid pipeline with their vectors
supplied (every ranked list is a request to the node), and BM25 + dense under the filter
(two lists) for the shape the embedded store is also timed on. The index is deleted at the
end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from benchmarks.full_pipeline import FullPipeline
from benchmarks.queries import BenchQuery, read_queries
from benchmarks.stats import time_calls
from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from laborlex_core.store.opensearch import OpenSearchBackend, make_client
from laborlex_core.store.opensearch_admin import bulk_loading, force_merge, setup
from laborlex_core.store.opensearch_copy import copy_store
from search_api.fusion import reciprocal_rank_fusion

TOP_K = 100
WARMUP = 5


def opensearch_settings(url: str, index: str) -> Settings:
    return Settings(backend="opensearch", opensearch_url=url, opensearch_index=index)


def load(index: Path, settings: Settings) -> dict[str, Any]:
    """Set up the OpenSearch index and copy the scaled index into it: (seconds, passages)."""
    client = make_client(settings)
    started = time.perf_counter()
    setup(client, settings, search_pipeline=False)
    backend = OpenSearchBackend(settings, client=client)
    with bulk_loading(client, settings.opensearch_index):
        report = copy_store(EmbeddedDocumentStore(index), backend)
    copied = time.perf_counter()
    if report.failures:
        raise RuntimeError(f"copy to OpenSearch failed for {len(report.failures)} documents: {list(report.failures.items())[:3]}")
    force_merge(client, settings.opensearch_index)
    return {
        "opensearch_load_s": round(time.perf_counter() - started, 1),  # setup + copy + refresh + force-merge
        "opensearch_copy_s": round(copied - started, 1),  # setup + bulk writes + one refresh
        "opensearch_merge_s": round(time.perf_counter() - copied, 1),  # force-merge to one segment (one HNSW graph)
        "opensearch_passages": report.passages,
    }


def measure(settings: Settings, queries: list[BenchQuery]) -> dict[str, Any]:
    backend = OpenSearchBackend(settings)
    pipeline = FullPipeline(settings.model_copy(update={"opensearch_hybrid": "client"}), backend)

    def hybrid2(q: BenchQuery) -> list:
        lists = {
            "bm25": backend.bm25_retrieval(q.text, filters=q.filters, top_k=TOP_K),
            "dense": backend.embedding_retrieval(q.vector or [], filters=q.filters, top_k=TOP_K),
        }
        return reciprocal_rank_fusion(lists)

    for query in queries[:WARMUP]:
        pipeline.run(query.text, query.vector, query.filters)
        hybrid2(query)
    timed = time_calls({"hybrid": lambda q: pipeline.run(q.text, q.vector, q.filters), "hybrid2": hybrid2}, queries)
    return {f"opensearch_{k}": v for k, v in timed.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", type=Path, required=True, help="the scaled index.sqlite3 to copy")
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--url", required=True, help="the node, e.g. http://127.0.0.1:9200")
    parser.add_argument("--name", required=True, help="the OpenSearch index alias to create")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    settings = opensearch_settings(args.url, args.name)
    result = load(args.index, settings)
    try:
        result.update(measure(settings, read_queries(args.queries)))
    finally:
        if not args.keep:
            client = make_client(settings)
            client.indices.delete(index=f"{args.name}*", ignore_unavailable=True)
    args.out.write_text(json.dumps(result), "utf-8")


if __name__ == "__main__":
    main()
