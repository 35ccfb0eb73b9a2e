"""The splitter on what ``ingest.readers.read_source`` really produces, PDFs included.

Parsing the 331-page LFT PDF takes ~20 s, hence ``slow``; the parse (``real_sources``, in
``tests/ingest/conftest.py``) is shared with the reader tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from laborlex_core.schema import Provision, SourceText

from ingest.structure import split_provisions

readers = pytest.importorskip("ingest.readers")

STRUCTURAL_UNITS = {"article", "section", "transitional", "entry"}


def test_registry_entry_prefix_is_the_readers_contract(registry_prefix: str) -> None:
    assert readers.ENTRY_PREFIX == registry_prefix


@pytest.fixture(scope="module")
def real_provisions(real_sources: dict[str, SourceText]) -> dict[str, list[Provision]]:
    return {doc_id: split_provisions(src) for doc_id, src in real_sources.items()}


@pytest.mark.slow
def test_real_readers_give_the_same_structure_as_the_text_renderings(
    real_sources: dict[str, SourceText],
    real_provisions: dict[str, list[Provision]],
    corpus_provisions: dict[str, list[Provision]],
) -> None:
    for doc_id, provisions in real_provisions.items():
        text = real_sources[doc_id].text
        assert len({p.article for p in provisions}) == len(provisions), doc_id
        assert all(p.text == text[p.start : p.end] for p in provisions), doc_id
        structural = [p.article for p in provisions if p.unit in STRUCTURAL_UNITS]
        expected = [p.article for p in corpus_provisions[doc_id] if p.unit in STRUCTURAL_UNITS]
        assert structural == expected, doc_id


@pytest.mark.slow
def test_real_lft_pdf(corpus_dir: Path, real_sources: dict[str, SourceText], real_provisions: dict[str, list[Provision]]) -> None:
    reference = (corpus_dir / "pdf-text" / "mx-lft-es.txt").read_text(encoding="utf-8")
    body = reference[: reference.index("\nTRANSITORIOS\n")]
    heading = re.compile(r"(?m)^Art[íi]culo (\d+)[oº]?\.?((?: Bis| Ter| Quáter|-[A-ZÑ])*)\.?-? ")
    expected = [m.group(1) + m.group(2) for m in heading.finditer(body)]
    provisions = real_provisions["mx-lft-es"]
    assert [p.article for p in provisions if p.unit == "article"] == expected
    assert sum(p.unit == "transitional" for p in provisions) == 112
    got = {p.article: p for p in provisions}
    art61 = got["61"]
    assert art61.heading_path == ("TITULO TERCERO Condiciones de Trabajo", "CAPITULO II Jornada de trabajo")
    assert art61.text.startswith("Artículo 61.- La duración máxima de la jornada será")
    assert (art61.page, art61.page_end) == (21, 21)
    pages = len(real_sources["mx-lft-es"].page_starts)
    assert pages == 331
    assert all(1 <= p.page <= p.page_end <= pages for p in provisions)  # type: ignore[operator]
    assert got["1010"].page_end <= got["Transitorio 1"].page  # type: ignore[operator]
    assert provisions[-1].page_end == pages


@pytest.mark.slow
@pytest.mark.parametrize("doc_id", ["ilo-c138-es", "ilo-c182-es", "us-ca7-17-2400-fedex-order"])
def test_small_pdfs_have_pages(doc_id: str, real_provisions: dict[str, list[Provision]]) -> None:
    assert all(p.page is not None and p.page_end is not None for p in real_provisions[doc_id])


@pytest.mark.slow
def test_every_amendment_note_of_the_real_lft_pdf_goes_to_exactly_one_provision(
    real_sources: dict[str, SourceText], real_provisions: dict[str, list[Provision]]
) -> None:
    """Issue 15's count check on the reader's own text (the parse is shared with the tests above)."""
    from tests.ingest.test_amendments import check_every_note_attached_once

    spans = [(p.start, p.end) for p in real_provisions["mx-lft-es"]]
    assert check_every_note_attached_once(real_sources["mx-lft-es"].text, spans) == 1542
