"""Small measurement helpers shared by the benchmark modules."""

from __future__ import annotations

import math
import os
import resource
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from laborlex_core.tcp_connections import established_inodes, held_by


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation, as numpy's default does."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB.

    VmHWM first: Linux keeps ru_maxrss across fork and exec, so a worker started by a
    parent holding the model would report the parent's 1.2 GB. ru_maxrss elsewhere
    (KiB on Linux, bytes on macOS).
    """
    own = process_peak_rss_mb(os.getpid())
    if own is not None:
        return own
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def proc_kb(path: str, wanted: set[str]) -> dict[str, int]:
    """The first number of each ``key: value`` line of a /proc file whose key is wanted (kB,
    or a count); empty where the file cannot be read (the process is gone, or not Linux)."""
    out: dict[str, int] = {}
    try:
        with open(path, encoding="ascii") as lines:
            for line in lines:
                key, _, value = line.partition(":")
                if key in wanted:
                    out[key] = int(value.split()[0])
    except OSError:
        return {}
    return out


def process_peak_rss_mb(pid: int) -> float | None:
    """Another process's peak RSS (VmHWM) on Linux; None where /proc is not available."""
    peak = proc_kb(f"/proc/{pid}/status", {"VmHWM"}).get("VmHWM")
    return None if peak is None else peak / 1024


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it (Linux; just ``pid`` where /proc lacks ``children``)."""
    found, waiting = [], [pid]
    while waiting:
        current = waiting.pop()
        found.append(current)
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    waiting.extend(int(child) for child in children.read().split())
            except OSError:
                pass
    return found


def tree_peak_rss_mb(pid: int) -> float | None:
    """The largest peak RSS among ``pid`` and its children: one API process's, whether it
    serves alone or is one of several workers (their shared pages would count twice in a sum)."""
    peaks = [p for p in map(process_peak_rss_mb, process_tree(pid)) if p is not None]
    return max(peaks) if peaks else None


def tree_pss_mb(pid: int) -> float | None:
    """Proportional set size of ``pid`` and its children now: what the processes hold together,
    each shared page (mapped snapshot, libraries, model file) split among those mapping it."""
    found = [proc_kb(f"/proc/{member}/smaps_rollup", {"Pss"}).get("Pss") for member in process_tree(pid)]
    sizes = [kb for kb in found if kb is not None]
    return round(sum(sizes) / 1024, 1) if sizes else None


def connections_per_process(pid: int, port: int) -> list[int]:
    """How many established connections to ``port`` each of ``pid`` and its children holds,
    most first, processes holding none left out (Linux; empty where /proc cannot be read).

    Why: the workers of ``laborlex serve`` share one listening socket, and a kept-alive client
    stays with the worker that accepted its connection, so the split of the bench's ten
    connections between two workers (5/5, 6/4, 8/2 ...) decides the ten-client p95."""
    wanted = established_inodes(port)
    counts = [held for held in (held_by(member, wanted) for member in process_tree(pid)) if held]
    return sorted(counts, reverse=True)


def ms(seconds: Sequence[float]) -> tuple[float, float]:
    """p50 and p95 of durations given in seconds, in milliseconds."""
    values = [s * 1000.0 for s in seconds]
    return round(percentile(values, 50), 3), round(percentile(values, 95), 3)


def time_calls(calls: dict[str, Callable[[Any], object]], queries: Sequence[Any]) -> dict[str, float]:
    """Run each call on each query (interleaved, so load drifts hit all alike); p50/p95 in ms
    per call name, and the process's peak memory."""
    timings: dict[str, list[float]] = {name: [] for name in calls}
    for query in queries:
        for name, call in calls.items():
            start = time.perf_counter()
            call(query)
            timings[name].append(time.perf_counter() - start)
    result: dict[str, float] = {}
    for name, values in timings.items():
        result[f"{name}_p50_ms"], result[f"{name}_p95_ms"] = ms(values)
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return result
