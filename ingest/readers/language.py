"""Language of a document without a manifest: Georgian by script, Spanish vs English by lingua.

Only the three corpus languages are candidates, so a short or noisy text still gets one of
them rather than, say, Catalan, which no analyzer downstream would know.
"""

from __future__ import annotations

from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

SAMPLE_CHARS = 5000
_GEORGIAN_SHARE = 0.3
_CODES = {Language.SPANISH: "es", Language.ENGLISH: "en", Language.GEORGIAN: "ka"}


def _is_georgian(ch: str) -> bool:
    # Mkhedruli/Asomtavruli/Nuskhuri (U+10A0–U+10FF) and Mtavruli capitals (U+1C90–U+1CBF).
    return "\u10a0" <= ch <= "\u10ff" or "\u1c90" <= ch <= "\u1cbf"


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*_CODES).build()


def detect_language(text: str) -> str | None:
    """'es', 'en' or 'ka'; None when the text has no letters to judge by."""
    sample = text[:SAMPLE_CHARS]
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        return None
    if sum(map(_is_georgian, letters)) / len(letters) >= _GEORGIAN_SHARE:
        return "ka"
    found = _detector().detect_language_of(sample)
    return _CODES.get(found) if found is not None else None
