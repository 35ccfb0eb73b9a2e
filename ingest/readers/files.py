"""Checks every reader shares: the file exists, has a type we read, and is not too big.

They run before the file is parsed so that a 5 GB upload or a ZIP archive fails at once, with
a message that tells the user what to do, instead of after minutes of parsing. The type is
judged by content (``sniff``), so a renamed or extension-less PDF, Word or HTML file is read.
"""

from __future__ import annotations

from pathlib import Path

from laborlex_core.schema import IngestError
from laborlex_core.settings import Settings

from .sniff import Format, UnknownFormat, sniff_format

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".pdf", ".txt", ".md", ".json", ".docx", ".html", ".htm", ".xhtml")


def extension(path: Path) -> str:
    return path.suffix.lower()


def is_supported(path: Path) -> bool:
    """Whether a folder scan takes this file (by extension; content is checked when read)."""
    return extension(path) in SUPPORTED_EXTENSIONS


def check_readable_file(path: Path, settings: Settings) -> Format:
    """The file's format; raises IngestError unless it is an existing, readable file within the size limit."""
    if not path.exists():
        raise IngestError(str(path), "file not found")
    if not path.is_file():
        raise IngestError(str(path), "not a regular file (is it a folder?)")
    size = path.stat().st_size
    if size == 0:
        raise IngestError(str(path), "empty file (0 bytes)")
    limit = settings.max_file_mb * 1024 * 1024
    if size > limit:
        raise IngestError(
            str(path),
            f"file is {size / 1024 / 1024:.2f} MB, over the limit of {settings.max_file_mb:g} MB "
            "(raise max_file_mb / LABORLEX_MAX_FILE_MB to ingest it)",
        )
    try:
        return sniff_format(path)
    except UnknownFormat as exc:
        shown = extension(path) or "(no extension)"
        raise IngestError(
            str(path),
            f"unsupported file type '{shown}': {exc}; supported: PDF, Word .docx, HTML, text/Markdown, ruling-title JSON",
        ) from exc
    except OSError as exc:
        raise IngestError(str(path), f"cannot read file ({exc.strerror or exc})") from exc
