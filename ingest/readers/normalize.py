"""Unicode and newline clean-up applied to every reader's output.

Offsets into the text are stored with every provision, so the text must be in one canonical
form before anything is split: NFC (a decomposed "á" would not match a query's "á"), ``\\n``
newlines, no invisible characters that split words for the tokenizer.
"""

from __future__ import annotations

import re
import unicodedata

# Invisible characters that only break words: soft hyphen, zero-width space, BOM / ZWNBSP.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\ufeff"))
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")


def normalize_text(text: str) -> str:
    """Canonical form: ``\\n`` newlines, NFC, no invisible characters, no trailing blanks."""
    text = normalize_newlines(text).translate(_INVISIBLE)
    text = unicodedata.normalize("NFC", text)
    text = _TRAILING_SPACE.sub("", text)
    return text.strip("\n")
