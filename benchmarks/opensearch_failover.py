"""Three OpenSearch nodes on loopback, one killed with SIGKILL during a search loop, then restarted.

    python -m benchmarks.opensearch_failover --source /path/to/index.sqlite3 [--port 9600]

What it shows: with one replica per shard, searches keep being answered while a node dies
(the client knows all three nodes; the cluster promotes replicas), and after the node comes
back the cluster returns to green with every passage present. Reported: requests answered
and failed, the longest gap between two answered requests, how long until green again, and
whether the passage ids after the drill equal the ids before.

The cluster comes from ``scripts/opensearch-local.sh start --nodes 3`` (Maven Central
artifacts); the passages are copied from an embedded index (vectors included), so no model
runs during the drill except the query embeddings computed up front.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from laborlex_core.settings import Settings
from laborlex_core.store import opensearch_admin
from laborlex_core.store.embedded import EmbeddedDocumentStore
from laborlex_core.store.opensearch import OpenSearchBackend
from laborlex_core.store.opensearch_copy import copy_store

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "opensearch-local.sh"
QUERIES = ("jornada máxima de trabajo", "forced or compulsory labour", "indemnización por despido", "შრომის ხელშეკრულება", "overtime pay")


@dataclass(slots=True)
class LoopRecord:
    answered: int = 0
    failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    answered_at: list[float] = field(default_factory=list)
    failed_at: list[float] = field(default_factory=list)


def _script(*args: str, port: int, nodes: int = 3, check: bool = True) -> str:
    run = subprocess.run(
        ["bash", str(SCRIPT), *args, "--port", str(port), "--nodes", str(nodes)],
        capture_output=True, text=True, check=False,
    )
    if check and run.returncode:
        raise RuntimeError(f"opensearch-local.sh {' '.join(args)} failed: {run.stderr[-2000:]}")
    return run.stdout.strip()


def search_loop(store: OpenSearchBackend, vectors: list[list[float]], stop: threading.Event, record: LoopRecord) -> None:
    """BM25 and k-NN searches back to back until ``stop``; every outcome timestamped."""
    turn = 0
    while not stop.is_set():
        query = QUERIES[turn % len(QUERIES)]
        try:
            if turn % 2:
                found = store.embedding_retrieval(vectors[turn % len(vectors)], top_k=10)
            else:
                found = store.bm25_retrieval(query, top_k=10)
            if not found:
                raise RuntimeError("no hits")
            record.answered += 1
            record.answered_at.append(time.monotonic())
        except Exception as error:  # noqa: BLE001 - counted, the loop goes on
            record.failed += 1
            record.failed_at.append(time.monotonic())
            name = type(error).__name__
            record.errors[name] = record.errors.get(name, 0) + 1
        turn += 1


def longest_gap(times: list[float], start: float, end: float) -> tuple[float, float]:
    """(longest time without an answered request, when that gap began)."""
    points = [start, *sorted(times), end]
    return max((b - a, a) for a, b in zip(points, points[1:]))


def wait_green(store: OpenSearchBackend, timeout: float) -> float:
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        try:
            if store.client.cluster.health().get("status") == "green":
                return time.monotonic() - began
        except Exception:  # noqa: BLE001 - a node is down or starting
            pass
        time.sleep(1)
    raise TimeoutError(f"not green within {timeout}s")


def run(source: Path, port: int, victim: int, before_s: float, down_s: float, after_s: float, keep: bool) -> dict[str, Any]:
    started = time.monotonic()
    _script("start", port=port)
    start_s = time.monotonic() - started
    urls = ",".join(f"http://127.0.0.1:{port + i}" for i in range(3))
    settings = Settings(
        backend="opensearch",
        opensearch_url=urls,
        opensearch_password=None,
        opensearch_index=f"laborlex-failover-{uuid.uuid4().hex[:6]}",
        opensearch_shards=3,
        opensearch_replicas=1,
        opensearch_timeout_s=5.0,
        opensearch_max_retries=1,  # count failures as the application would see them
    )
    store = OpenSearchBackend(settings)
    # set-up and copy with patient settings; the loop below with the strict ones
    admin = OpenSearchBackend(settings.model_copy(update={"opensearch_max_retries": 5, "opensearch_timeout_s": 120.0}))
    opensearch_admin.setup(admin.client, admin.settings, search_pipeline=False)
    embedded = EmbeddedDocumentStore(source)
    copied = copy_store(embedded, admin, 384)
    if copied.failures:
        raise RuntimeError(f"copy failed: {copied.failures}")
    admin.refresh()
    wait_green(admin, 300)
    ids_before = {d.id for d in admin.filter_documents()}
    # query vectors: passages' own vectors (no model needed in the loop)
    vectors = [d.embedding for d in embedded.document_passages(embedded.list_documents()[0]["doc_id"], with_embeddings=True)[:5]]

    record = LoopRecord()
    stop = threading.Event()
    loop = threading.Thread(target=search_loop, args=(store, vectors, stop, record), daemon=True)
    loop_start = time.monotonic()
    loop.start()
    time.sleep(before_s)
    pid = int(_script("pid", "--node", str(victim), port=port))
    killed_at = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    time.sleep(down_s)
    restarted_at = time.monotonic()
    _script("start", port=port)  # starts only the dead node, waits for yellow
    green_s = wait_green(admin, 600)
    time.sleep(after_s)
    stop.set()
    loop.join(timeout=30)
    loop_end = time.monotonic()
    ids_after = {d.id for d in admin.filter_documents()}
    gap, gap_began = longest_gap(record.answered_at, loop_start, loop_end)
    health = admin.client.cluster.health()
    result = {
        "nodes": 3,
        "shards": settings.opensearch_shards,
        "replicas": settings.opensearch_replicas,
        "passages": len(ids_before),
        "cluster_start_s": round(start_s, 1),
        "loop_s": round(loop_end - loop_start, 1),
        "killed_node": victim,
        "down_s": round(restarted_at - killed_at, 1),
        "answered": record.answered,
        "failed": record.failed,
        "errors": record.errors,
        "failed_while_down": sum(1 for t in record.failed_at if killed_at <= t),
        "longest_gap_s": round(gap, 2),
        "longest_gap_began_s_after_kill": round(gap_began - killed_at, 2),
        "restart_s_after_kill": round(restarted_at - killed_at, 1),
        "green_after_restart_s": round(green_s, 1),
        "status_after": health.get("status"),
        "nodes_after": health.get("number_of_nodes"),
        "passages_missing_after": len(ids_before - ids_after),
        "passages_after": len(ids_after),
    }
    for index in opensearch_admin.alias_targets(admin.client, settings.opensearch_index):
        admin.client.indices.delete(index=index)
    admin.client.indices.delete(index=admin.docs_index, ignore_unavailable=True)
    if not keep:
        _script("stop", port=port, check=False)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="an embedded index.sqlite3 to copy into the cluster")
    parser.add_argument("--port", type=int, default=9600, help="HTTP port of node 0 (nodes use port..port+2)")
    parser.add_argument("--victim", type=int, default=1, help="which node to kill (0-2)")
    parser.add_argument("--before", type=float, default=10.0, help="seconds of searching before the kill")
    parser.add_argument("--down", type=float, default=20.0, help="seconds the node stays dead")
    parser.add_argument("--after", type=float, default=10.0, help="seconds of searching after green")
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    parser.add_argument("--json", type=Path, help="write the result here too")
    args = parser.parse_args(argv)
    result = run(args.source, args.port, args.victim, args.before, args.down, args.after, args.keep)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0 if result["passages_missing_after"] == 0 and result["status_after"] == "green" else 1


if __name__ == "__main__":
    sys.exit(main())
