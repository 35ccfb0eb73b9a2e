"""Which reader a file needs, judged by its first bytes before its extension.

Files arrive renamed, with no extension or with the wrong one (a Word file saved as ``.doc``,
an HTML page saved as ``.txt`` by a browser). The content decides: ``%PDF-`` is a PDF; a ZIP
holding ``word/document.xml`` is a Word document; markup that opens with a doctype, ``<html``
or typical body tags is HTML. The extension is only the tie-breaker for formats without a
signature (plain text, Markdown, the ruling-title JSON).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Literal

Format = Literal["pdf", "docx", "html", "json", "text"]

_HEAD_BYTES = 4096
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # legacy .doc/.xls: not readable here
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html\b|<head\b|<body\b|<meta\b|<title\b)",
    re.IGNORECASE | re.DOTALL,
)
_HTML_EXTENSIONS = (".html", ".htm", ".xhtml")
TEXT_EXTENSIONS = (".txt", ".md")


class UnknownFormat(ValueError):
    """The bytes match no format we read; the message says what they look like."""


def _strip_bom(head: bytes) -> bytes:
    for bom in (b"\xef\xbb\xbf",):
        if head.startswith(bom):
            return head[len(bom):]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: look at it as ASCII-ish bytes
        return head[2:].replace(b"\x00", b"")
    return head


def _is_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def sniff_format(path: Path) -> Format:
    """The format of ``path`` from its content (extension only where content cannot tell).

    Raises UnknownFormat for a ZIP that is not a Word document, a legacy binary Office file,
    or an unknown extension whose content is not recognizably one of ours.
    """
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    ext = path.suffix.lower()
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(_ZIP_MAGIC):
        if _is_docx(path):
            return "docx"
        raise UnknownFormat("a ZIP archive that is not a Word (.docx) document")
    if head.startswith(_OLE_MAGIC):
        raise UnknownFormat("a legacy binary Office file (.doc/.xls); save it as .docx or PDF")
    if _HTML_START.match(_strip_bom(head)):
        return "html"
    if ext == ".json":
        return "json"
    if ext in _HTML_EXTENSIONS:
        return "html"
    if ext in TEXT_EXTENSIONS:
        return "text"
    if ext == ".pdf":
        return "pdf"  # the PDF reader says precisely why it is not one
    if ext == ".docx":
        raise UnknownFormat("not a Word document (no ZIP signature); is it really a .docx?")
    raise UnknownFormat("content is not PDF, Word (.docx), HTML, JSON or text")
