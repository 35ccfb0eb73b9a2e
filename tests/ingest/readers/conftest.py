"""Fixtures for the reader tests: PDF factories (reportlab/pypdf) and the LFT parsed once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from laborlex_core.schema import DocumentMeta, SourceText
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
def lft_source(real_sources: dict[str, SourceText]) -> SourceText:
    """The 331-page LFT, parsed once per session with the default two workers (shared with the
    structure tests through ``real_sources``)."""
    return real_sources["mx-lft-es"]
