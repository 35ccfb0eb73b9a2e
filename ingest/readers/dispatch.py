"""``read_source``: one entry point that picks the reader by file extension."""

from __future__ import annotations

from pathlib import Path

from laborlex_core.schema import DocumentMeta, IngestError, SourceText
from laborlex_core.settings import Settings

from .files import check_readable_file, extension
from .pdf import read_pdf
from .plain import read_plain
from .rulings_json import read_rulings_json


def read_source(path: Path, meta: DocumentMeta, settings: Settings) -> SourceText:
    """Extract the text of one file; raises IngestError(path, reason) for anything unreadable."""
    path = Path(path)
    check_readable_file(path, settings)
    ext = extension(path)
    try:
        if ext == ".pdf":
            text, page_starts = read_pdf(path, settings.parse_workers)
            return SourceText(meta=meta, text=text, page_starts=page_starts)
        if ext == ".json":
            return SourceText(meta=meta, text=read_rulings_json(path))
        return SourceText(meta=meta, text=read_plain(path))
    except OSError as exc:
        raise IngestError(str(path), f"cannot read file ({exc.strerror or exc})") from exc
