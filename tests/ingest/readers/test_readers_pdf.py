"""PDF reading on PDFs made here: furniture removal, page offsets, parallel parsing, bad files."""

from __future__ import annotations

import os
from pathlib import Path

import pypdf
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from ingest.readers import read_source
from ingest.readers.pdf_workers import WorkerError, extract_in_workers
from laborlex_core.schema import IngestError
from laborlex_core.settings import Settings

from tests.ingest.readers.readers_pdfgen import DEJAVU, PAGE_H, write_pdf

HEADER = ["CÓDIGO DE PRUEBA", "Cámara de Diputados — Última Reforma DOF 01-05-2019"]


def _body(n: int, lines: int = 20) -> list[str]:
    return [f"Artículo {n * 100 + k}.- El patrón y el niño pagarán la acción {k}." for k in range(lines)]


def _assert_error(path: Path, settings: Settings, meta, fragment: str) -> None:
    with pytest.raises(IngestError) as err:
        read_source(path, meta, settings)
    assert err.value.path == str(path)
    assert str(path) in str(err.value)
    assert fragment in err.value.reason


def test_repeated_header_and_footer_are_dropped(make_pdf, meta, settings):
    pages = [_body(n) for n in range(1, 6)]
    path = make_pdf("law.pdf", pages, header=HEADER, footer="Página {n} de {total}")
    source = read_source(path, meta, settings)

    assert "CÓDIGO DE PRUEBA" not in source.text
    assert "Cámara de Diputados" not in source.text
    assert "Página" not in source.text
    assert source.text.splitlines() == [line for body in pages for line in body]
    assert "niño" in source.text and "acción" in source.text and "patrón" in source.text

    assert len(source.page_starts) == 5
    for n, body in enumerate(pages, start=1):
        start = source.page_starts[n - 1]
        assert source.text.startswith(body[0], start)
        assert source.page_at(start) == n
        assert source.page_at(source.text.index(body[-1])) == n


def test_body_text_like_the_header_is_kept(make_pdf, meta, settings):
    pages = [["CÓDIGO DE PRUEBA", *_body(1)], *(_body(n) for n in range(2, 5))]
    source = read_source(make_pdf("titled.pdf", pages, header=HEADER), meta, settings)
    assert source.text.startswith("CÓDIGO DE PRUEBA\nArtículo 100.-")
    assert source.text.count("CÓDIGO DE PRUEBA") == 1


def test_parallel_and_single_process_agree(make_pdf, meta, tmp_path):
    pages = [_body(n, 12) for n in range(1, 21)]  # above the pool threshold
    path = make_pdf("long.pdf", pages, header=HEADER, footer="{n}")
    one = read_source(path, meta, Settings(data_dir=tmp_path / "d1", parse_workers=1))
    three = read_source(path, meta, Settings(data_dir=tmp_path / "d3", parse_workers=3))
    assert one.text == three.text and one.page_starts == three.page_starts
    assert len(three.page_starts) == 20
    assert three.page_at(three.text.index("Artículo 1911.-")) == 19


def test_worker_failure_is_reported(tmp_path):
    with pytest.raises(WorkerError, match="No such file|FileNotFound"):
        extract_in_workers(tmp_path / "gone.pdf", [(0, 2), (2, 4)], workers=2)


def test_some_blank_pages_are_fine(make_pdf, meta, settings):
    source = read_source(make_pdf("gaps.pdf", [_body(1), [], _body(3)]), meta, settings)
    assert len(source.page_starts) == 3
    assert source.page_at(source.text.index("Artículo 300.-")) == 3


def test_georgian_pdf_text(tmp_path, meta, settings):
    if not DEJAVU.exists():
        pytest.skip("DejaVu Sans (Georgian glyphs) not installed")
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU)))
    lines = ["მუხლი 27. შრომითი ხელშეკრულების შეწყვეტა", "1. შრომითი ხელშეკრულების შეწყვეტის საფუძველია:"]
    path = write_pdf(tmp_path / "ka.pdf", [lines], font="DejaVuSans")
    assert read_source(path, meta, settings).text == "\n".join(lines)


# --- files that cannot be read ------------------------------------------------------------


def test_random_bytes(tmp_path, meta, settings):
    path = tmp_path / "random.pdf"
    path.write_bytes(os.urandom(8000))
    _assert_error(path, settings, meta, "not a readable PDF")


def test_text_file_named_pdf(tmp_path, meta, settings):
    path = tmp_path / "notes.pdf"
    path.write_text("just some text", encoding="utf-8")
    _assert_error(path, settings, meta, "not a readable PDF (no %PDF- header")


@pytest.mark.parametrize("fraction", [0.2, 0.6, 0.95])
def test_truncated_pdf(make_pdf, meta, settings, fraction):
    path = make_pdf("whole.pdf", [_body(n) for n in range(1, 6)])
    data = path.read_bytes()
    cut = path.with_name(f"cut-{fraction}.pdf")
    cut.write_bytes(data[: int(len(data) * fraction)])
    _assert_error(cut, settings, meta, "not a readable PDF")


def test_encrypted_pdf(make_pdf, meta, settings):
    plain = make_pdf("plain.pdf", [_body(1)])
    locked = plain.with_name("locked.pdf")
    writer = pypdf.PdfWriter(clone_from=plain)
    writer.encrypt(user_password="secreto", owner_password="dueño")
    writer.write(locked)
    _assert_error(locked, settings, meta, "encrypted PDF")


def test_owner_only_encryption_is_readable(make_pdf, meta, settings):
    plain = make_pdf("plain.pdf", [_body(1)])
    restricted = plain.with_name("restricted.pdf")
    writer = pypdf.PdfWriter(clone_from=plain)
    writer.encrypt(user_password="", owner_password="dueño")
    writer.write(restricted)
    assert read_source(restricted, meta, settings).text.startswith("Artículo 100.-")


def test_image_only_pdf(tmp_path, meta, settings):
    image = tmp_path / "scan.png"
    _png(image)
    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path))
    c.drawImage(str(image), 72, PAGE_H - 400, width=300, height=300)  # noise: nothing for OCR to read
    c.showPage()
    c.save()
    _assert_error(path, settings, meta, "no text layer")


def test_blank_pages_only(make_pdf, meta, settings):
    _assert_error(make_pdf("blank.pdf", [[], [], []]), settings, meta, "no text layer")


def _png(path: Path) -> None:
    """A photo-like greyscale image without any writing (a gradient with a dark disc): OCR finds no text.

    Random noise was used before; Tesseract reads letters into some noise patterns, so the
    test would depend on chance.
    """
    from PIL import Image, ImageDraw

    image = Image.linear_gradient("L").resize((120, 160))
    ImageDraw.Draw(image).ellipse((30, 50, 90, 110), fill=40)
    image.save(path)
