"""What a query says about itself: its language and the jurisdictions it names.

Both steer retrieval without filtering: a query that names Honduras should see Honduran
provisions first, and a Georgian query should not be drowned by Georgian passages that the
model prefers only because they share the query's language.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from laborlex_core.text_analysis import fold_accents, lower_mtavruli, tokenize

_GEORGIAN = re.compile(r"[\u10a0-\u10ff\u1c90-\u1cbf]")
# Letters and words that only Spanish uses among the corpus languages.
_SPANISH_LETTERS = re.compile(r"[ñáéíóúü¿¡]", re.IGNORECASE)
_SPANISH_WORDS = frozenset(
    ("el", "la", "los", "las", "del", "de", "y", "en", "por", "para", "que", "con", "sin", "una", "un", "al")
    + ("es", "se", "su", "sus", "lo", "como", "según")
)
_ENGLISH_WORDS = frozenset(
    ("the", "of", "and", "in", "for", "to", "with", "without", "a", "an", "is", "are", "on", "by", "or")
    + ("from", "at", "be", "which", "that", "under", "this")
)


def detect_language(query: str) -> str:
    """Georgian by script; Spanish or English by letters and function words (English on a tie).

    Queries are short, so a statistical identifier has little to go on; the three corpus
    languages are told apart reliably by these cues.
    """
    if _GEORGIAN.search(query):
        return "ka"
    if _SPANISH_LETTERS.search(query):
        return "es"
    tokens = tokenize(query)
    spanish = sum(t in _SPANISH_WORDS for t in tokens)
    english = sum(t in _ENGLISH_WORDS for t in tokens)
    if spanish == english:
        spanish += sum(t.endswith(("cion", "dad", "ario", "aria", "ado", "ido", "ada", "ida", "miento")) for t in tokens)
        english += sum(t.endswith(("tion", "ing", "ment", "ness", "ed", "ty")) for t in tokens)
    return "es" if spanish > english else "en"


@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    raw = json.loads(resources.files("search_api").joinpath("data/jurisdictions.json").read_text("utf-8"))
    return {
        code: (tuple(names.get("latin", ())), tuple(names.get("ka_prefix", ())))
        for code, names in raw.items()
        if not code.startswith("_")
    }


def _folded_words(query: str) -> str:
    """Space-joined folded tokens with sentinels, so phrases match on word boundaries only."""
    return " " + " ".join(fold_accents(t) for t in tokenize(lower_mtavruli(query))) + " "


def mentioned_jurisdictions(query: str) -> tuple[str, ...]:
    """Jurisdiction codes named in the query, in the order they first appear."""
    words = _folded_words(query)
    found: list[tuple[int, str]] = []
    for code, (latin, georgian_prefixes) in _gazetteer().items():
        positions = [words.find(f" {name} ") for name in latin]
        positions += [words.find(f" {prefix}") for prefix in georgian_prefixes]
        hits = [p for p in positions if p >= 0]
        if hits:
            found.append((min(hits), code))
    return tuple(code for _, code in sorted(found))

