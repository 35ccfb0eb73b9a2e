"""The reliability benchmark (issue 17): load, ingest, crashes and hostile input, with figures.

``laborlex bench --reliability`` (or ``python -m benchmarks.reliability``) copies an index (the
whole corpus by default) into a work folder, starts ``laborlex serve`` on it as a process on
loopback, and runs, in order:

1. closed-loop load: 1, 10 and 50 clients for N seconds each, modes rotating, with the server's
   memory sampled every second throughout (memory over time);
2. open-loop Poisson arrivals at half the peak rate measured in step 1, latency counted from
   each request's scheduled time (so a queue shows);
3. the hostile-query set, each timed;
4. searches from 8 clients while the whole corpus is re-ingested by ``laborlex ingest`` (a
   real re-read and re-write: the ingest ledger is cleared, vectors come from the cache), then
   the same queries' results compared with those before;
5. kill -9 of an ingest into an empty index at three points (30, 60, 90 % of the documents
   written), each followed by the index checks (integrity, no half document, counts, a search)
   and a search for orphaned PDF workers; each resume is timed and says what it skipped.

It prints a table and writes every figure as JSON. Loopback only; nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from laborlex_core.processes import wait_for_http
from laborlex_core.settings import Settings

MODES = ("hybrid", "bm25", "dense")
HOSTILE_QUERIES: tuple[tuple[str, dict[str, Any]], ...] = tuple(
    [("/search", {"q": q}) for q in (
        "qwerty uiop", "zxcvbnm asdfghjkl", '"""', '"despido injustificado', "AND OR NOT", "NOT NOT NOT trabajo",
        "(((( ))))", "*:*", "title:foo OR 1=1", "NEAR(a b)", "a" * 1000, "ა" * 1000, " ".join(["de"] * 300),
        " ".join(f"w{i}" for i in range(300)), "art. 1 art. 2 art. 3 art. 4 art. 5 art. 6 art. 7 art. 8 § 207 მუხლი 27",
        "\u202e\u200b\ufeff trabajo", "🙂" * 200, "%00 \x00", "Convenio 29 Convenio 87 Convenio 98 Convenio 100 C182",
        "' OR ''='", "<script>alert(1)</script>",
    )]
    + [("/search", {"q": "trabajo", "limit": 100, "offset": 1_000_000}), ("/search", {"q": "qwerty uiop", "limit": 100, "mode": "dense"}),
       ("/search", {"q": "trabajo", "cites": "mx-lft-es:47"}), ("/search", {"q": "x", "date_from": "1000", "date_to": "9999"})]
    + [("/compare", {"q": q, "limit": 20}) for q in ("qwerty uiop", "asdf jklö", "0", "a" * 1000, "horas extra")]
)


@dataclass(slots=True)
class Sample:
    started: float
    seconds: float
    status: int
    mode: str


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def summarize(samples: list[Sample], seconds: float) -> dict[str, Any]:
    ok = [s.seconds * 1000 for s in samples if s.status == 200]
    out: dict[str, Any] = {
        "requests": len(samples),
        "rps": round(len(samples) / seconds, 2) if seconds else None,
        "errors_5xx": sum(1 for s in samples if s.status >= 500 and s.status != 503),
        "shed_503": sum(1 for s in samples if s.status == 503),
        "failed_connections": sum(1 for s in samples if s.status == 0),
        "p50_ms": percentile(ok, 50), "p95_ms": percentile(ok, 95), "p99_ms": percentile(ok, 99),
        "max_ms": max(ok) if ok else None,
    }
    per_mode = {}
    for mode in MODES:
        values = [s.seconds * 1000 for s in samples if s.status == 200 and s.mode == mode]
        if values:
            p50, p99 = percentile(values, 50), percentile(values, 99)
            per_mode[mode] = {"p50_ms": p50, "p99_ms": p99, "p99_over_p50": round(p99 / p50, 2) if p50 else None}
    out["per_mode"] = per_mode
    return {k: (round(v, 1) if isinstance(v, float) else v) for k, v in out.items()}


