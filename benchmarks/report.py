"""The benchmark's outputs: the scaling exponent, the printed table, the JSON and the PNG."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

TABLE_FIELDS: tuple[tuple[str, str], ...] = (
    ("hybrid_p50_ms", "full hybrid+filter p50 (every list)"),
    ("hybrid_p95_ms", "full hybrid+filter p95"),
    ("hybrid2_p50_ms", "BM25+dense+filter p50 (2 lists)"),
    ("bm25_p50_ms", "BM25 p50"),
    ("dense_p50_ms", "dense p50"),
    ("dense_recall_at_10", "dense recall@10 vs exact"),
    ("api_p50_ms", "API p50"),
    ("api_p95_ms", "API p95"),
    ("api_noembed_p50_ms", "API p50 w/o query embedding"),
    ("api_noembed_p95_ms", "API p95 w/o query embedding"),
    ("concurrent_p95_ms", "API p95, 10 clients"),
    ("concurrent_p95_vs_single", "10-client p95 / 1-client p95"),
    ("concurrent_errors", "errors, 10 clients"),
    ("concurrent_rps", "requests/s, 10 clients"),
    ("workers", "API worker processes (second API leg)"),
    ("workers_api_p95_ms", "API p95, one worker per core"),
    ("workers_concurrent_p95_ms", "API p95, 10 clients, one worker per core"),
    ("workers_concurrent_p95_vs_single", "10-client p95 / 1-client p95, one worker per core"),
    ("workers_concurrent_rps", "requests/s, 10 clients, one worker per core"),
    ("workers_concurrent_errors", "errors, 10 clients, one worker per core"),
    ("inmemory_hybrid_p50_ms", "in-memory BM25+dense p50"),
    ("speedup_vs_inmemory", "speed-up vs in-memory (2 lists)"),
    ("peak_rss_mb", "peak RSS MB (store)"),
    ("api_peak_rss_mb", "peak RSS MB (API)"),
    ("api_pss_mb", "PSS MB (API, after the legs)"),
    ("workers_api_pss_mb", "PSS MB (API, all worker processes)"),
    ("reopen_s", "reopen s"),
    ("snapshot_build_s", "snapshot build s (from SQLite)"),
    ("snapshot_update_s", "snapshot update s (one document rewritten)"),
    ("opensearch_load_s", "OpenSearch: copy into the node s"),
    ("opensearch_copy_s", "OpenSearch: of which bulk writes + refresh s"),
    ("opensearch_merge_s", "OpenSearch: of which force-merge s"),
    ("opensearch_hybrid_p50_ms", "OpenSearch full hybrid+filter p50"),
    ("opensearch_hybrid_p95_ms", "OpenSearch full hybrid+filter p95"),
    ("opensearch_hybrid2_p50_ms", "OpenSearch BM25+dense+filter p50 (2 lists)"),
    ("opensearch_api_p50_ms", "OpenSearch API p50"),
    ("opensearch_api_noembed_p50_ms", "OpenSearch API p50 w/o query embedding"),
)


def loglog_slope(points: dict[int, float]) -> float | None:
    """Least-squares slope of log(p50) against log(passages): 1 = linear, 0 = flat."""
    pairs = [(math.log(n), math.log(v)) for n, v in points.items() if v and v > 0]
    if len(pairs) < 2:
        return None
    mx = sum(x for x, _ in pairs) / len(pairs)
    my = sum(y for _, y in pairs) / len(pairs)
    den = sum((x - mx) ** 2 for x, _ in pairs)
    return round(sum((x - mx) * (y - my) for x, y in pairs) / den, 3) if den else None


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 10 else f"{value:.2f}"
    return str(value)


def markdown_table(result: dict[str, Any]) -> str:
    """The query table as Markdown (sizes as columns), as pasted in the README."""
    sizes = list(result["query"])
    lines = ["| passages | " + " | ".join(f"{int(n):,}" for n in sizes) + " |", "|---" * (len(sizes) + 1) + "|"]
    for key, label in TABLE_FIELDS:
        lines.append(f"| {label} | " + " | ".join(_fmt(result["query"][n].get(key)) for n in sizes) + " |")
    return "\n".join(lines)


def ingest_lines(ingest: dict[str, Any] | None) -> str:
    if not ingest:
        return "ingest: skipped"
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in ingest["stages"].items())
    line = (
        f"ingest: {ingest['documents']} documents, {ingest['passages']} passages in {ingest['seconds']:.1f} s "
        f"({ingest['passages_per_s']:.1f} passages/s; embedding {ingest.get('embed_passages_per_s')} passages/s, "
        f"{ingest.get('embed_runtime', 'torch')} {ingest.get('embed_dtype')}); "
        f"stages: {stages}; cold model load {ingest['cold_model_load_s']:.1f} s (not included)"
    )
    if "reingest_unchanged_s" in ingest:
        line += (
            f"\nre-ingest: unchanged {ingest['reingest_unchanged_s']:.1f} s "
            f"({ingest['reingest_unchanged_documents']} documents skipped); read again with vectors from the cache "
            f"{ingest['reingest_vector_cache_s']:.1f} s ({ingest['reingest_vector_cache_embedded']} passages embedded)"
        )
    return line


def embedding_lines(embedding: dict[str, Any] | None) -> str:
    """The runtimes' comparison (same process, alternating rounds) as a few lines."""
    if not embedding:
        return "embedding runtimes: skipped"
    lines = [f"embedding runtimes ({embedding['passages']} corpus passages, {embedding['queries']} queries, one query at a time):"]
    for label, row in embedding["runtimes"].items():
        lines.append(
            f"  {label:<28} {row['runtime']:<9} {row['precision']:<10} {row['passages_per_s']:>7} passages/s  "
            f"query p50 {row['query_p50_ms']} ms  p95 {row['query_p95_ms']} ms"
        )
    lines.append(f"  speed-up: passages x{embedding.get('passage_speedup')}, query p50 x{embedding.get('query_p50_speedup')}")
    return "\n".join(lines)


def write_json(result: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2), "utf-8")


def write_plot(result: dict[str, Any], path: Path) -> None:
    """Log-log p50 against passages: the embedded store (hybrid, BM25, dense), the API, in-memory."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(int(n) for n in result["query"])
    series = (
        ("hybrid_p50_ms", "embedded store: full hybrid + filter (every list)", "o-"),
        ("hybrid2_p50_ms", "embedded store: BM25 + dense + filter", "o--"),
        ("bm25_p50_ms", "embedded store: BM25", "s--"),
        ("dense_p50_ms", "embedded store: dense", "^--"),
        ("api_p50_ms", "API over HTTP (query embedding included)", "d-"),
        ("api_noembed_p50_ms", "API over HTTP, without the query embedding", "d--"),
        ("inmemory_hybrid_p50_ms", "haystack InMemoryDocumentStore: BM25 + dense + filter", "x-"),
        ("opensearch_hybrid_p50_ms", "OpenSearch node: full hybrid + filter (every list)", "v-"),
    )
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    for key, label, style in series:
        points = [(n, result["query"][str(n)].get(key)) for n in sizes]
        points = [(n, v) for n, v in points if v]
        if points:
            ax.plot([n for n, _ in points], [v for _, v in points], style, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("passages")
    ax.set_ylabel("p50 latency (ms)")
    slope = result.get("scaling_exponent")
    ax.set_title(f"laborlex query latency vs index size (hybrid slope {slope})")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
