"""Turn the bytes of a text file into ``str`` without guessing where guessing is unsafe.

UTF-8 is the norm. Older Spanish files are often Windows-1252; that is accepted only when the
decoded text contains nothing but ASCII and the accented letters and punctuation of Western
European languages, so that a binary file or a file in some other legacy code page (Georgian
ones included) is refused with a clear message instead of being ingested as mojibake.
"""

from __future__ import annotations

import codecs
import logging
from pathlib import Path

from laborlex_core.schema import IngestError

log = logging.getLogger("laborlex.ingest")

# Non-ASCII characters that a real cp1252 Spanish/English/Western European text contains.
_WESTERN_LETTERS = set(
    "áéíóúüñÁÉÍÓÚÜÑàèìòùÀÈÌÒÙâêîôûÂÊÎÔÛäëïöÄËÏÖçÇãõÃÕ"
)
_WESTERN_PUNCT = set("¿¡ºª«»“”‘’–—…°·€§©®´¨¶•\u00a0")
_ALLOWED_CONTROLS = set("\t\n\r\f")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _looks_binary(text: str) -> bool:
    return any(ch < " " and ch not in _ALLOWED_CONTROLS for ch in text)


def _plausible_cp1252(data: bytes) -> str | None:
    """The cp1252 reading of ``data`` if it is unambiguously Western European text, else None."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None  # bytes undefined in cp1252 (0x81, 0x8D, ...): not a cp1252 text
    if _looks_binary(text):
        return None
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if not non_ascii or any(ch not in _WESTERN_LETTERS and ch not in _WESTERN_PUNCT for ch in non_ascii):
        return None
    # Accented letters must sit next to other letters, as in words ("acción"), not in runs of
    # symbols, which is what bytes of another encoding read as cp1252 look like.
    letters = sum(ch in _WESTERN_LETTERS for ch in non_ascii)
    return text if letters >= len(non_ascii) / 2 else None


def decode_text(path: Path, data: bytes) -> str:
    """Decode a text file's bytes; raise IngestError naming the offending byte when impossible."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise IngestError(str(path), f"has a UTF-16 byte-order mark but is not valid UTF-16 ({exc.reason})") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        legacy = _plausible_cp1252(data)
        if legacy is not None:
            log.info("read %s as cp1252 (not valid UTF-8)", path)
            return legacy
        bad = data[exc.start:exc.start + 1].hex().upper()
        raise IngestError(
            str(path),
            f"cannot decode as UTF-8 (invalid byte 0x{bad} at offset {exc.start}, line "
            f"{_line_of(data, exc.start)}) and it is not recognizably cp1252/latin-1 text; "
            "convert it to UTF-8 (e.g. iconv -f <encoding> -t UTF-8)",
        ) from exc
    if _looks_binary(text):
        raise IngestError(str(path), "contains binary control characters (NUL etc.); it is not a text file")
    return text
