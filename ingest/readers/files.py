"""Checks every reader shares: the file exists, has a type we read, and is not too big.

They run before any byte is read so that a 5 GB upload or a ``.docx`` fails at once, with a
message that tells the user what to do, instead of after minutes of parsing.
"""

from __future__ import annotations

from pathlib import Path

from laborlex_core.schema import IngestError
from laborlex_core.settings import Settings

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".pdf", ".txt", ".md", ".json")


def extension(path: Path) -> str:
    return path.suffix.lower()


def is_supported(path: Path) -> bool:
    return extension(path) in SUPPORTED_EXTENSIONS


def check_readable_file(path: Path, settings: Settings) -> None:
    """Raise IngestError unless ``path`` is an existing, supported file within the size limit."""
    if not path.exists():
        raise IngestError(str(path), "file not found")
    if not path.is_file():
        raise IngestError(str(path), "not a regular file (is it a folder?)")
    ext = extension(path)
    if ext not in SUPPORTED_EXTENSIONS:
        shown = ext or "(no extension)"
        raise IngestError(
            str(path),
            f"unsupported file type '{shown}'; supported: {', '.join(SUPPORTED_EXTENSIONS)}",
        )
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
