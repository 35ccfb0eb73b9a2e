"""``laborlex bench``: ingest the real corpus, build 10k/30k/100k indexes from it, time queries.

``--sizes 10000,100000,1000000`` adds a million-passage index; ``--source-index`` scales an
existing index instead of ingesting (the ingest figures are then absent).

Everything that is compared is measured in the same run on the same machine (absolute
times move with the machine and its load; ratios taken together are what to compare).
The load average is recorded at the start and end so a contended run can be recognised.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.queries import embed_queries, load_queries, save_queries
from laborlex_core.settings import Settings

FULL_SIZES = (10_000, 30_000, 100_000)
QUICK_SIZES = (10_000,)
QUICK_DOCUMENTS = 6  # the smallest files of the manifest, for the --quick ingest


@dataclass(slots=True)
class BenchOptions:
    corpus: Path
    qrels: Path
    quick: bool = False
    sizes: tuple[int, ...] = FULL_SIZES
    queries: int = 200
    inmemory_queries: int = 40
    api_queries: int = 100
    workdir: Path | None = None
    keep: bool = False
    skip_api: bool = False
    skip_inmemory: bool = False
    # Haystack's in-memory store held 3.6 GB at 100k passages: larger sizes would not fit 24 GB
    inmemory_max_passages: int = 100_000
    skip_runtimes: bool = False
    runtime_passages: int = 256  # corpus passages embedded by each runtime
    runtime_queries: int = 100  # queries embedded one at a time by each runtime
    source_index: Path | None = None  # an existing index to scale from instead of ingesting the corpus
    concurrency: int = 10  # clients of the concurrency leg (at the largest size up to 100k)
    concurrency_seconds: float = 60.0
    # API worker processes of a second API leg at the concurrency size (0: one per core; 1: no second leg)
    api_workers: int = 0
    backends: tuple[str, ...] = ("embedded",)  # "opensearch" adds the live node's leg beside the embedded store
    opensearch_url: str | None = None  # the node for the opensearch leg (default: $OPENSEARCH_URL)
    opensearch_sizes: tuple[int, ...] | None = None  # sizes copied to OpenSearch (default: all up to 100k)
    extra: dict[str, Any] = field(default_factory=dict)


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import numpy
    import torch

    try:
        import openvino

        openvino_version = openvino.get_version()
    except ImportError:
        openvino_version = None
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "numpy": numpy.__version__,
            "torch": torch.__version__, "openvino": openvino_version, "loadavg_start": os.getloadavg()[0]}


def corpus_slice(corpus: Path, workdir: Path, count: int) -> Path:
    """A manifest of small documents for a quick ingest: the smallest of each jurisdiction
    and language first (so filters and languages are all represented), up to ``count``."""
    manifest = corpus / "manifest.json" if corpus.is_dir() else corpus
    base = manifest.parent
    entries = json.loads(manifest.read_text("utf-8"))
    entries.sort(key=lambda e: (base / e["file"]).stat().st_size if (base / e["file"]).exists() else 1 << 60)
    chosen: list[dict[str, Any]] = []
    for key in ("jurisdiction", "language"):
        for entry in entries:
            if entry.get(key) not in {c.get(key) for c in chosen} and entry not in chosen and len(chosen) < count:
                chosen.append(entry)
    chosen += [e for e in entries if e not in chosen][: max(0, count - len(chosen))]
    chosen = [{**e, "file": str((base / e["file"]).resolve())} for e in chosen]
    path = workdir / "slice-manifest.json"
    path.write_text(json.dumps(chosen, ensure_ascii=False), "utf-8")
    return path


def _worker(module: str, args: list[str], out: Path) -> dict[str, Any]:
    env = {**os.environ, "LABORLEX_LOG_LEVEL": os.environ.get("LABORLEX_LOG_LEVEL", "warning")}
    subprocess.run([sys.executable, "-m", module, *args, "--out", str(out)], check=True, env=env)
    return json.loads(out.read_text("utf-8"))


def _opensearch_sizes(options: BenchOptions, folders: dict[int, Path]) -> tuple[int, ...]:
    if options.opensearch_sizes is not None:
        return options.opensearch_sizes
    return tuple(n for n in folders if n <= 100_000)


def _opensearch_leg(options: BenchOptions, folder: Path, size: int, queries_path: Path, queries: list, settings: Settings,
                    workdir: Path) -> dict[str, Any]:
    """The scaled index copied to the live node and timed there: store level in a fresh
    process, then the API served on the OpenSearch backend; the index is deleted after."""
    from benchmarks.api import measure_api
    from benchmarks.opensearch_worker import opensearch_settings
    from laborlex_core.store.opensearch import make_client

    url = options.opensearch_url or os.environ.get("OPENSEARCH_URL")
    if not url:
        raise ValueError("the opensearch leg needs a node: --opensearch-url or OPENSEARCH_URL")
    name = f"laborlex-bench-{size}"
    log(f"{size:,}: OpenSearch at {url} (index {name})")
    row = _worker("benchmarks.opensearch_worker", ["--index", str(folder / "index.sqlite3"), "--queries", str(queries_path),
                  "--url", url, "--name", name, "--keep"], workdir / f"opensearch-{size}.json")
    try:
        if not options.skip_api:
            api = measure_api(folder, queries[: options.api_queries], settings, 0, 0.0, env_overrides={
                "LABORLEX_BACKEND": "opensearch", "LABORLEX_OPENSEARCH_URL": url, "LABORLEX_OPENSEARCH_INDEX": name})
            row.update({f"opensearch_{k}": v for k, v in api.items()})
    finally:
        make_client(opensearch_settings(url, name)).indices.delete(index=f"{name}*", ignore_unavailable=True)
    return row


def run_bench(options: BenchOptions, settings: Settings) -> dict[str, Any]:
    from benchmarks import host_speed
    from benchmarks.api import measure_api
    from benchmarks.ingest_stages import measure_ingest
    from benchmarks.scale import build_scaled_indexes, read_source
    from laborlex_core.store.embedded import EmbeddedDocumentStore

    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="laborlex-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"machine": machine(), "quick": options.quick, "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    result["host_speed"] = {"start": host_speed.measure()}  # and again at the end: see benchmarks/host_speed.py
    log(host_speed.lines(result["host_speed"]))
    try:
        # 1. ingest the real corpus (a slice for --quick); it is also the source of the scaled indexes
        source_settings = settings.model_copy(update={"data_dir": workdir / "source", "model_dir": settings.resolved_model_dir})
        if options.source_index is not None:
            from benchmarks.scale import copy_index

            log(f"scaling from {options.source_index} (ingest not measured)")
            copy_index(options.source_index, source_settings.store_path)
            result["ingest"] = None
        else:
            corpus = corpus_slice(options.corpus, workdir, QUICK_DOCUMENTS) if options.quick else options.corpus
            log(f"ingesting {corpus} (embedding runtime {settings.embed_runtime}, {settings.embed_dtype})")
            result["ingest"] = measure_ingest(corpus, source_settings)
            log(report.ingest_lines(result["ingest"]))

        # 2. queries: the judgments and variants, embedded once here
        source = EmbeddedDocumentStore(source_settings.store_path)
        doc_metas = {d["doc_id"]: d for d in source.list_documents()}
        drawn = load_queries(options.qrels, doc_metas, options.queries)

        # 2b. the embedding runtime against the previous one, on the corpus's own passages
        if not options.skip_runtimes:
            from benchmarks.runtimes import corpus_embedding_texts, measure_runtimes

            log("embedding runtimes: default against the previous one")
            result["embedding"] = measure_runtimes(
                source_settings,
                corpus_embedding_texts(source),
                [q.text for q in drawn][: min(options.runtime_queries, 10) if options.quick else options.runtime_queries],
                sample=min(options.runtime_passages, 32) if options.quick else options.runtime_passages,
            )
            log(report.embedding_lines(result["embedding"]))
        queries = embed_queries(drawn, source_settings)
        queries_path = workdir / "queries.json"
        save_queries(queries, queries_path)
        log(f"{len(queries)} queries")

        # 3. scaled indexes, each timed in fresh processes
        log(f"building indexes of {', '.join(f'{n:,}' for n in options.sizes)} passages")
        folders = build_scaled_indexes(read_source(source), list(options.sizes), workdir / "scaled")
        result["query"] = {}
        concurrency_size = max([n for n in folders if n <= 100_000] or [min(folders)])
        for size, folder in folders.items():
            index = folder / "index.sqlite3"
            log(f"{size:,}: embedded store")
            row = _worker("benchmarks.store_worker", ["--index", str(index), "--queries", str(queries_path)], workdir / f"store-{size}.json")
            built = folder / "snapshot-build.json"
            if built.exists():
                row.update(json.loads(built.read_text("utf-8")))
            if not options.skip_inmemory and size <= options.inmemory_max_passages:
                log(f"{size:,}: haystack InMemoryDocumentStore ({options.inmemory_queries} queries)")
                memory = _worker("benchmarks.inmemory_worker", ["--index", str(index), "--queries", str(queries_path),
                                 "--limit", str(options.inmemory_queries)], workdir / f"inmemory-{size}.json")
                row.update({f"inmemory_{k}": v for k, v in memory.items()})
                # the same two-list hybrid on both stores (the in-memory store has no term table or branches)
                row["speedup_vs_inmemory"] = round(memory["hybrid_p50_ms"] / row["hybrid2_p50_ms"], 1)
            if "opensearch" in options.backends and size in _opensearch_sizes(options, folders):
                row.update(_opensearch_leg(options, folder, size, queries_path, queries, source_settings, workdir))
            if not options.skip_api:
                clients = options.concurrency if size == concurrency_size else 0
                log(f"{size:,}: API over HTTP ({options.api_queries} queries" + (
                    f"; then {clients} clients for {options.concurrency_seconds:.0f} s)" if clients else ")"))
                row.update(measure_api(folder, queries[: options.api_queries], source_settings, clients, options.concurrency_seconds))
                workers = options.api_workers or os.cpu_count() or 1
                if clients and workers > 1:
                    log(f"{size:,}: API with {workers} worker processes (the same legs)")
                    leg = measure_api(folder, queries[: options.api_queries], source_settings, clients, options.concurrency_seconds, workers=workers)
                    row["workers"] = workers
                    row.update({f"workers_{key}": value for key, value in leg.items()})
            result["query"][str(size)] = row
            log(json.dumps(row))
        result["scaling_exponent"] = report.loglog_slope({int(n): r["hybrid_p50_ms"] for n, r in result["query"].items()})
        result["scaling_exponents"] = {
            key: report.loglog_slope({int(n): r.get(f"{key}_p50_ms") for n, r in result["query"].items()})
            for key in ("hybrid", "hybrid2", "bm25", "dense", "api", "api_noembed", "inmemory_hybrid",
                        "opensearch_hybrid", "opensearch_api_noembed")
        }
        result["machine"]["loadavg_end"] = os.getloadavg()[0]
        result["host_speed"]["end"] = host_speed.measure()
        return result
    finally:
        if not options.keep and options.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
