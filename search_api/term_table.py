"""The cross-lingual term table: which words to search in Spanish, English or Georgian for a
query written in another of them.

BM25 matches words, so on its own it cannot take a Georgian question to a Spanish article.
The table gives it the other language's words for the query's words. Every entry is derived
from the corpus (``search_api.term_alignment``: the instruments held in several language
versions, and the embedding model's reading of all passages); none is written by hand and none comes from a judged query, so it behaves on new
questions as it does on the development set. ``laborlex terms`` rebuilds it from an index;
the file records which documents it was learnt from.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from laborlex_core.schema import LANGUAGES
from laborlex_core.store.base import SearchBackend
from laborlex_core.store.filters import equals_filter
from search_api.handoff import provision_key
from laborlex_core.text_analysis import tokenize
from search_api.term_alignment import (
    Translations,
    align_languages,
    compose,
    frequent_terms,
    index_terms,
    merge_tables,
    model_pairs,
    surface_forms,
    term_centroids,
    translate_terms,
)
from search_api.translations import instrument_of

TABLE_RESOURCE = "data/cross_terms.json"
MIN_SCORE = 0.2  # geometric mean of both directions' probabilities: below it pairs were mostly noise
PIVOT_MIN_SCORE = 0.1
PER_TERM = 3  # translations kept per term and direction


def provision_texts(store: SearchBackend, doc_id: str) -> dict[str, str]:
    """Each article's text in one document, passages in reading order."""
    passages = store.filter_documents(equals_filter(doc_id=doc_id))
    passages.sort(key=lambda p: (int(p.meta.get("ordinal") or 0), int(p.meta.get("chunk") or 0)))
    texts: dict[str, list[str]] = defaultdict(list)
    for passage in passages:
        texts[provision_key(passage.meta)[1]].append(passage.content or "")
    return {article: "\n".join(parts) for article, parts in texts.items()}


def aligned_units(store: SearchBackend) -> tuple[dict[tuple[str, str], list[tuple[str, str]]], list[str]]:
    """(language a, language b) → (text a, text b) for every article held in both versions of
    an instrument, and the documents used."""
    documents = store.list_documents()
    by_instrument: dict[str, dict[str, str]] = defaultdict(dict)
    for document in documents:
        language = document.get("language")
        if language in LANGUAGES:
            by_instrument[instrument_of(document["doc_id"], language)][language] = document["doc_id"]
    units: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    used: set[str] = set()
    for versions in by_instrument.values():
        for a, b in combinations(sorted(versions), 2):
            texts_a, texts_b = provision_texts(store, versions[a]), provision_texts(store, versions[b])
            common = sorted(set(texts_a) & set(texts_b))
            units[(a, b)] += [(texts_a[article], texts_b[article]) for article in common]
            if common:
                used.update((versions[a], versions[b]))
    return dict(units), sorted(used)


WordEmbedder = Callable[[list[str]], np.ndarray]  # words → unit vectors (the search model, query side)


@dataclass(slots=True)
class LanguageVocabulary:
    """A language's terms (df >= 2), the word each is most often written as, and the passage
    vectors and terms it was read from."""

    terms: list[str]
    words: list[str]
    unit_terms: list[list[str]]
    unit_vectors: np.ndarray


def language_vocabulary(store: SearchBackend, language: str, min_units: int = 2) -> LanguageVocabulary:
    passages = [p for p in store.filter_documents(equals_filter(language=language)) if p.embedding is not None]
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    unit_terms: list[list[str]] = []
    for passage in passages:
        terms: list[str] = []
        for word in tokenize(passage.content or ""):
            term = index_terms(word, language)
            if term:
                forms[term[0]][word] += 1
                terms.append(term[0])
        unit_terms.append(terms)
    keep = sorted(frequent_terms(unit_terms, min_units))
    vectors = np.asarray([p.embedding for p in passages], dtype=np.float32).reshape(len(passages), -1)
    return LanguageVocabulary(keep, [forms[t].most_common(1)[0][0] for t in keep], unit_terms, vectors)


