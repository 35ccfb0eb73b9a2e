"""The indexing pipeline on real files with the real model and the real store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ingest.pipeline import build_indexing_pipeline, ingest_path
from ingest.readers import read_source
from laborlex_core.schema import Passage
from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from tests.conftest import DOCS_DIR

SLICE = ("ilo-c182-es", "usmca-ch23-en")


@pytest.fixture()
def manifest(tmp_path: Path, manifest_entries: dict[str, dict]) -> Path:
    entries = [{**manifest_entries[i], "file": str(DOCS_DIR / Path(manifest_entries[i]["file"]).name)} for i in SLICE]
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(entries), "utf-8")
    return path


def test_ingest_writes_cited_passages_with_pages_and_offsets(manifest: Path, settings: Settings) -> None:
    store = EmbeddedDocumentStore(settings.store_path)
    report = ingest_path(manifest, settings, store)
    assert report.failures == []
    assert set(report.written) == set(SLICE)
    assert report.passages == store.count_documents() > 20

    passages = [Passage.from_haystack(d) for d in store.document_passages("ilo-c182-es", with_embeddings=True)]
    article3 = [p for p in passages if p.article == "3"]
    assert article3 and article3[0].unit == "article"
    first = article3[0]
    assert first.doc.title.startswith("Convenio sobre las peores formas") and first.doc.jurisdiction == "INTL"
    assert first.page is not None and 1 <= first.page <= 7
    assert first.embedding is not None and len(first.embedding) == 384
    source = read_source(DOCS_DIR / "ilo-c182-es.pdf", first.doc, settings)
    assert store.document_text("ilo-c182-es") == source.text  # kept for reading in context
    for p in passages:
        assert " ".join(p.text.split()) in " ".join(source.text[p.start : p.end].split())
    assert [p.ordinal for p in passages] == sorted(p.ordinal for p in passages)
    assert store.get_document("usmca-ch23-en")["title"] == "USMCA Chapter 23: Labor"


def test_reingest_replaces_and_a_broken_file_keeps_the_old_version(tmp_path: Path, settings: Settings) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(DOCS_DIR / "usmca-ch23-en.txt", folder / "usmca.txt")
    store = EmbeddedDocumentStore(settings.store_path)
    first = ingest_path(folder, settings, store)
    again = ingest_path(folder, settings, store)
    assert first.written == again.written and store.count_documents() == first.passages

    (folder / "usmca.txt").write_text("", "utf-8")
    broken = ingest_path(folder, settings, store)
    assert broken.written == {}
    assert [Path(f.path).name for f in broken.failures] == ["usmca.txt"]
    assert broken.failures[0].reason.startswith("empty file")
    assert store.count_documents() == first.passages


def test_missing_path_and_bad_manifest_are_reported(tmp_path: Path, settings: Settings) -> None:
    store = EmbeddedDocumentStore(settings.store_path)
    missing = ingest_path(tmp_path / "nowhere", settings, store)
    assert missing.failures and "nowhere" in missing.failures[0].path
    bad = tmp_path / "manifest.json"
    bad.write_text("[{\"id\": \"x\"}]", "utf-8")
    report = ingest_path(bad, settings, store)
    assert report.failures and "manifest.json" in report.failures[0].path
    assert store.count_documents() == 0


def test_pipeline_is_assembled_in_order(settings: Settings) -> None:
    pipeline = build_indexing_pipeline(settings, EmbeddedDocumentStore(settings.store_path))
    edges = {(a, b) for a, b, _ in pipeline.graph.edges(data=True)}
    assert edges == {("reader", "splitter"), ("splitter", "chunker"), ("chunker", "amendments"), ("amendments", "citations"),
                     ("citations", "embedder"), ("embedder", "sentences"), ("sentences", "writer"), ("chunker", "writer")}
