"""Plain text and Markdown: encodings, normalization, empty files."""

from __future__ import annotations

import codecs
import os
import unicodedata
from pathlib import Path

import pytest

from ingest.readers import read_source
from laborlex_core.schema import DocumentMeta, IngestError
from laborlex_core.settings import Settings

SPANISH = "Artículo 47.- Son causas de rescisión de la relación de trabajo: el niño, la señal, ¿acción?"


def _read(path: Path, meta: DocumentMeta, settings: Settings) -> str:
    source = read_source(path, meta, settings)
    assert source.page_starts == []
    assert source.page_at(3) is None
    return source.text


def test_utf8_with_bom_crlf_and_decomposed_accents(tmp_path, meta, settings):
    decomposed = unicodedata.normalize("NFD", SPANISH)
    path = tmp_path / "ley.txt"
    path.write_bytes(codecs.BOM_UTF8 + f"{decomposed}\r\nsegunda línea   \rtercera\r\n".encode())
    text = _read(path, meta, settings)
    assert text == f"{SPANISH}\nsegunda línea\ntercera"
    assert unicodedata.is_normalized("NFC", text)


def test_markdown_is_read_as_text(tmp_path, meta, settings):
    path = tmp_path / "flsa.md"
    path.write_text("# Title 29\n\n#### § 207. Maximum hours\n(a) No employer shall…\n", encoding="utf-8")
    assert _read(path, meta, settings).startswith("# Title 29\n\n#### § 207.")


def test_soft_hyphens_are_removed(tmp_path, meta, settings):
    path = tmp_path / "a.txt"
    path.write_text("un\u00adem\u00adployment", encoding="utf-8")
    assert _read(path, meta, settings) == "unemployment"


def test_georgian_utf8(tmp_path, meta, settings):
    path = tmp_path / "ka.txt"
    path.write_text("მუხლი 27. შრომითი ხელშეკრულების შეწყვეტა\n", encoding="utf-8")
    assert _read(path, meta, settings) == "მუხლი 27. შრომითი ხელშეკრულების შეწყვეტა"


def test_cp1252_spanish_is_detected(tmp_path, meta, settings):
    path = tmp_path / "legacy.txt"
    path.write_bytes(f"{SPANISH}\r\n“Comillas” – guion\r\n".encode("cp1252"))
    assert _read(path, meta, settings) == f"{SPANISH}\n“Comillas” – guion"


def test_utf16_with_bom(tmp_path, meta, settings):
    path = tmp_path / "notepad.txt"
    path.write_bytes(SPANISH.encode("utf-16"))
    assert _read(path, meta, settings) == SPANISH


def test_undecodable_binary_is_refused(tmp_path, meta, settings):
    path = tmp_path / "blob.txt"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(IngestError) as err:
        read_source(path, meta, settings)
    assert str(path) in str(err.value)
    assert "cannot decode as UTF-8" in err.value.reason


def test_mixed_utf8_and_garbage_is_refused(tmp_path, meta, settings):
    # Valid UTF-8 "Artículo" followed by a stray 0x81: neither UTF-8 nor plausible cp1252.
    path = tmp_path / "mixed.txt"
    path.write_bytes("Artículo 1".encode() + b"\x81\x8d trabajo")
    with pytest.raises(IngestError, match="cannot decode as UTF-8"):
        read_source(path, meta, settings)


def test_nul_bytes_are_refused(tmp_path, meta, settings):
    path = tmp_path / "utf16-without-bom.txt"
    path.write_bytes("hello world".encode("utf-16-le"))
    with pytest.raises(IngestError, match="not a text file"):
        read_source(path, meta, settings)


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  ", codecs.BOM_UTF8 + b"\n\n"])
def test_empty_files_are_refused(tmp_path, meta, settings, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(IngestError) as err:
        read_source(path, meta, settings)
    assert str(path) in str(err.value)
    assert "empty file" in err.value.reason