def model_tables(store: SearchBackend, embed_words: WordEmbedder) -> dict[str, Translations]:
    """Translations in every direction through the model (see ``term_alignment.model_pairs``)."""
    vocabularies = {language: language_vocabulary(store, language) for language in LANGUAGES}
    words = {language: embed_words(v.words) if v.words else np.zeros((0, 1)) for language, v in vocabularies.items()}
    centroids = {
        language: term_centroids(v.unit_terms, v.unit_vectors, v.terms) if v.terms else np.zeros((0, 1))
        for language, v in vocabularies.items()
    }
    return {
        f"{a}>{b}": model_pairs(
            vocabularies[a].terms, words[a], centroids[a], vocabularies[b].terms, words[b], centroids[b]
        )
        for a in LANGUAGES
        for b in LANGUAGES
        if a != b
    }


def parallel_tables(store: SearchBackend) -> tuple[dict[str, Translations], dict[str, int], list[str]]:
    """Translations from aligned articles, both directions; pairs without parallel text
    composed through a pivot language."""
    units, used = aligned_units(store)
    pairs: dict[str, Translations] = {}
    for (a, b), aligned in sorted(units.items()):
        pairs[f"{a}>{b}"] = align_languages(aligned, a, b, min_score=MIN_SCORE)
        pairs[f"{b}>{a}"] = align_languages([(y, x) for x, y in aligned], b, a, min_score=MIN_SCORE)
    for a, b in ((x, y) for x in LANGUAGES for y in LANGUAGES if x != y):
        if f"{a}>{b}" in pairs:
            continue
        pivot = next((p for p in LANGUAGES if f"{a}>{p}" in pairs and f"{p}>{b}" in pairs), None)
        if pivot:
            pairs[f"{a}>{b}"] = compose(pairs[f"{a}>{pivot}"], pairs[f"{pivot}>{b}"], PIVOT_MIN_SCORE)
    return pairs, {f"{a}-{b}": len(v) for (a, b), v in sorted(units.items())}, used


def build_term_table(store: SearchBackend, embed_words: WordEmbedder | None = None) -> dict[str, Any]:
    """Learn the table from the index: parallel instruments first, then the model's pairs."""
    parallel, aligned, used = parallel_tables(store)
    model = model_tables(store, embed_words) if embed_words is not None else {}
    names = sorted(set(parallel) | set(model))
    pairs = {name: merge_tables(parallel.get(name, {}), model.get(name, {}), PER_TERM) for name in names}
    ka_texts = [p.content or "" for p in store.filter_documents(equals_filter(language="ka"))]
    return {
        "_source": {
            "parallel": "IBM Model 1 over the articles of instruments held in two languages, both directions, "
            f"geometric mean >= {MIN_SCORE}; directions without parallel text composed through a pivot language "
            f"(>= {PIVOT_MIN_SCORE})",
            "model": "the embedding model (multilingual-e5-small, bundled weights): target terms among both the "
            "10 nearest by word vector and the 25 nearest by the centroid of the passages using them"
            if embed_words is not None
            else "not used",
            "documents": used,
            "aligned_articles": aligned,
            "order": "per term, parallel-text translations first, then the model's, at most " + str(PER_TERM),
        },
        "pairs": {name: dict(sorted(table.items())) for name, table in pairs.items()},
        "surface": {"ka": surface_forms(ka_texts, "ka")},
    }


def write_term_table(table: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(table, ensure_ascii=False, indent=0, sort_keys=False) + "\n", encoding="utf-8")


@lru_cache(maxsize=1)
def load_term_table() -> dict[str, Any]:
    return json.loads(resources.files("search_api").joinpath(TABLE_RESOURCE).read_text("utf-8"))


def cross_terms(query: str, query_language: str, table: dict[str, Any] | None = None, per_term: int = 2) -> dict[str, str]:
    """For each corpus language other than the query's, the table's words for the query's words,
    as a BM25 query in that language (Georgian stems as their corpus forms)."""
    table = table or load_term_table()
    terms = index_terms(query, query_language)
    out: dict[str, str] = {}
    for language in LANGUAGES:
        if language == query_language:
            continue
        words = translate_terms(terms, table["pairs"].get(f"{query_language}>{language}", {}), per_term)
        if language == "ka":
            forms = table.get("surface", {}).get("ka", {})
            words = [form for stem in words for form in forms.get(stem, [stem])]
        if words:
            out[language] = " ".join(dict.fromkeys(words))
    return out
