"""The HTTP legs: ``laborlex serve`` started in a subprocess on a free port, /search timed over HTTP.

End-to-end as a client sees it: HTTP, validation, query embedding (each query text is new,
so the per-process vector cache never answers), the full hybrid pipeline, totals and facets,
snippets. The server says in its ``Server-Timing`` header how long the query embedding took,
so latency is reported with and without it.

The concurrency leg runs N clients (threads, one HTTP connection each) for a fixed time
against the same server and reports errors, throughput and p50/p95 beside one client's.
A server of several worker processes (``LABORLEX_API_WORKERS``) is measured the same way:
one process is bound by the GIL to about one core of Python work, whatever its threads.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from benchmarks.queries import BenchQuery
from benchmarks.stats import connections_per_process, ms, tree_peak_rss_mb, tree_pss_mb
from laborlex_core.processes import wait_for_http
from laborlex_core.settings import Settings

WARMUP_QUERIES = ("warm up", "calentamiento de la consulta", "გახურება")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(data_dir: Path, settings: Settings, env_overrides: dict[str, str] | None = None,
           port: int | None = None, code: Path | None = None) -> Iterator[tuple[str, subprocess.Popen, float]]:
    """``laborlex serve`` over ``data_dir``: (base URL, process, seconds until /health answered).
    ``env_overrides`` (e.g. ``LABORLEX_BACKEND=opensearch`` and its URL and index) win; the
    port is a free one unless given; ``code``, another checkout whose code to serve (an A/B)."""
    port = port or free_port()
    env = {**os.environ, "LABORLEX_DATA_DIR": str(data_dir), "LABORLEX_MODEL_DIR": str(settings.resolved_model_dir),
           "LABORLEX_BACKEND": "embedded", "HF_HUB_OFFLINE": "1", **(env_overrides or {})}
    if code is not None:
        env["PYTHONPATH"] = str(code.resolve())
    command = [sys.executable, "-m", "laborlex.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_for_http(f"{base}/health", proc, timeout=600, interval=0.3):
            raise RuntimeError(f"laborlex serve did not answer {base}/health (exit code {proc.poll()})")
        yield base, proc, time.perf_counter() - started
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def embed_ms(response: httpx.Response) -> float:
    """The query embedding's share of the request, from the server's ``Server-Timing``."""
    for part in response.headers.get("server-timing", "").split(","):
        name, _, duration = part.strip().partition(";dur=")
        if name == "embed" and duration:
            return float(duration)
    return 0.0


def _search(client: httpx.Client, query: BenchQuery) -> tuple[float, float]:
    """(seconds of the request, seconds of it spent embedding the query)."""
    start = time.perf_counter()
    response = client.get("/search", params={"q": query.text, "limit": 10, **query.facets})
    elapsed = time.perf_counter() - start
    response.raise_for_status()
    return elapsed, embed_ms(response) / 1000.0


def measure_api(data_dir: Path, queries: list[BenchQuery], settings: Settings, concurrency: int = 10,
                concurrency_seconds: float = 60.0, env_overrides: dict[str, str] | None = None,
                workers: int = 1) -> dict[str, Any]:
    """Single client: p50/p95 of GET /search (hybrid, the query's filter, limit 10), with and
    without the query embedding; then ``concurrency`` clients for ``concurrency_seconds``;
    the server runs ``workers`` processes. Memory: the largest process's peak RSS, and the
    proportional set size of all of them after the legs."""
    overrides = {**(env_overrides or {}), "LABORLEX_API_WORKERS": str(workers)}
    with served(data_dir, settings, overrides) as (base, proc, startup):
        timings: list[float] = []
        without: list[float] = []
        with httpx.Client(base_url=base, timeout=120) as client:
            for text in WARMUP_QUERIES:
                client.get("/search", params={"q": text}).raise_for_status()
            for query in queries:
                elapsed, embedding = _search(client, query)
                timings.append(elapsed)
                without.append(max(0.0, elapsed - embedding))
        p50, p95 = ms(timings)
        n50, n95 = ms(without)
        result: dict[str, Any] = {"api_p50_ms": p50, "api_p95_ms": p95, "api_noembed_p50_ms": n50, "api_noembed_p95_ms": n95,
                                  "api_queries": len(timings), "api_startup_s": round(startup, 2)}
        if concurrency > 1 and concurrency_seconds > 0:
            result.update(concurrent_clients(base, queries, concurrency, concurrency_seconds, single_p95_ms=p95, server_pid=proc.pid))
        result["api_peak_rss_mb"] = tree_peak_rss_mb(proc.pid)
        result["api_pss_mb"] = tree_pss_mb(proc.pid)
        return result


def concurrent_clients(base: str, queries: list[BenchQuery], clients: int, seconds: float, single_p95_ms: float,
                       server_pid: int | None = None) -> dict[str, Any]:
    """``clients`` threads each sending the queries in turn (each from its own offset) until
    ``seconds`` pass; every non-2xx answer or transport failure counts as an error. With
    ``server_pid``, how the clients' connections are split among its processes, read halfway."""
    deadline = time.perf_counter() + seconds
    split: list[int] = []

    def read_split() -> None:
        time.sleep(seconds / 2)
        split.extend(connections_per_process(server_pid, int(base.rsplit(":", 1)[1])))  # type: ignore[arg-type]
    timings: list[list[float]] = [[] for _ in range(clients)]
    errors: list[list[str]] = [[] for _ in range(clients)]

    def client_loop(index: int) -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            i = index * 7
            while time.perf_counter() < deadline:
                query = queries[i % len(queries)]
                i += 1
                try:
                    timings[index].append(_search(client, query)[0])
                except (httpx.HTTPError, ValueError) as error:
                    errors[index].append(f"{type(error).__name__}: {error}"[:200])

    threads = [threading.Thread(target=client_loop, args=(i,), daemon=True) for i in range(clients)]
    if server_pid is not None:
        threads.append(threading.Thread(target=read_split, daemon=True))
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    flat = [t for per_client in timings for t in per_client]
    p50, p95 = ms(flat)
    all_errors = [e for per_client in errors for e in per_client]
    return {
        "concurrent_clients": clients,
        "concurrent_seconds": round(elapsed, 1),
        "concurrent_requests": len(flat),
        "concurrent_errors": len(all_errors),
        "concurrent_error_samples": all_errors[:3],
        "concurrent_rps": round(len(flat) / elapsed, 2) if elapsed else None,
        "concurrent_p50_ms": p50,
        "concurrent_p95_ms": p95,
        "concurrent_p95_vs_single": round(p95 / single_p95_ms, 2) if single_p95_ms else None,
        "concurrent_connections_per_process": split or None,
    }
