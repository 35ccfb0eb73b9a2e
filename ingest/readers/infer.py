"""Metadata for a file that no manifest describes: id, title and language from the file itself.

Only what the file states is filled in. Jurisdiction, kind and date stay None (a Georgian
text may be a Georgian law or an ILO convention in translation), except for the SJF ruling
index format, whose "registro digital" numbers exist only in Mexico's Semanario Judicial.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from laborlex_core.schema import DocumentMeta
from laborlex_core.settings import Settings

from . import legacy_georgian
from .files import check_readable_file, extension
from .html_page import read_html
from .language import SAMPLE_CHARS, detect_language
from .pdf import preview_pdf
from .plain import read_plain
from .rulings_json import ENTRY_PREFIX, read_rulings_json
from .word import read_docx

TITLE_MAX_CHARS = 200
_NOT_SLUG = re.compile(r"[^\w]+")
_NOTE = re.compile(r"^\[.*\]$")  # an editor's bracketed note, not the document's title
_DECORATION = re.compile(r"^(?:#+|=+|-{2,})\s*|\s*(?:=+|-{2,})$")  # Markdown heading marks, rules


def slugify(name: str) -> str:
    """Lowercase id with ASCII-folded Latin letters; Georgian letters are kept as they are."""
    folded = "".join(
        ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)
    )
    slug = _NOT_SLUG.sub("-", unicodedata.normalize("NFC", folded).lower()).replace("_", "-")
    return re.sub(r"-{2,}", "-", slug).strip("-") or "document"


def content_lines(text: str) -> list[str]:
    """Non-empty lines without decoration, skipping bracketed editorial notes."""
    lines = (_DECORATION.sub("", line.strip()) for line in text.splitlines())
    return [line for line in lines if line and not _NOTE.match(line)]


def guess_title(text: str, path: Path) -> str:
    """First line of real content; the file name when there is none worth showing."""
    lines = content_lines(text)
    if not lines or lines[0].startswith(ENTRY_PREFIX.strip()):
        return path.stem
    title = re.sub(r"\s+", " ", lines[0])
    if len(title) > TITLE_MAX_CHARS:
        title = title[:TITLE_MAX_CHARS].rsplit(" ", 1)[0] + "…"
    return title


def preview_text(path: Path, settings: Settings) -> str:
    """Enough text to judge title and language; for PDFs only the first pages."""
    fmt = check_readable_file(path, settings)
    if fmt == "pdf":
        return preview_pdf(path)
    if fmt == "json":
        return read_rulings_json(path)
    if fmt == "docx":
        return read_docx(path)[0]
    if fmt == "html":
        return read_html(path)[0]
    return legacy_georgian.convert_by_patterns(read_plain(path))[0]


def infer_meta(path: Path, doc_id: str, settings: Settings) -> DocumentMeta:
    """Metadata read off the file; raises IngestError when the file cannot be read at all."""
    text = preview_text(path, settings)
    is_index = extension(path) == ".json"
    sample = "\n".join(content_lines(text[: SAMPLE_CHARS * 2]))
    return DocumentMeta(
        doc_id=doc_id,
        title=guess_title(text, path),
        language=detect_language(sample or text),
        jurisdiction="MX" if is_index else None,
        kind="case_law_index" if is_index else None,
        source=str(path),
    )