class Server:
    """``laborlex serve`` on a data folder, as a process; its memory read from /proc."""

    def __init__(self, data_dir: Path, port: int, env: dict[str, str], log: Path, workers: int = 1) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.log = log
        with log.open("ab") as out:  # a file, not a pipe nobody reads (a full pipe would stall the server)
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "laborlex.cli", "serve", "--port", str(port), "--workers", str(workers)],
                env={**env, "LABORLEX_DATA_DIR": str(data_dir)}, stdout=out, stderr=subprocess.STDOUT,
            )
        if not wait_for_http(f"{self.url}/health", self.proc, timeout=600):
            self.stop()
            raise RuntimeError("laborlex serve did not come up")

    def processes(self) -> list[int]:
        """The server process and its descendants (uvicorn workers, when there are several)."""
        found, frontier = [self.proc.pid], [self.proc.pid]
        while frontier:
            pid = frontier.pop()
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            found += [int(c) for c in children]
            frontier += [int(c) for c in children]
        return found

    def rss_mb(self) -> float | None:
        """Proportional set size summed over the server's processes: pages the workers share
        (libraries, the memory-mapped snapshot) count once, so N workers are not N x RSS."""
        total, seen = 0.0, False
        for pid in self.processes():
            try:
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) / 1024
                        seen = True
            except OSError:
                continue
        return total if seen else None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class MemorySampler(threading.Thread):
    def __init__(self, server: Server, started: float) -> None:
        super().__init__(daemon=True)
        self.server, self.started, self.samples = server, started, []  # type: ignore[var-annotated]
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(1.0):
            rss = self.server.rss_mb()
            if rss is not None:
                self.samples.append((round(time.monotonic() - self.started, 1), round(rss, 1)))


def load_queries(qrels: Path) -> list[str]:
    return [json.loads(line)["query"] for line in qrels.read_text("utf-8").splitlines() if line.strip()]


def one_request(client: httpx.Client, url: str, query: str, mode: str, scheduled: float | None = None) -> Sample:
    started = scheduled if scheduled is not None else time.perf_counter()
    try:
        status = client.get(f"{url}/search", params={"q": query, "mode": mode}, timeout=120).status_code
    except httpx.HTTPError:
        status = 0
    return Sample(started, time.perf_counter() - started, status, mode)


