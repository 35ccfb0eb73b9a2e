"""The API process's memory under the bench's load: peak RSS, PSS, and what holds it.

``python -m benchmarks.api_memory --data-dir <index> --queries <queries.json>`` serves the index
with ``laborlex serve`` (as the bench's API leg does), sends the queries once from one client,
then from ``--clients`` clients for ``--seconds``, and prints one JSON object: VmHWM (the peak
the bench reports as ``api_peak_rss_mb``) and RSS after start-up, after the single client and at
the end; PSS and its anonymous and file parts; the largest mappings by resident size (from
``/proc/<pid>/smaps``); throughput and latency. Linux only (it reads ``/proc``). For an A/B,
run it alternately with ``--code`` naming each checkout, over the same index: the machine's
speed drifts, so compare runs made minutes apart, never runs far apart in time.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from benchmarks.api import WARMUP_QUERIES, _search, concurrent_clients, served
from benchmarks.queries import read_queries
from benchmarks.stats import ms, proc_kb
from laborlex_core.memory import MAP_HEADER
from laborlex_core.settings import Settings

_SITE_PACKAGES = re.compile(r".*/site-packages/")


def status_mb(pid: int) -> dict[str, int]:
    """VmHWM, VmRSS, RssAnon and RssFile of a process, in MB, and its thread count."""
    found = proc_kb(f"/proc/{pid}/status", {"VmHWM", "VmRSS", "RssAnon", "RssFile", "Threads"})
    return {key: number if key == "Threads" else number // 1024 for key, number in found.items()}


def rollup_mb(pid: int) -> dict[str, int]:
    """Rss, Pss and its anonymous and file parts (``smaps_rollup``), in MB."""
    found = proc_kb(f"/proc/{pid}/smaps_rollup", {"Rss", "Pss", "Pss_Anon", "Pss_File", "Anonymous"})
    return {key: number // 1024 for key, number in found.items()}


def resident_by_mapping(smaps: str, top: int = 12) -> list[tuple[str, int]]:
    """The ``top`` mappings by resident MB, summed per name (a file, ``[heap]``, or ``[anon]``
    for anonymous maps), from the text of a ``/proc/<pid>/smaps``."""
    totals: Counter[str] = Counter()
    name = "[anon]"
    for line in smaps.splitlines():
        if MAP_HEADER.match(line):
            parts = line.split(maxsplit=5)
            name = _SITE_PACKAGES.sub("", parts[5]) if len(parts) == 6 else "[anon]"
        elif line.startswith("Rss:"):
            totals[name] += int(line.split()[1])
    return [(mapping, kb // 1024) for mapping, kb in totals.most_common(top)]


def measure(data_dir: Path, queries_path: Path, clients: int, seconds: float, port: int | None = None,
            code: Path | None = None) -> dict[str, Any]:
    queries = read_queries(queries_path)
    with served(data_dir, Settings(), port=port, code=code) as (base, proc, startup):
        result: dict[str, Any] = {"startup_s": round(startup, 1), "after_start": status_mb(proc.pid)}
        with httpx.Client(base_url=base, timeout=120) as client:
            for text in WARMUP_QUERIES:
                client.get("/search", params={"q": text}).raise_for_status()
            timings = [_search(client, query)[0] for query in queries]
        p50, p95 = ms(timings)
        result.update(single_p50_ms=p50, single_p95_ms=p95, after_single=status_mb(proc.pid))
        if clients > 0 and seconds > 0:
            load = concurrent_clients(base, queries, clients, seconds, single_p95_ms=p95)
            result.update({k: v for k, v in load.items() if k != "concurrent_error_samples"})
        result["end"] = status_mb(proc.pid)
        result["rollup"] = rollup_mb(proc.pid)
        result["mappings_mb"] = resident_by_mapping(Path(f"/proc/{proc.pid}/smaps").read_text("utf-8", "replace"))
        return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="the index folder to serve (LABORLEX_DATA_DIR)")
    parser.add_argument("--queries", type=Path, required=True, help="the bench's queries.json")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--port", type=int, default=None, help="default: a free one")
    parser.add_argument("--code", type=Path, default=None, help="serve this checkout's code (A/B); default: this one's")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.data_dir, args.queries, args.clients, args.seconds, args.port, args.code)))


if __name__ == "__main__":
    main()
