"""Question words and filler of plain-language questions, dropped before BM25 (a lever).

People ask "¿qué pasa si mi jefe no me paga las horas extra?" or "what can an inspector do
when…": besides the words of the law, a question carries interrogatives, auxiliaries and
pronouns that the index's short stopword list (``laborlex_core/stopwords.json``) lets through.
BM25 runs the query's words as an OR, so each such word brings passages that share nothing
else with the question.

The word lists are data (``search_api/data/query_filler.json``), rebuilt by
``laborlex filler`` from named sources, never from a judged query:

* Spanish and English: the lists of the PyPI package ``stopwords`` (1.0.2; function words,
  interrogatives, auxiliaries, pronouns), minus every word whose Snowball stem is the stem of
  a word in the index's titles and headings. The Spanish list also holds subject words
  ("trabajo", "trabajar", "empleo"); a word the statutes use to name a chapter or an article
  is a word of the law, not filler, whatever the list says. (stopwords-iso was tried first:
  its lists are ten times longer and keep "horas", "tiempo", "work" even after that filter.)
* Georgian: no stopword collection installable here has Georgian (stopwords-iso,
  ``stopwords``, ``stop-words``), so its list comes from corpus document frequency: the words
  in at least ``KA_MIN_SHARE`` of the Georgian passages, minus heading words, as above.

``LABORLEX_QUERY_FILLER``: ``keep`` (off), ``bm25`` (dropped from the BM25 query and from the
words the term table translates), ``all`` (also from the text the model embeds).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import Stemmer

from laborlex_core.store.base import SearchBackend
from laborlex_core.text_analysis import fold_accents, tokenize

FILLER_RESOURCE = "data/query_filler.json"
KA_MIN_SHARE = 0.2  # a Georgian word in a fifth of the Georgian passages says nothing about a question
_WORD = re.compile(r"\w+", re.UNICODE)


def _key(word: str) -> str:
    return fold_accents(word.lower())


@lru_cache(maxsize=4)
def load_filler(path: str | None = None) -> frozenset[str]:
    """Every language's filler words, accent-folded and lower-cased, as one set: a question's
    language is a guess, and no word of one list is a word of the law in another (headings
    of every language were removed when the lists were built)."""
    raw = json.loads(Path(path).read_text("utf-8") if path else resources.files("search_api").joinpath(FILLER_RESOURCE).read_text("utf-8"))
    return frozenset(_key(w) for lang, words in raw.items() if not lang.startswith("_") for w in words)


@lru_cache(maxsize=1024)
def strip_filler(query: str, filler: frozenset[str] | None = None) -> str:
    """The query without its filler words, the rest as typed and in order; digits always stay
    (article numbers), and a query made only of filler is returned whole. Cached: a search
    strips its query for the model and again for BM25 (~0.1 ms each on a slow 2-core host)."""
    words = filler if filler is not None else load_filler()
    kept = [m.group(0) for m in _WORD.finditer(query) if any(c.isdigit() for c in m.group(0)) or _key(m.group(0)) not in words]
    return " ".join(kept) if kept else query


def heading_words(store: SearchBackend) -> set[str]:
    """The words of the index's titles and headings (every language): the law's subject words."""
    words: set[str] = set()
    for passage in store.filter_documents(None):
        for text in [passage.meta.get("title") or "", *(passage.meta.get("heading_path") or [])]:
            words.update(_key(t) for t in tokenize(str(text)))
    return words


def _stems(words: set[str]) -> set[str]:
    """Each word's Spanish and English Snowball stems (and the word itself)."""
    stems = set(words)
    for algorithm in ("spanish", "english"):
        stems.update(Stemmer.Stemmer(algorithm).stemWords(sorted(words)))
    return stems


def frequent_words(store: SearchBackend, language: str, min_share: float) -> set[str]:
    """Words in at least ``min_share`` of a language's passages (document frequency)."""
    passages = [p for p in store.filter_documents(None) if p.meta.get("language") == language]
    counts: Counter[str] = Counter()
    for passage in passages:
        counts.update({_key(t) for t in tokenize(passage.content or "") if not any(c.isdigit() for c in t)})
    return {word for word, n in counts.items() if passages and n / len(passages) >= min_share}


def build_filler(store: SearchBackend, collections: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The filler lists from the named sources (see the module's docstring). ``collections``
    (language → words) replaces stopwords-iso, for tests."""
    if collections is None:
        import stopwords  # only needed to rebuild the file

        collections = {lang: sorted(stopwords.get_stopwords(lang)) for lang in ("es", "en")}
    subjects = heading_words(store)
    subject_stems = _stems(subjects)
    table: dict[str, Any] = {}
    removed: dict[str, list[str]] = {}
    for lang, words in sorted(collections.items()):
        keys = {_key(w) for w in words if _WORD.fullmatch(w) and not any(c.isdigit() for c in w)}  # queries are read word by word
        table[lang] = sorted(w for w in keys if not (_stems({w}) & subject_stems))
        removed[lang] = sorted(keys - set(table[lang]))
    ka = frequent_words(store, "ka", KA_MIN_SHARE) - subjects
    table["ka"] = sorted(ka)
    table["_source"] = {
        "es, en": "the lists of the PyPI package stopwords 1.0.2, minus every word sharing a Snowball stem (es or en) with a word of the index's titles and headings",
        "ka": f"corpus document frequency: words in at least {KA_MIN_SHARE:.0%} of the Georgian passages, minus heading words (no packaged Georgian stopword list exists here)",
        "kept_as_heading_words": removed,
        "not_from": "no judged query: the lists depend on the packages and the index only",
        "rebuild": "laborlex filler",
    }
    return table


def write_filler(table: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(table, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    load_filler.cache_clear()
