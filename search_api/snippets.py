"""Snippets with the query's terms marked, matched the way BM25 matched them.

Words are compared after the same analysis as the index (stemmed in the passage's
language, accents folded), so "indemnizacion" marks "indemnización" and "despidos"
marks "despido".
"""

from __future__ import annotations

import re
from functools import lru_cache

from laborlex_core.schema import LANGUAGES
from laborlex_core.snippet_sentences import sentences  # noqa: F401  (the split lives below ingest and search)
from laborlex_core.text_analysis import analyze, query_terms

_WORD = re.compile(r"\w+", re.UNICODE)


def highlight_spans(text: str, query: str, language: str | None) -> list[tuple[int, int]]:
    """Character spans of the words in ``text`` that match a query term."""
    wanted = query_terms(query, LANGUAGES)
    if not wanted:
        return []
    spans = []
    for match in _WORD.finditer(text):
        term = _first_term(match.group(), language)
        if term is not None and term in wanted:
            spans.append(match.span())
    return spans


@lru_cache(maxsize=1 << 16)
def _first_term(word: str, language: str | None) -> str | None:
    """The index term of one word (None for a stopword): every result of every query runs
    each of its words through this, and the words of a corpus repeat."""
    terms = analyze(word, language)
    return terms[0] if terms else None


def best_window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """The ``width``-character stretch holding the most highlighted words, on word boundaries."""
    if len(text) <= width:
        return 0, len(text)
    start = 0
    if spans:
        best_count = -1
        for first, (a, _) in enumerate(spans):
            count = sum(1 for s, e in spans[first:] if e <= a + width)
            if count > best_count:
                best_count, start = count, max(0, a - width // 6)
    end = min(len(text), start + width)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 40 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    return start, end


def make_snippet(text: str, query: str, language: str | None, width: int = 320) -> tuple[str, list[tuple[int, int]]]:
    """A snippet of ``text`` and the spans (relative to the snippet) of the words to mark."""
    text = " ".join(text.split())
    spans = highlight_spans(text, query, language)
    start, end = best_window(text, spans, width)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    inside = [(a + shift, b + shift) for a, b in spans if a >= start and b <= end]
    return prefix + text[start:end] + suffix, inside


def mark(snippet: str, spans: list[tuple[int, int]], before: str = "**", after: str = "**") -> str:
    """Render highlights with markers (Markdown bold by default)."""
    out, last = [], 0
    for a, b in spans:
        out.append(snippet[last:a])
        out.append(before + snippet[a:b] + after)
        last = b
    out.append(snippet[last:])
    return "".join(out)
