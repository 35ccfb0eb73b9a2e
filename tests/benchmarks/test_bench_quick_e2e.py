"""``laborlex bench --quick`` run as a user runs it: the JSON has the documented shape.

Timings are not asserted (they depend on the machine and its load); only that every figure
the issue asks for is there and is a number.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import DEV_QRELS, MANIFEST_PATH
from tests.e2e.conftest import run_cli

pytestmark = pytest.mark.usefixtures("private_vector_cache")

QUERY_KEYS = (
    "hybrid_p50_ms", "hybrid_p95_ms", "hybrid2_p50_ms", "bm25_p50_ms", "dense_p50_ms", "api_p50_ms", "api_p95_ms",
    "api_noembed_p50_ms", "api_noembed_p95_ms", "concurrent_p95_ms", "concurrent_p95_vs_single", "concurrent_errors",
    "inmemory_hybrid_p50_ms", "speedup_vs_inmemory", "peak_rss_mb", "reopen_s", "snapshot_build_s",
)


@pytest.mark.slow
def test_bench_quick_writes_the_documented_json(tmp_path: Path) -> None:
    if not MANIFEST_PATH.exists():
        pytest.skip("real corpus not found")
    out = tmp_path / "bench.json"
    result = run_cli(
        tmp_path / "data", "bench", "--quick", "--json", str(out),
        "--corpus", str(MANIFEST_PATH.parent), "--qrels", str(DEV_QRELS), timeout=1200,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(out.read_text("utf-8"))
    ingest = data["ingest"]
    for key in ("seconds", "passages", "passages_per_s", "stages"):
        assert key in ingest
    assert ingest["passages"] > 0 and {"read_parse", "structure", "embed", "write"} <= set(ingest["stages"])
    assert ingest["embedded"] == ingest["passages"]  # a fresh index: every passage through the model
    assert ingest["reingest_unchanged_documents"] == ingest["documents"] and ingest["reingest_vector_cache_embedded"] == 0
    assert isinstance(ingest["reingest_unchanged_s"], float) and isinstance(ingest["reingest_vector_cache_s"], float)
    embedding = data["embedding"]["runtimes"]
    assert [r["runtime"] for r in embedding.values()] == ["openvino", "torch"]  # the default beside the previous one
    for row in embedding.values():
        for key in ("passages_per_s", "query_p50_ms", "query_p95_ms"):
            assert isinstance(row[key], (int, float)) and row[key] > 0, key
        assert row["cosine_to_previous_min"] > 0.999
    for moment in ("start", "end"):  # how fast the machine was, to read the run beside others
        speed = data["host_speed"][moment]
        assert speed["int8_rows"] == 100_000 and speed["int8_quantized"] is True
        assert speed["int8_pass_ms"] > 0 and speed["python_ms"] > 0
    assert "host speed at the start: int8 pass over 100,000 rows" in result.stdout
    assert list(data["query"]) == ["10000"]
    row = data["query"]["10000"]
    for key in QUERY_KEYS:
        assert isinstance(row[key], (int, float)), key
    assert row["passages"] == 10000
    assert row["dense_recall_at_10"] == 1.0  # the int8 first pass never changes the top-10
    assert row["concurrent_errors"] == 0 and row["concurrent_requests"] > 0
    assert row["concurrent_connections_per_process"] == [10]  # one process holds the ten clients' connections
    assert row["api_pss_mb"] > 0 and row["api_peak_rss_mb"] > 0
    if row.get("workers", 1) > 1:  # one worker per core: the same legs against that many processes
        for key in ("workers_api_p95_ms", "workers_concurrent_p95_ms", "workers_concurrent_p95_vs_single", "workers_api_pss_mb"):
            assert isinstance(row[key], (int, float)), key
        assert sum(row["workers_concurrent_connections_per_process"]) == 10  # split among the workers
        assert row["workers_concurrent_errors"] == 0 and row["workers_concurrent_requests"] > 0
    assert "scaling_exponent" in data
    assert out.with_suffix(".png").stat().st_size > 0
