"""Word and HTML readers, and the choice of reader by content.

Word and HTML versions of corpus documents are made by the tests (``formats_gen``); each must
give the same provisions (label, kind, headings, words) as the text file it was made from.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from ingest.readers import read_source
from ingest.readers.sniff import UnknownFormat, sniff_format
from ingest.structure import split_provisions
from laborlex_core.schema import DocumentMeta, IngestError, SourceText
from laborlex_core.settings import Settings
from tests.ingest.readers.formats_gen import write_docx, write_html

DOCS = ["ilo-c029-es.txt", "ilo-c182-ka.txt", "usmca-ch23-en.txt", "hn-codigo-trabajo-es.txt"]


def provisions(source: SourceText) -> list[tuple[str, str, tuple[str, ...], str]]:
    return [(p.article, p.unit, p.heading_path, re.sub(r"\s+", " ", p.text).strip()) for p in split_provisions(source)]


def _meta(name: str) -> DocumentMeta:
    return DocumentMeta(doc_id=Path(name).stem, title=name, language=Path(name).stem.rsplit("-", 1)[1])


@pytest.mark.parametrize("name", DOCS)
@pytest.mark.parametrize("writer", [write_docx, write_html], ids=["docx", "html"])
def test_word_and_html_versions_give_the_provisions_of_the_text(corpus_dir, tmp_path, name, writer):
    settings = Settings(data_dir=tmp_path / "data")
    text_file = corpus_dir / "docs" / name
    expected = provisions(read_source(text_file, _meta(name), settings))
    made = writer(tmp_path / f"{text_file.stem}.{'docx' if writer is write_docx else 'html'}", text_file.read_text(encoding="utf-8"))
    read = read_source(made, _meta(name), settings)
    assert read.notes["format"] == ("docx" if writer is write_docx else "html")
    assert len(expected) >= 3
    assert provisions(read) == expected


def test_html_keeps_the_main_text_and_drops_navigation(tmp_path, settings):
    page = write_html(tmp_path / "ley.html", "Artículo 1\nTexto del primero.\nArtículo 2\nTexto del segundo.")
    text = read_source(page, _meta("ley-es"), settings).text
    assert text == "Artículo 1\nTexto del primero.\n\nArtículo 2\nTexto del segundo."
    for boilerplate in ("Inicio", "Diario Oficial", "Artículo 77", "aviso legal", "Artículo 999", "Legislación"):
        assert boilerplate not in text


def test_html_in_a_legacy_charset_and_without_main(tmp_path, settings):
    path = tmp_path / "viejo.htm"
    path.write_bytes(
        '<html><head><meta charset="windows-1252"></head><body><div id="menu"><p>Artículo 1</p></div>'
        "<table><tr><td>Artículo 5</td><td>Jornada de ocho horas</td></tr></table><p>Línea<br>siguiente</p></body></html>".encode("cp1252")
    )
    text = read_source(path, _meta("viejo-es"), settings).text
    assert text == "Artículo 1\nArtículo 5\tJornada de ocho horas\nLínea\nsiguiente"


def test_docx_tables_and_headings_in_body_order(tmp_path, settings):
    import docx

    document = docx.Document()
    document.add_paragraph("Código del Trabajo", style="Title")
    document.add_paragraph("Artículo 1", style="Heading 2")
    document.add_paragraph("Primer párrafo.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Salario"
    table.rows[0].cells[1].text = "mínimo"
    document.add_paragraph("Artículo 2", style="Heading 2")
    document.add_paragraph("Segundo.")
    path = tmp_path / "codigo.docx"
    document.save(str(path))
    text = read_source(path, _meta("codigo-es"), settings).text
    assert text == "Código del Trabajo\n\nArtículo 1\nPrimer párrafo.\nSalario\tmínimo\n\nArtículo 2\nSegundo."


def _docx_bytes(tmp_path: Path) -> bytes:
    path = write_docx(tmp_path / "x.docx", "Artículo 1\nUno.")
    return path.read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("ley.txt", b"%PDF-1.4\n%...", "pdf"),  # a PDF saved with the wrong extension
        ("ley", None, "docx"),  # a Word file without an extension
        ("pagina.txt", b"<!DOCTYPE html><html><body><p>x</p></body></html>", "html"),
        ("pagina.md", b"\xef\xbb\xbf  <html lang=ka><body>x</body></html>", "html"),
        ("ley.html", b"Articulo 1 sin marcas", "html"),  # no signature: the extension decides
        ("ley.txt", b"Articulo 1", "text"),
        ("rubros.json", b"[]", "json"),
    ],
)
def test_format_is_chosen_by_content(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(_docx_bytes(tmp_path) if content is None else content)
    assert sniff_format(path) == expected


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("anexo.docx", b"PK\x03\x04" + b"\x00" * 40, "not a Word (.docx) document"),
        ("viejo.doc", bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 40, "legacy binary Office file"),
        ("foto.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 40, "is not PDF, Word"),
    ],
)
def test_unreadable_types_get_a_clear_error_naming_the_file(tmp_path, settings, name, content, message):
    path = tmp_path / name
    if name == "anexo.docx":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("content.xml", "<x/>")
    else:
        path.write_bytes(content)
    with pytest.raises(IngestError) as err:
        read_source(path, _meta("x-es"), settings)
    assert err.value.path == str(path)
    assert "unsupported file type" in err.value.reason and message in err.value.reason
    with pytest.raises(UnknownFormat):
        sniff_format(path)


def test_damaged_docx_is_reported_not_raised(tmp_path, settings):
    good = _docx_bytes(tmp_path)
    path = tmp_path / "roto.docx"
    with zipfile.ZipFile(path, "w") as archive:  # a Word package whose document part is not XML
        archive.writestr("[Content_Types].xml", zipfile.ZipFile(tmp_path / "x.docx").read("[Content_Types].xml"))
        archive.writestr("word/document.xml", b"<w:document><unclosed")
    assert good  # the valid file above was readable; this one is not
    with pytest.raises(IngestError) as err:
        read_source(path, _meta("roto-es"), settings)
    assert err.value.path == str(path) and "not a readable Word document" in err.value.reason
