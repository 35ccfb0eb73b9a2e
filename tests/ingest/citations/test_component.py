"""The CitationExtractor as a pipeline stage: passages in, passages with citations out."""

from __future__ import annotations

from haystack import Document

from ingest.citations import CitationExtractor
from ingest.pipeline import build_indexing_pipeline
from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore

SENTENCE = "De acuerdo con el artículo 784, fracción VIII, de la Ley Federal del Trabajo, la carga de la prueba"


def _passage(chunk: int, start: int, end: int, content: str) -> Document:
    meta = {"doc_id": "mx-scjn-ejecutoria-ct-201-2005-ss-es", "article": "3", "language": "es", "jurisdiction": "MX",
            "kind": "case_law", "ordinal": 3, "chunk": chunk, "start": start, "end": end}
    return Document(id=f"p{chunk}", content=content, meta=meta)


def test_passages_leave_with_their_citations_once_per_provision() -> None:
    # Two overlapping windows of one provision: the citation lies in the overlap.
    first = _passage(0, 0, len(SENTENCE), SENTENCE)
    second = _passage(1, 10, 10 + len(SENTENCE) - 10, SENTENCE[10:])
    result = CitationExtractor().run([first, second])
    cited = [d.meta["citations"] for d in result["documents"]]
    assert [c["target_article"] for c in cited[0]] == ["784"]
    assert cited[1] == []  # already counted in the first window
    assert result["counts"] == {"mx-scjn-ejecutoria-ct-201-2005-ss-es": 1}
    assert result["documents"][0].content == SENTENCE


def test_serializes_and_sits_between_amendments_and_embedder(tmp_path) -> None:
    assert isinstance(CitationExtractor.from_dict(CitationExtractor().to_dict()), CitationExtractor)
    pipeline = build_indexing_pipeline(Settings(data_dir=tmp_path), EmbeddedDocumentStore(tmp_path / "i.sqlite3"))
    edges = {(a, b) for a, b, _ in pipeline.graph.edges(data=True)}
    # the amendment notes leave the text first, so citations are read from the law itself
    assert ("amendments", "citations") in edges and ("citations", "embedder") in edges
