"""Ingest of a corpus with seconds per stage, read from Haystack's tracing spans.

The indexing pipeline is timed as it runs in production (``ingest.pipeline.ingest_path``);
a tracer records how long each component's ``run`` took, so no stage is re-implemented
here. The model is loaded (and built if need be) before the clock starts and reported
apart as the cold load. The same corpus is then ingested twice more: as is (unchanged
documents are skipped) and with skipping off (read again, vectors from the vector cache).
"""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from haystack import tracing
from haystack.tracing.tracer import Span, Tracer

from laborlex_core.settings import Settings

# Pipeline component -> reported stage ("structure" covers provisions and passage windows).
STAGES: dict[str, str] = {
    "reader": "read_parse",
    "splitter": "structure",
    "chunker": "structure",
    "embedder": "embed",
    "sentences": "embed_sentences",  # snippet sentences (laborlex_core.embedding.sentence_embedder)
    "writer": "write",
}


class _Span(Span):
    def __init__(self) -> None:
        self.tags: dict[str, Any] = {}

    def set_tag(self, key: str, value: Any) -> None:
        self.tags[key] = value


class StageTimer(Tracer):
    """A Haystack tracer that sums the wall time of each component's runs."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    @contextlib.contextmanager
    def trace(self, operation_name: str, tags: dict[str, Any] | None = None, parent_span: Span | None = None) -> Iterator[Span]:
        span = _Span()
        started = time.perf_counter()
        try:
            yield span
        finally:
            name = (tags or {}).get("haystack.component.name")
            if operation_name == "haystack.component.run" and name:
                self.seconds[name] += time.perf_counter() - started

    def current_span(self) -> Span | None:
        return None


def measure_ingest(corpus: Path, settings: Settings) -> dict[str, Any]:
    """Ingest ``corpus`` into ``settings``' store; seconds, passages and per-stage seconds.

    The vector cache is the index's own, even where a shared one is configured: a first ingest
    is measured as a new user's, with every passage through the model.
    """
    settings = settings.model_copy(update={"vector_cache_file": None})
    from ingest.pipeline import ingest_path
    from laborlex_core.embedding.embedder import load_model
    from laborlex_core.store import open_store

    started = time.perf_counter()
    load_model(settings)
    cold = time.perf_counter() - started
    timer = StageTimer()
    store = open_store(settings)
    tracing.enable_tracing(timer)
    try:
        report = ingest_path(corpus, settings, store, progress=True)
    finally:
        tracing.disable_tracing()
    # Again, as a user re-running the command would: unchanged documents are skipped; then
    # with skipping off, every file is read and chunked again and the vectors come from the cache.
    unchanged = ingest_path(corpus, settings, store)
    cached = ingest_path(corpus, settings, store, skip_unchanged=False)
    stages: dict[str, float] = defaultdict(float)
    for component, seconds in timer.seconds.items():
        stages[STAGES.get(component, component)] += seconds
    return {
        "seconds": round(report.seconds, 2),
        "passages": report.passages,
        "documents": len(report.written),
        "failures": len(report.failures),
        "passages_per_s": round(report.passages_per_second, 2),
        "embed_passages_per_s": round(report.passages / stages["embed"], 2) if stages.get("embed") else None,
        "stages": {k: round(v, 2) for k, v in stages.items()},
        "cold_model_load_s": round(cold, 2),
        "embedded": report.embedded,
        "sentences": report.sentences,
        "sentences_embedded": report.sentences_embedded,
        "sentences_per_passage": round(report.sentences / report.passages, 2) if report.passages else None,
        "reingest_unchanged_s": round(unchanged.seconds, 2),
        "reingest_unchanged_documents": len(unchanged.unchanged),
        "reingest_vector_cache_s": round(cached.seconds, 2),
        "reingest_vector_cache_embedded": cached.embedded,
        "reingest_vector_cache_sentences_embedded": cached.sentences_embedded,
        "embed_runtime": settings.embed_runtime,
        "embed_dtype": settings.embed_dtype,
        "parse_workers": settings.parse_workers,
    }
