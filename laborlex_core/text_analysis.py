"""Turning text into index terms for BM25, the same way for passages and queries.

Analysis is done in Python (not by the engine) so that the embedded store and any other
lexical backend see identical terms, and so that Spanish stemming is available even where
the engine only ships an English stemmer. Order matters: Snowball stemmers expect accented
input, so terms are lower-cased, stemmed in their language, *then* stripped of accents;
"indemnización" and "indemnizacion" end up as the same term.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Iterable

import Stemmer

# Snowball algorithm per document language; Georgian has none (no stemmer exists in
# Snowball, Lucene or OpenSearch), so its terms are only case-folded.
STEMMER_BY_LANGUAGE: dict[str, str] = {"es": "spanish", "en": "english"}

_WORD = re.compile(r"\w+", re.UNICODE)
_MTAVRULI_START, _MTAVRULI_END = 0x1C90, 0x1CBF


@lru_cache(maxsize=1)
def _stopwords() -> dict[str, frozenset[str]]:
    raw = json.loads(resources.files("laborlex_core").joinpath("stopwords.json").read_text("utf-8"))
    return {lang: frozenset(fold_accents(w.lower()) for w in words) for lang, words in raw.items() if not lang.startswith("_")}


@lru_cache(maxsize=4)
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    algorithm = STEMMER_BY_LANGUAGE.get(language)
    return Stemmer.Stemmer(algorithm) if algorithm else None


def fold_accents(text: str) -> str:
    """Strip combining marks (á → a, ñ → n); Georgian letters carry none and pass unchanged.

    Called once per token at ingest and query time, so ASCII (unchanged by NFKD) returns at
    once and other short words are remembered: it was most of the time of writing a passage."""
    if text.isascii():
        return text
    if len(text) <= 40:
        return _fold_word(text)
    return _fold(text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_fold_word = lru_cache(maxsize=1 << 18)(_fold)


def lower_mtavruli(text: str) -> str:
    """Map Georgian Mtavruli capitals to Mkhedruli; the e5 vocabulary only knows the latter.

    Only that block is touched: the model is cased, so Latin text keeps its capitals.
    """
    if not any(_MTAVRULI_START <= ord(ch) <= _MTAVRULI_END for ch in text):
        return text
    return "".join(ch.lower() if _MTAVRULI_START <= ord(ch) <= _MTAVRULI_END else ch for ch in text)


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens (Unicode word characters: Latin, Georgian, digits)."""
    return _WORD.findall(text.lower())


def analyze(text: str, language: str | None) -> list[str]:
    """Index terms of ``text`` written in ``language``: stopwords out, stemmed, accent-folded."""
    stop = _stopwords().get(language or "", frozenset())
    stemmer = _stemmer(language or "")
    tokens = [t for t in tokenize(text) if fold_accents(t) not in stop]
    if stemmer is not None:
        tokens = stemmer.stemWords(tokens)
    return [fold_accents(t) for t in tokens]


@lru_cache(maxsize=4096)
def query_terms(query: str, languages: tuple[str, ...]) -> tuple[str, ...]:
    """Every term of ``query_term_groups``, distinct and sorted: what a passage must hold to
    match the query on either store, and what a snippet marks. Cached: one query asks once per
    lexical list, again to count its matches, and for each hit's highlights."""
    return tuple(sorted({t for group in query_term_groups(query, languages) for t in group}))


def query_term_groups(query: str, languages: Iterable[str]) -> list[frozenset[str]]:
    """For each query word, the terms it may appear as in passages of each language.

    A query's language is not trusted to decide stemming (cross-lingual queries are the
    norm here), so each word is analyzed as every indexed language would and the variants
    are OR-ed. Words that are a stopword in any language are dropped.
    """
    langs = list(languages)
    stop = frozenset().union(*(_stopwords().get(lang, frozenset()) for lang in langs))
    groups: list[frozenset[str]] = []
    seen: set[frozenset[str]] = set()
    for token in tokenize(query):
        if fold_accents(token) in stop:
            continue
        variants = {fold_accents(token)}
        for lang in langs:
            stemmer = _stemmer(lang)
            if stemmer is not None:
                variants.add(fold_accents(stemmer.stemWord(token)))
        group = frozenset(variants)
        if group not in seen:
            seen.add(group)
            groups.append(group)
    return groups


# Georgian postpositions, then case and plural endings, longest first. A word takes at most
# one of each ("სამუშაოსთვის" = სამუშაო + ს + თვის); stripping case endings twice cut stems
# that end in the same letters (ხელფასის → ხელფ, while ხელფასი → ხელფას).
_GEORGIAN_POSTPOSITIONS: tuple[str, ...] = ("ისთვის", "ისგან", "თვის", "იდან", "ამდე", "დან", "გან", "თან", "ში", "ზე")
_GEORGIAN_CASES: tuple[str, ...] = (
    "ების", "ებმა", "ებით", "ებად", "ებს", "ები", "ისა", "ითა", "ის", "ით", "ად", "ს", "თ", "დ",
)
_GEORGIAN_MIN_STEM = 3


def _strip_one(word: str, endings: tuple[str, ...]) -> str:
    ending = next((e for e in endings if word.endswith(e) and len(word) - len(e) >= _GEORGIAN_MIN_STEM), None)
    return word[: -len(ending)] if ending else word


def stem_georgian(word: str) -> str:
    """A light Georgian stem, so that inflected forms of a term meet (შვებულების ~ შვებულება).

    Used to align Georgian words with their translations (``search_api.term_alignment``).
    BM25 indexing keeps whole Georgian words: on the development judgments, stemming and
    5-7 letter truncation did not beat them there.
    """
    word = _strip_one(_strip_one(word, _GEORGIAN_POSTPOSITIONS), _GEORGIAN_CASES)
    while word[-1:] in ("ი", "ა", "ო", "ე") and len(word) > _GEORGIAN_MIN_STEM:  # ინსპექცია ~ ინსპექციის
        word = word[:-1]
    if word.endswith("ებ") and len(word) - 2 >= _GEORGIAN_MIN_STEM:
        word = word[:-2]
    if word.endswith("ელ") and len(word) > _GEORGIAN_MIN_STEM:  # syncope: დამსაქმებელი ~ დამსაქმებლის
        word = word[:-2] + "ლ"
    return word
