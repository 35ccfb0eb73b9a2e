"""Fixtures for the reader tests: PDF factories (reportlab/pypdf) and the LFT parsed once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from ingest.readers import read_source
from laborlex_core.schema import DocumentMeta, SourceText
from laborlex_core.settings import Settings
from tests.ingest.readers.readers_pdfgen import write_pdf

MakePdf = Callable[..., Path]


@pytest.fixture()
def make_pdf(tmp_path: Path) -> MakePdf:
    def make(name: str, pages: Sequence[Sequence[str]], **kwargs: object) -> Path:
        return write_pdf(tmp_path / name, pages, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture()
def meta() -> DocumentMeta:
    return DocumentMeta(doc_id="test-doc", title="Test document")


@pytest.fixture(scope="session")
def lft_source(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> SourceText:
    """The 331-page LFT, parsed once per session with the default two workers."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("lft-data"), parse_workers=2)
    meta = DocumentMeta(doc_id="mx-lft-es", title="Ley Federal del Trabajo", language="es")
    return read_source(corpus_dir / "docs" / "mx-lft-es.pdf", meta, settings)