def closed_loop(url: str, queries: list[str], clients: int, seconds: float, seed: int) -> list[Sample]:
    """``clients`` threads, each sending its next request as soon as the last one answers."""
    samples: list[Sample] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client_loop(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        with httpx.Client() as client:
            while time.perf_counter() < stop_at:
                sample = one_request(client, url, rng.choice(queries), MODES[rng.randrange(3)])
                with lock:
                    samples.append(sample)

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def open_loop(url: str, queries: list[str], rate: float, seconds: float, seed: int) -> list[Sample]:
    """Poisson arrivals at ``rate``/s; each request's time counts from its scheduled arrival."""
    rng = random.Random(seed)
    arrivals, t = [], 0.0
    while True:
        t += rng.expovariate(rate)
        if t >= seconds:
            break
        arrivals.append(t)
    start = time.perf_counter()
    local = threading.local()

    def fire(offset: float) -> Sample:
        scheduled = start + offset
        delay = scheduled - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        if not hasattr(local, "client"):
            local.client = httpx.Client()
        return one_request(local.client, url, rng.choice(queries), MODES[int(offset * 1000) % 3], scheduled)

    with ThreadPoolExecutor(max_workers=128) as pool:
        return list(pool.map(fire, arrivals))


def hostile(url: str) -> list[dict[str, Any]]:
    out = []
    with httpx.Client() as client:
        for path, params in HOSTILE_QUERIES:
            started = time.perf_counter()
            try:
                status = client.get(f"{url}{path}", params=params, timeout=120).status_code
            except httpx.HTTPError:
                status = 0
            label = {k: (v[:40] + f"...({len(v)} chars)" if isinstance(v, str) and len(v) > 40 else v) for k, v in params.items()}
            out.append({"path": path, "params": label, "status": status, "ms": round((time.perf_counter() - started) * 1000, 1)})
    return out


def top_results(url: str, queries: list[str]) -> list[list[str]]:
    with httpx.Client() as client:
        return [
            [f"{r['doc_id']}:{r['article']}" for r in client.get(f"{url}/search", params={"q": q, "limit": 10}, timeout=120).json()["results"]]
            for q in queries
        ]


def index_checks(data_dir: Path) -> dict[str, Any]:
    """Integrity, no half document (each document's passage count is what its row says), counts."""
    conn = sqlite3.connect(f"file:{data_dir / 'index.sqlite3'}?mode=ro", uri=True)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        declared = dict(conn.execute("SELECT doc_id, passages FROM documents").fetchall())
        actual = dict(conn.execute("SELECT doc_id, COUNT(*) FROM passages GROUP BY doc_id").fetchall())
    finally:
        conn.close()
    half = sorted(d for d in set(declared) | set(actual) if declared.get(d) != actual.get(d))
    return {"integrity": integrity, "documents": len(declared), "passages": sum(actual.values()), "half_documents": half}


def orphan_workers(killed_pid: int) -> list[int]:
    """PDF worker processes still alive that the killed ingest started."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if b"pdf_pages.py" not in (proc / "cmdline").read_bytes():
                continue
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"LABORLEX_PDF_PARENT={killed_pid}".encode() in environ:
            found.append(int(proc.name))
    return found


def ingest_command(corpus: Path) -> list[str]:
    return [sys.executable, "-m", "laborlex.cli", "ingest", str(corpus)]


def forget_ledger(data_dir: Path) -> None:
    """Clear the ingest ledger (ingest/unchanged.py), so every document is read again."""
    with sqlite3.connect(data_dir / "vectors.sqlite3") as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS ingested (doc_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, passages INTEGER NOT NULL, updated_at TEXT)")
        conn.execute("DELETE FROM ingested")


def documents_written(data_dir: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{data_dir / 'index.sqlite3'}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def kill_points(corpus: Path, source: Path, work: Path, env: dict[str, str], total_docs: int) -> list[dict[str, Any]]:
    """kill -9 an ingest into an empty index at 30/60/90 % of the documents, check, resume."""
    data_dir = work / "crash"
    data_dir.mkdir(parents=True)
    if (source / "vectors.sqlite3").exists():  # the vector cache, so embedding is not the whole story
        shutil.copy2(source / "vectors.sqlite3", data_dir / "vectors.sqlite3")
        forget_ledger(data_dir)
    run_env = {**env, "LABORLEX_DATA_DIR": str(data_dir)}
    legs = []
    for share in (0.3, 0.6, 0.9):
        target = max(1, int(total_docs * share))
        started = time.perf_counter()
        proc = subprocess.Popen(ingest_command(corpus), env=run_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while proc.poll() is None and documents_written(data_dir) < target:
            time.sleep(0.2)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        time.sleep(0.5)
        leg = {"kill_at": f"{int(share * 100)}%", "seconds_to_kill": round(time.perf_counter() - started, 1),
               "killed": proc.returncode == -signal.SIGKILL, "orphan_workers": orphan_workers(proc.pid)}
        leg.update(index_checks(data_dir))
        legs.append(leg)
    started = time.perf_counter()
    done = subprocess.run(ingest_command(corpus), env=run_env, capture_output=True, text=True)
    final = {"kill_at": "resume to the end", "seconds": round(time.perf_counter() - started, 1), "exit": done.returncode}
    final.update(index_checks(data_dir))
    summary = [line for line in done.stdout.splitlines() if "unchanged documents kept" in line]
    final["summary"] = summary[-1] if summary else done.stderr[-300:]
    legs.append(final)
    return legs


EXIT_GRACE_S = 60.0


def ingest_finished(log: Path, start: int) -> bool:
    """Whether ``laborlex ingest`` has printed its summary (every document committed)."""
    try:
        with log.open("rb") as handle:
            handle.seek(start)
            return b"unchanged documents kept" in handle.read()
    except OSError:
        return False


def during_ingest(url: str, queries: list[str], corpus: Path, data_dir: Path, env: dict[str, str], log: Path) -> dict[str, Any]:
    """8 clients search while the whole corpus is read and written again."""
    before = top_results(url, queries[:10])
    forget_ledger(data_dir)  # every document is read and written again
    started = time.perf_counter()
    with log.open("ab") as out:  # a file: an unread pipe would stall the ingest once full
        proc = subprocess.Popen(ingest_command(corpus), env={**env, "LABORLEX_DATA_DIR": str(data_dir)},
                                stdout=out, stderr=subprocess.STDOUT)
    samples: list[Sample] = []
    start_of_log = log.stat().st_size if log.exists() else 0
    while proc.poll() is None and not ingest_finished(log, start_of_log):
        samples += closed_loop(url, queries, 8, 5.0, seed=len(samples))
    ingest_seconds = time.perf_counter() - started
    # The work is committed once the summary is printed; the interpreter's exit can take minutes
    # on a loaded machine (a niced process finalizing a large heap), so it is timed, not waited for.
    try:
        proc.wait(timeout=EXIT_GRACE_S)
        exit_seconds: float | None = round(time.perf_counter() - started - ingest_seconds, 1)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        exit_seconds = None
    after = top_results(url, queries[:10])
    summary = summarize(samples, ingest_seconds)
    summary.update({
        "ingest_seconds": round(ingest_seconds, 1), "ingest_exit": proc.returncode,
        "exit_after_summary_s": exit_seconds,  # None: still exiting after EXIT_GRACE_S, killed
        "over_2s": sum(1 for s in samples if s.seconds > 2.0), "results_identical_after": before == after,
    })
    return summary


def run_reliability(
    settings: Settings, corpus: Path, qrels: Path, seconds: float, clients: tuple[int, ...], port: int,
    work: Path, crash: bool = True, ingest_leg: bool = True, logs: Path | None = None, workers: int = 1,
    load: bool = True, memory_seconds: float = 0.0,
) -> dict[str, Any]:
    """Every leg in order; the server's and the ingest's output go to ``logs`` (default: ``work``).
    ``memory_seconds`` adds a closed-loop leg of 10 clients that long, for memory over time."""
    logs = logs or work
    logs.mkdir(parents=True, exist_ok=True)
    source = settings.data_dir
    if not (source / "index.sqlite3").exists():
        raise FileNotFoundError(f"no index at {source}: ingest the corpus first (laborlex ingest {corpus})")
    serve_dir = work / "serve"
    shutil.copytree(source, serve_dir, ignore=shutil.ignore_patterns("models", "uploads", "*.tmp*"))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "LABORLEX_MODEL_DIR": str(settings.resolved_model_dir)}
    env.pop("LABORLEX_API_TOKEN", None)
    queries = load_queries(qrels)
    result: dict[str, Any] = {"seconds_per_leg": seconds, "clients": list(clients), "workers": workers,
                              "cores": os.cpu_count(), "load_average_start": os.getloadavg()}
    server = Server(serve_dir, port, env, logs / "server.log", workers)
    started = time.monotonic()
    sampler = MemorySampler(server, started)
    sampler.start()
    try:
        closed_loop(server.url, queries, 4, min(10.0, seconds), seed=99)  # warm-up
        result["rss_after_warmup_mb"] = server.rss_mb()
        if load:
            legs = {}
            for n in clients:
                t0 = time.perf_counter()
                samples = closed_loop(server.url, queries, n, seconds, seed=n)
                legs[n] = {**summarize(samples, time.perf_counter() - t0), "load_average": round(os.getloadavg()[0], 1)}
                print(f"  {n} clients: {legs[n]}", file=sys.stderr)
            result["closed_loop"] = legs
            peak = max(leg["rps"] or 0 for leg in legs.values())
            rate = max(0.5, peak / 2)
            result["open_loop"] = {"rate_per_s": round(rate, 2), **summarize(open_loop(server.url, queries, rate, seconds, seed=7), seconds)}
            result["open_loop"]["load_average"] = round(os.getloadavg()[0], 1)
            idle_p95 = legs[min(clients)]["p95_ms"]
            result["open_loop"]["p95_over_idle_p95"] = round(result["open_loop"]["p95_ms"] / idle_p95, 2) if idle_p95 and result["open_loop"]["p95_ms"] else None
        if memory_seconds > 0:
            t0 = time.perf_counter()
            samples = closed_loop(server.url, queries, 10, memory_seconds, seed=10_000)
            result["memory_leg"] = {**summarize(samples, time.perf_counter() - t0), "seconds": memory_seconds,
                                    "load_average": round(os.getloadavg()[0], 1)}
        result["rss_after_load_mb"] = server.rss_mb()
        result["hostile"] = hostile(server.url)
        result["hostile_load_average"] = round(os.getloadavg()[0], 1)
        if ingest_leg:
            result["during_ingest"] = during_ingest(server.url, queries, corpus, serve_dir, env, logs / "ingest.log")
            result["during_ingest"]["load_average"] = round(os.getloadavg()[0], 1)
    finally:
        sampler.halt.set()
        server.stop()
    result["memory_mb_over_time"] = sampler.samples
    warm, loaded = result.get("rss_after_warmup_mb"), result.get("rss_after_load_mb")
    if warm and loaded:  # the load legs only: the re-ingest leg loads a new snapshot on purpose
        result["memory_growth_after_warmup"] = round(loaded / warm - 1, 3)
    if crash:
        total = len(json.loads((corpus / "manifest.json").read_text("utf-8"))) if (corpus / "manifest.json").exists() else 40
        result["kill_9"] = kill_points(corpus, source, work, env, total)
    result["load_average_end"] = os.getloadavg()
    return result


def table(result: dict[str, Any]) -> str:
    lines = [f"API workers: {result.get('workers', 1)}, cores: {result.get('cores')}",
             "| leg | load avg | requests | req/s | 5xx | 503 shed | p50 ms | p95 ms | p99 ms | max ms | p99/p50 per mode (hybrid/bm25/dense) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]

    def row(name: str, leg: dict[str, Any]) -> str:
        ratios = "/".join(str(leg["per_mode"].get(m, {}).get("p99_over_p50", "-")) for m in MODES)
        return (f"| {name} | {leg.get('load_average', '-')} | {leg['requests']} | {leg['rps']} | {leg['errors_5xx']} | {leg['shed_503']} | "
                f"{leg['p50_ms']} | {leg['p95_ms']} | {leg['p99_ms']} | {leg['max_ms']} | {ratios} |")

    for n, leg in result.get("closed_loop", {}).items():
        lines.append(row(f"{n} clients, closed loop", leg))
    if "open_loop" in result:
        leg = result["open_loop"]
        lines.append(row(f"Poisson {leg['rate_per_s']}/s (p95 = {leg['p95_over_idle_p95']}x idle)", leg))
    if "memory_leg" in result:
        lines.append(row(f"10 clients for {result['memory_leg']['seconds']:g} s (memory)", result["memory_leg"]))
    if "during_ingest" in result:
        leg = result["during_ingest"]
        lines.append(row(f"8 clients during a re-ingest ({leg['ingest_seconds']} s; {leg['over_2s']} over 2 s; "
                         f"results identical after: {leg['results_identical_after']})", leg))
    lines.append("")
    lines.append(f"memory (server PSS, all its processes): {result.get('rss_after_warmup_mb')} MB after warm-up, "
                 f"{result.get('rss_after_load_mb')} MB after the load legs, growth after warm-up "
                 f"{result.get('memory_growth_after_warmup')}")
    if "hostile" in result:
        hostile_rows = result["hostile"]
        worst = max(hostile_rows, key=lambda r: r["ms"])
        lines.append(f"hostile set: {len(hostile_rows)} requests, 5xx: {sum(1 for r in hostile_rows if r['status'] >= 500)}, "
                     f"over 1 s: {sum(1 for r in hostile_rows if r['ms'] > 1000)}, slowest {worst['ms']} ms ({worst['path']} {worst['params']}), "
                     f"load average {result.get('hostile_load_average')}")
    for leg in result.get("kill_9", []):
        lines.append(f"kill -9 {leg['kill_at']}: " + ", ".join(f"{k}={v}" for k, v in leg.items() if k != "kill_at"))
    lines.append(f"load average: start {result.get('load_average_start')}, end {result.get('load_average_end')}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--qrels", type=Path, default=Path("../shared/eval/dev.jsonl"))
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each load leg")
    parser.add_argument("--clients", default="1,10,50")
    parser.add_argument("--port", type=int, default=8640)
    parser.add_argument("--json", type=Path, default=Path("reliability.json"))
    parser.add_argument("--no-crash", action="store_true", help="skip the kill -9 legs")
    parser.add_argument("--no-ingest", action="store_true", help="skip the search-during-ingest leg")
    parser.add_argument("--logs", type=Path, default=None, help="folder for server.log and ingest.log (default: beside --json)")
    parser.add_argument("--workers", type=int, default=1, help="API processes (laborlex serve --workers)")
    parser.add_argument("--no-load", action="store_true", help="skip the closed- and open-loop legs")
    parser.add_argument("--memory-seconds", type=float, default=0.0, help="add a 10-client leg this long (memory over time)")
    args = parser.parse_args(argv)
    logs = args.logs or args.json.parent / (args.json.stem + "-logs")
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="laborlex-reliability-") as work:
        result = run_reliability(settings, args.corpus, args.qrels, args.seconds,
                                 tuple(int(n) for n in args.clients.split(",")), args.port, Path(work),
                                 crash=not args.no_crash, ingest_leg=not args.no_ingest, logs=logs,
                                 workers=args.workers, load=not args.no_load, memory_seconds=args.memory_seconds)
    print(table(result))
    args.json.write_text(json.dumps(result, indent=2, default=str), "utf-8")
    print(f"wrote {args.json}; server and ingest output in {logs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
