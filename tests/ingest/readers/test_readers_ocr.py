"""OCR of scanned pages: real corpus passages drawn as page images, read back by Tesseract.

One page per language (Spanish, Georgian, English), 11 pt at 300 dpi. The figures (share of
the source's words recovered, mean confidence) are printed per language with ``-s`` and are
the ones in the README. The Spanish file mixes a page with a text layer and a scanned page,
so it also checks that only the scanned page is OCR'd and marked.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from ingest.readers import ocr, read_source
from ingest.structure import split_provisions
from laborlex_core.schema import DocumentMeta, IngestError, SourceText
from laborlex_core.settings import Settings
from tests.ingest.readers.scan_gen import write_mixed_pdf, write_scanned_pdf

pytestmark = pytest.mark.skipif(not ocr.tesseract_available(), reason="Tesseract is not installed (scripts/setup.sh installs it)")

# (language, corpus file, first heading of the excerpt, the article headings it holds)
CASES = [
    ("es", "ilo-c029-es.txt", "Artículo 1", ["1", "2"]),
    ("ka", "ilo-c182-ka.txt", "მუხლი 1", ["1", "2", "3"]),
    ("en", "ilo-c087-en.txt", "Article 2", ["2", "8"]),
]
MIN_WORD_RECALL = 0.95
TEXT_PAGE = "Convenio relativo al trabajo forzoso u obligatorio\nPreámbulo con capa de texto"


def excerpt(docs: Path, name: str, first: str, chars: int = 1500) -> str:
    """Whole lines of a corpus file from the line starting with ``first``, about ``chars`` long."""
    lines = (docs / name).read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    out: list[str] = []
    for line in lines[start:]:
        if sum(map(len, out)) + len(line) > chars:
            break
        out.append(line)
    return "\n".join(out)


def word_recall(source: str, recognized: str) -> float:
    """Share of the source's words (with repeats) found among the recognized words."""
    want = Counter(re.findall(r"\w+", source.lower()))
    got = Counter(re.findall(r"\w+", recognized.lower()))
    return sum((want & got).values()) / sum(want.values())


@pytest.fixture(scope="module")
def scans(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, SourceText]]:
    """Each language's scanned file read once: {lang: (source excerpt, what the reader produced)}."""
    folder = tmp_path_factory.mktemp("scans")
    settings = Settings(data_dir=folder / "data", parse_workers=2)
    out: dict[str, tuple[str, SourceText]] = {}
    for lang, name, first, _articles in CASES:
        text = excerpt(corpus_dir / "docs", name, first)
        if lang == "es":
            path = write_mixed_pdf(folder / f"{lang}.pdf", [("text", TEXT_PAGE), ("scan", text)])
        else:
            path = write_scanned_pdf(folder / f"{lang}.pdf", [text])
        meta = DocumentMeta(doc_id=f"scan-{lang}", title=name, language=lang)
        out[lang] = (text, read_source(path, meta, settings))
    return out


@pytest.mark.parametrize(("lang", "name", "first", "articles"), CASES)
def test_ocr_recovers_words_and_article_headings(scans, lang, name, first, articles):
    source, read = scans[lang]
    recall = word_recall(source, read.text)
    words = len(re.findall(r"\w+", source))
    confidence = read.notes["ocr_confidence"]
    print(f"\nOCR {lang}: {recall:.1%} of {words} words, mean confidence {confidence}")
    assert recall >= MIN_WORD_RECALL
    found = [p.article for p in split_provisions(read) if p.unit == "article"]
    assert found[: len(articles)] == articles
    assert read.notes["ocr_language"] == ocr.TESSERACT_LANGS[lang]


def test_only_the_scanned_page_of_a_mixed_pdf_is_ocrd_and_marked(scans):
    _source, read = scans["es"]
    assert read.notes["ocr_pages"] == [2]
    assert read.text.startswith(TEXT_PAGE.split("\n")[0])
    (start, end, confidence), = read.ocr_spans
    assert start == read.page_starts[1] and end == len(read.text)
    assert 80 <= confidence <= 100
    assert read.ocr_confidence(0, start) is None  # the text layer is not marked
    assert read.ocr_confidence(start, end) == confidence


def test_language_is_detected_when_the_manifest_has_none(corpus_dir, tmp_path):
    text = excerpt(corpus_dir / "docs", "ilo-c182-ka.txt", "მუხლი 1", chars=400)
    path = write_scanned_pdf(tmp_path / "unknown.pdf", [text])
    read = read_source(path, DocumentMeta(doc_id="unknown", title="?"), Settings(data_dir=tmp_path / "data"))
    assert read.notes["ocr_language"] == "kat"
    assert word_recall(text, read.text) >= MIN_WORD_RECALL


def test_without_tesseract_a_scanned_pdf_gets_the_clear_error(corpus_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "installed_models", lambda: frozenset())
    path = write_scanned_pdf(tmp_path / "escaneo.pdf", ["Artículo 1\nTexto escaneado."])
    with pytest.raises(IngestError) as err:
        read_source(path, DocumentMeta(doc_id="escaneo", title="x", language="es"), Settings(data_dir=tmp_path / "data"))
    assert err.value.path == str(path)
    assert "no text layer" in err.value.reason and "Tesseract is not installed" in err.value.reason
