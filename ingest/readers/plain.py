"""Reader for plain-text and Markdown files: decode, normalize, refuse empty files."""

from __future__ import annotations

from pathlib import Path

from laborlex_core.schema import IngestError

from .normalize import normalize_text
from .textcodec import decode_text


def read_plain(path: Path) -> str:
    """Text of a ``.txt``/``.md`` file; Markdown is kept as written (its marks are harmless to search)."""
    text = normalize_text(decode_text(path, path.read_bytes()))
    if not text.strip():
        raise IngestError(str(path), "empty file (no text, only whitespace)")
    return text
