"""``laborlex ingest`` on a folder of documents as they come: scanned PDF, legacy-font Word, HTML, a bad file.

Run as a user does (the CLI in a subprocess, the real model and store): each document's line
says what reading it took, the bad file is named with its reason, and OCR'd passages carry
their mark and confidence in the index.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ingest.readers import ocr
from ingest.readers.legacy_georgian import to_legacy
from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from tests.e2e.conftest import run_cli
from tests.ingest.readers.formats_gen import write_docx, write_html
from tests.ingest.readers.scan_gen import write_mixed_pdf
from tests.ingest.readers.test_readers_ocr import excerpt

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ocr.tesseract_available(), reason="Tesseract is not installed (scripts/setup.sh installs it)"),
]


def test_ingest_prints_what_was_done_per_file_and_names_the_bad_one(corpus_dir: Path, tmp_path: Path) -> None:
    docs = corpus_dir / "docs"
    folder = tmp_path / "inbox"
    folder.mkdir()
    write_mixed_pdf(folder / "escaneo-es.pdf", [
        ("text", "Convenio relativo al trabajo forzoso u obligatorio\nTexto de la primera pagina"),
        ("scan", excerpt(docs, "ilo-c029-es.txt", "Artículo 1", chars=700)),
    ])
    write_docx(folder / "konvencia-ka.docx", to_legacy(excerpt(docs, "ilo-c182-ka.txt", "მუხლი 1", chars=900)))
    write_html(folder / "convenio-es.html", excerpt(docs, "ilo-c029-es.txt", "Artículo 3", chars=900))
    with zipfile.ZipFile(folder / "anexo.docx", "w") as archive:
        archive.writestr("content.xml", "<x/>")

    data = tmp_path / "data"
    result = run_cli(data, "ingest", str(folder), timeout=900)
    assert result.returncode == 1, result.stderr  # one file failed, the others went in
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("  ")}
    assert "PDF, 2 pages, 1 OCR'd (spa, mean confidence" in lines["escaneo-es"]
    assert "Word; legacy Georgian font AcadNusx (by letter patterns) converted" in lines["konvencia-ka"]
    assert "[HTML]" in lines["convenio-es"]
    assert f"{folder / 'anexo.docx'}: unsupported file type '.docx': a ZIP archive that is not a Word" in result.stderr

    store = EmbeddedDocumentStore(Settings(data_dir=data).store_path)
    scanned = store.document_passages("escaneo-es")
    marked = [d for d in scanned if d.meta.get("ocr")]
    assert marked and all(80 <= d.meta["ocr_confidence"] <= 100 for d in marked)
    assert any(d.meta.get("article") == "1" for d in marked)
    assert not any(d.meta.get("ocr") for d in store.document_passages("convenio-es"))
    georgian = " ".join(d.content or "" for d in store.document_passages("konvencia-ka"))
    assert "მუხლი" in georgian or "წევრი" in georgian
    assert "saqarTvelo" not in georgian and "wevri" not in georgian
