"""``read_source``: one entry point that picks the reader by the file's content (see ``sniff``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from laborlex_core.schema import DocumentMeta, IngestError, SourceText
from laborlex_core.settings import Settings

from . import legacy_georgian
from .files import check_readable_file
from .html_page import read_html
from .pdf import read_pdf_source
from .plain import read_plain
from .rulings_json import read_rulings_json
from .word import read_docx


def _plain_with_legacy(path: Path) -> tuple[str, dict[str, Any]]:
    return legacy_georgian.converted_with_notes(read_plain(path))


def read_source(path: Path, meta: DocumentMeta, settings: Settings, progress: bool = False) -> SourceText:
    """Extract the text of one file; raises IngestError(path, reason) for anything unreadable."""
    path = Path(path)
    fmt = check_readable_file(path, settings)
    try:
        if fmt == "pdf":
            source = read_pdf_source(path, meta, settings, progress=progress)
            source.notes["format"] = "pdf"
            return source
        if fmt == "json":
            return SourceText(meta=meta, text=read_rulings_json(path), notes={"format": "json"})
        reader = {"docx": read_docx, "html": read_html}.get(fmt, _plain_with_legacy)
        text, notes = reader(path)
        return SourceText(meta=meta, text=text, notes={"format": fmt, **notes})
    except OSError as exc:
        raise IngestError(str(path), f"cannot read file ({exc.strerror or exc})") from exc
