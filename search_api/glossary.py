"""Cross-language expansion of a query through a labor-law glossary kept as data.

BM25 matches words, so it cannot take a Georgian question to a Spanish article; the
embedding model can, but ranks same-language passages first. A concept recognised in the
query (overtime, dismissal, limitation period…) is therefore also searched with its terms
in each other corpus language. Only concepts are translated, never whole queries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from laborlex_core.schema import LANGUAGES
from laborlex_core.text_analysis import analyze, lower_mtavruli, stem_georgian, tokenize


@dataclass(frozen=True, slots=True)
class Concept:
    """One glossary entry: its name and its terms per language."""

    name: str
    terms: dict[str, tuple[str, ...]]


def _term_key(term: str, language: str) -> tuple[str, ...]:
    """The comparable form of a term: stems for Spanish/English, Georgian stems for Georgian."""
    if language == "ka":
        return tuple(stem_georgian(t) for t in tokenize(lower_mtavruli(term)))
    return tuple(analyze(term, language))


@lru_cache(maxsize=1)
def load_glossary() -> tuple[Concept, ...]:
    raw = json.loads(resources.files("search_api").joinpath("data/glossary.json").read_text("utf-8"))
    return tuple(
        Concept(name, {lang: tuple(terms) for lang, terms in entry.items() if lang in LANGUAGES})
        for name, entry in raw["concepts"].items()
    )


@lru_cache(maxsize=1)
def _term_index() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(concept, language, term key) for every term, built once."""
    return tuple(
        (concept.name, lang, key)
        for concept in load_glossary()
        for lang, terms in concept.terms.items()
        for key in (_term_key(term, lang) for term in terms)
        if key
    )


def matched_concepts(query: str) -> list[Concept]:
    """Concepts one of whose terms (in any language) occurs in the query, all its words present."""
    present = {lang: set(_term_key(query, lang)) for lang in LANGUAGES}
    names = {name for name, lang, key in _term_index() if set(key) <= present[lang]}
    return [concept for concept in load_glossary() if concept.name in names]


def expansions(query: str, query_language: str) -> dict[str, str]:
    """For each corpus language other than the query's, the matched concepts' terms there."""
    concepts = matched_concepts(query)
    expanded: dict[str, str] = {}
    for lang in LANGUAGES:
        if lang == query_language:
            continue
        terms = [term for concept in concepts for term in concept.terms.get(lang, ())]
        if terms:
            expanded[lang] = " ".join(dict.fromkeys(terms))
    return expanded
