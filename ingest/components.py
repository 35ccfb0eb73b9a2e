"""The stages of ingest as Haystack components: read → structure → chunk → (embed) → write.

Each stage passes on what succeeded and reports, per file, what failed, so one bad file
never stops the others and nothing already indexed is touched by a failure.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from haystack import Document, component
from tqdm.auto import tqdm

from ingest.chunking import TokenOffsets, window_spans
from ingest.readers import read_source
from ingest.structure import split_provisions
from laborlex_core.embedding.embedder import token_offsets
from laborlex_core.schema import DocumentMeta, IngestError, IngestFailure, Passage, Provision, SourceText
from laborlex_core.settings import Settings
from laborlex_core.store.base import SearchBackend

log = logging.getLogger("laborlex.ingest")


@dataclass(slots=True)
class Structured:
    """A document's text with its provisions, between the splitter and the chunker."""

    source: SourceText
    provisions: list[Provision]


@component
class SourceReader:
    """Reads each file into text (PDF pages in parallel), reporting unreadable files."""

    def __init__(self, settings: Settings, progress: bool = False) -> None:
        self.settings = settings
        self.progress = progress

    @component.output_types(texts=list[SourceText], failures=list[IngestFailure])
    def run(self, sources: list[tuple[Path, DocumentMeta]]) -> dict[str, Any]:
        texts: list[SourceText] = []
        failures: list[IngestFailure] = []
        for path, meta in tqdm(sources, desc="reading", unit="file", disable=not self.progress, leave=False):
            try:
                texts.append(read_source(path, meta, self.settings, progress=self.progress))
            except IngestError as error:
                failures.append(IngestFailure(str(path), error.reason, meta.doc_id))
                log.warning("cannot read %s: %s", path, error.reason)
        return {"texts": texts, "failures": failures}


@component
class ProvisionSplitter:
    """Splits each text into provisions (articles, sections, ruling paragraphs)."""

    @component.output_types(structured=list[Structured], failures=list[IngestFailure])
    def run(self, texts: list[SourceText]) -> dict[str, Any]:
        structured: list[Structured] = []
        failures: list[IngestFailure] = []
        for source in texts:
            try:
                structured.append(Structured(source, split_provisions(source)))
            except IngestError as error:
                failures.append(IngestFailure(source.meta.source, error.reason, source.meta.doc_id))
        return {"structured": structured, "failures": failures}


@component
class PassageChunker:
    """Turns provisions into passage Documents that fit the model's window."""

    def __init__(self, settings: Settings, offsets: TokenOffsets | None = None) -> None:
        self.settings = settings
        self._offsets = offsets

    def warm_up(self) -> None:
        if self._offsets is None:
            self._offsets = token_offsets(self.settings)

    @component.output_types(documents=list[Document], doc_metas=dict[str, dict], doc_texts=dict[str, str])
    def run(self, structured: list[Structured]) -> dict[str, Any]:
        self.warm_up()
        assert self._offsets is not None
        documents: list[Document] = []
        doc_metas: dict[str, dict] = {}
        doc_texts: dict[str, str] = {}
        for item in structured:
            meta = item.source.meta
            doc_metas[meta.doc_id] = meta.to_dict()
            doc_texts[meta.doc_id] = item.source.text
            for provision in item.provisions:
                spans = window_spans(
                    provision.text,
                    self._offsets,
                    self.settings.passage_max_tokens,
                    self.settings.passage_overlap_tokens,
                )
                for chunk, (a, b) in enumerate(spans):
                    start = provision.start + a
                    end = provision.start + b
                    ocr = item.source.ocr_confidence(start, end) if item.source.ocr_spans else None
                    passage = Passage(
                        passage_id=Passage.make_id(meta.doc_id, provision.ordinal, chunk),
                        doc=meta,
                        article=provision.article,
                        unit=provision.unit,
                        heading_path=provision.heading_path,
                        text=provision.text[a:b].strip(),
                        start=start,
                        end=end,
                        ordinal=provision.ordinal,
                        chunk=chunk,
                        chunks=len(spans),
                        page=item.source.page_at(start) if len(spans) > 1 else provision.page,
                        page_end=item.source.page_at(max(start, end - 1)) if len(spans) > 1 else provision.page_end,
                        ocr_confidence=None if ocr is None else round(ocr, 1),
                    )
                    documents.append(passage.to_haystack())
        return {"documents": documents, "doc_metas": doc_metas, "doc_texts": doc_texts}


@component
class DocumentReplacer:
    """Writes each document's passages in place of its old ones, one transaction per document."""

    def __init__(self, document_store: SearchBackend, progress: bool = False) -> None:
        self.document_store = document_store
        self.progress = progress

    @component.output_types(written=dict[str, int], failures=list[IngestFailure])
    def run(
        self, documents: list[Document], doc_metas: dict[str, dict], doc_texts: dict[str, str] | None = None
    ) -> dict[str, Any]:
        by_doc: dict[str, list[Document]] = defaultdict(list)
        for document in documents:
            by_doc[document.meta["doc_id"]].append(document)
        written: dict[str, int] = {}
        failures: list[IngestFailure] = []
        for doc_id, meta in tqdm(doc_metas.items(), desc="writing", unit="doc", disable=not self.progress, leave=False):
            passages = by_doc.get(doc_id, [])
            if not passages:
                failures.append(IngestFailure(meta.get("source", doc_id), "no passages to index", doc_id))
                continue
            try:
                written[doc_id] = self.document_store.replace_document(
                    doc_id, passages, meta, text=(doc_texts or {}).get(doc_id)
                )
            except Exception as error:  # a store failure is reported per document; others still go in
                failures.append(IngestFailure(meta.get("source", doc_id), f"could not write to the index: {error}", doc_id))
        return {"written": written, "failures": failures}
