"""The indexing pipeline, assembled in one place, and the ingest run that drives it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from haystack import Pipeline

from ingest.citations import CitationExtractor
from ingest.components import DocumentReplacer, PassageChunker, ProvisionSplitter, SourceReader
from ingest.history import AmendmentExtractor
from ingest.readers import discover
from ingest.unchanged import IngestLedger, fingerprint
from laborlex_core.embedding.embedder import PassageEmbedder
from laborlex_core.embedding.sentence_embedder import SentenceEmbedder
from laborlex_core.schema import DocumentMeta, IngestError, IngestFailure
from laborlex_core.settings import Settings
from laborlex_core.store.base import SearchBackend

log = logging.getLogger("laborlex.ingest")

# Files per pipeline run. One: each document is read, embedded (its vectors committed to the
# vector cache), written in its own transaction and recorded in the ledger before the next
# starts, so a killed ingest loses at most the document in flight and a re-run skips the rest
# (issue 17). It also bounds memory (texts, passages, vectors) to one document's worth.
FILES_PER_BATCH = 1


def build_indexing_pipeline(settings: Settings, store: SearchBackend, progress: bool = False) -> Pipeline:
    """read → split into provisions → chunk into passages → amendment history → extract citations → embed
    → embed snippet sentences → replace in the store."""
    pipeline = Pipeline()
    pipeline.add_component("reader", SourceReader(settings, progress=progress))
    pipeline.add_component("splitter", ProvisionSplitter())
    pipeline.add_component("chunker", PassageChunker(settings))
    pipeline.add_component("amendments", AmendmentExtractor())
    pipeline.add_component("citations", CitationExtractor())
    pipeline.add_component("embedder", PassageEmbedder(settings, progress=progress))
    pipeline.add_component("sentences", SentenceEmbedder(settings))
    pipeline.add_component("writer", DocumentReplacer(store, progress=progress))
    pipeline.connect("reader.texts", "splitter.texts")
    pipeline.connect("splitter.structured", "chunker.structured")
    pipeline.connect("chunker.documents", "amendments.documents")
    pipeline.connect("chunker.doc_texts", "amendments.doc_texts")
    pipeline.connect("amendments.documents", "citations.documents")
    pipeline.connect("citations.documents", "embedder.documents")
    pipeline.connect("embedder.documents", "sentences.documents")
    pipeline.connect("sentences.documents", "writer.documents")
    pipeline.connect("chunker.doc_metas", "writer.doc_metas")
    pipeline.connect("chunker.doc_texts", "writer.doc_texts")
    return pipeline


@dataclass(slots=True)
class IngestReport:
    """What an ingest did: per-document passage counts, what reading took, failures, and how long.

    ``written`` also lists the documents found unchanged (with their stored counts), so a
    caller sees every document of the corpus; ``unchanged`` names those, which were neither
    read nor embedded again. ``embedded`` counts the passages the model embedded; the others
    came from the vector cache.
    """

    written: dict[str, int] = field(default_factory=dict)
    provisions: dict[str, int] = field(default_factory=dict)
    failures: list[IngestFailure] = field(default_factory=list)
    seconds: float = 0.0
    unchanged: list[str] = field(default_factory=list)
    embedded: int = 0
    # Snippet sentences of the passages written, and how many of them the model embedded.
    sentences: int = 0
    sentences_embedded: int = 0
    # What reading each document took (format, OCR'd pages, legacy font), by doc id; see readers.summary.
    read_notes: dict[str, dict] = field(default_factory=dict)

    @property
    def passages(self) -> int:
        return sum(self.written.values())

    @property
    def passages_per_second(self) -> float:
        """Passages read and written per second; documents found unchanged do not count."""
        done = self.passages - sum(self.written.get(doc_id, 0) for doc_id in self.unchanged)
        return done / self.seconds if self.seconds else 0.0


def ingest_sources(
    sources: list[tuple[Path, DocumentMeta]],
    settings: Settings,
    store: SearchBackend,
    progress: bool = False,
    on_batch: Callable[[IngestReport], None] | None = None,
    skip_unchanged: bool = True,
) -> IngestReport:
    """Run the indexing pipeline over files, a batch at a time.

    With ``skip_unchanged`` (and the vector cache on), a document whose file, metadata,
    settings and ingest code are those its stored version was built from is not read again.
    """
    report = IngestReport()
    started = time.perf_counter()
    ledger = IngestLedger(settings.ingest_ledger_path) if settings.vector_cache and skip_unchanged else None
    prints: dict[str, str] = {}
    todo: list[tuple[Path, DocumentMeta]] = []
    for path, meta in sources:
        if ledger is None:
            todo.append((path, meta))
            continue
        try:
            prints[meta.doc_id] = fingerprint(path, meta, settings)
        except OSError:  # unreadable: the reader reports it
            todo.append((path, meta))
            continue
        stored = store.get_document(meta.doc_id)
        if ledger.is_current(meta.doc_id, prints[meta.doc_id], stored):
            assert stored is not None
            report.unchanged.append(meta.doc_id)
            report.written[meta.doc_id] = int(stored.get("passages") or 0)
            report.provisions[meta.doc_id] = int(stored.get("provisions") or 0)
        else:
            todo.append((path, meta))
    if report.unchanged:
        log.info("%d document(s) unchanged since they were indexed: not read again", len(report.unchanged))
    pipeline = build_indexing_pipeline(settings, store, progress=progress) if todo else None
    for first in range(0, len(todo), FILES_PER_BATCH):
        assert pipeline is not None
        batch = todo[first : first + FILES_PER_BATCH]
        result = pipeline.run(
            {"reader": {"sources": batch}},
            include_outputs_from={"reader", "splitter", "writer"},
        )
        for stage in ("reader", "splitter", "writer"):
            report.failures.extend(result.get(stage, {}).get("failures", []))
        report.written.update(result["writer"]["written"])
        for item in result.get("splitter", {}).get("structured", []):
            report.provisions[item.source.meta.doc_id] = len(item.provisions)
            report.read_notes[item.source.meta.doc_id] = dict(item.source.notes)
        if ledger is not None:
            for _path, meta in batch:
                if meta.doc_id in result["writer"]["written"]:
                    ledger.record(meta.doc_id, prints[meta.doc_id], store.get_document(meta.doc_id))
        if on_batch:
            on_batch(report)
    if pipeline is not None:
        report.embedded = pipeline.get_component("embedder").counts["embedded"]
        sentence_counts = pipeline.get_component("sentences").counts
        report.sentences, report.sentences_embedded = sentence_counts["sentences"], sentence_counts["embedded"]
    if ledger is not None:
        ledger.close()
    report.seconds = time.perf_counter() - started
    return report


def ingest_path(
    path: Path, settings: Settings, store: SearchBackend, progress: bool = False, skip_unchanged: bool = True
) -> IngestReport:
    """Ingest a folder, a manifest or a single file; manifest problems are reported, not fatal."""
    started = time.perf_counter()
    try:
        sources, failures = discover(path, settings)
    except IngestError as error:  # a missing path or a malformed manifest: nothing to ingest
        return IngestReport(failures=[IngestFailure(error.path, error.reason)], seconds=time.perf_counter() - started)
    report = ingest_sources(sources, settings, store, progress=progress, skip_unchanged=skip_unchanged)
    report.failures[:0] = failures
    report.seconds = time.perf_counter() - started
    return report
