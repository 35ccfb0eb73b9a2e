"""The HTTP leg: ``laborlex serve`` started in a subprocess on a free port, /search timed over HTTP.

End-to-end as a client sees it: HTTP, validation, query embedding (each query text is new,
so the per-process vector cache never answers), BM25 + dense + fusion (twice when a filter
is set: facets are counted without it), collapse to provisions, snippets.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.queries import BenchQuery
from benchmarks.stats import ms, process_peak_rss_mb
from laborlex.processes import wait_for_http
from laborlex_core.settings import Settings

WARMUP_QUERIES = ("warm up", "calentamiento de la consulta", "გახურება")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure_api(data_dir: Path, queries: list[BenchQuery], settings: Settings) -> dict[str, Any]:
    """p50/p95 of GET /search (hybrid, the query's filter, limit 10) and the server's peak RSS."""
    port = free_port()
    env = {**os.environ, "LABORLEX_DATA_DIR": str(data_dir), "LABORLEX_MODEL_DIR": str(settings.resolved_model_dir),
           "LABORLEX_BACKEND": "embedded", "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "laborlex.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_for_http(f"{base}/health", proc, timeout=300, interval=0.3):
            raise RuntimeError(f"laborlex serve did not answer {base}/health (exit code {proc.poll()})")
        startup = time.perf_counter() - started
        timings: list[float] = []
        with httpx.Client(base_url=base, timeout=120) as client:
            for text in WARMUP_QUERIES:
                client.get("/search", params={"q": text}).raise_for_status()
            for query in queries:
                start = time.perf_counter()
                response = client.get("/search", params={"q": query.text, "limit": 10, **query.facets})
                timings.append(time.perf_counter() - start)
                response.raise_for_status()
        p50, p95 = ms(timings)
        return {"api_p50_ms": p50, "api_p95_ms": p95, "api_queries": len(timings),
                "api_startup_s": round(startup, 2), "api_peak_rss_mb": process_peak_rss_mb(proc.pid)}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
