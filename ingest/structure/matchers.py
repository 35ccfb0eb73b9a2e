"""Classify one line: is it an article heading, a structural heading, a boundary…?

Every function here looks at a single stripped line and the language's patterns; the
splitter decides what a hit means in context (zone, sequence, position in the document).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.structure.labels import article_label, group, ordinal_value
from ingest.structure.patterns import CommonPatterns, LanguagePatterns


@dataclass(frozen=True, slots=True)
class UnitHit:
    """A unit heading found in a line: its label, its unit, and where in the line it starts."""

    label: str
    unit: str
    column: int = 0


@dataclass(frozen=True, slots=True)
class HeadingHit:
    level: int
    text: str
    has_title: bool


def is_boundary(text: str, common: CommonPatterns) -> bool:
    """Fragment separators and bracketed source notes: not legal text, and they cut context."""
    return any(p.match(text) for p in common.boundaries)


def _rest_is_heading_like(match: re.Match[str], lang: LanguagePatterns) -> bool:
    rest = group(match, "rest")
    if not rest.strip():
        return True
    if not (group(match, "dot") or group(match, "sep")):
        return False  # "Artículo 123 Constitucional": a reference, not a heading
    return not (lang.reject_rest and lang.reject_rest.search(rest))


def match_article(text: str, lang: LanguagePatterns) -> UnitHit | None:
    """An article/section heading at the start of the line."""
    for pattern in lang.articles:
        m = pattern.regex.match(text)
        if m and _rest_is_heading_like(m, lang):
            return UnitHit(article_label(m, lang.suffix_words), pattern.unit)
    return None


def match_quote_introducer(text: str, lang: LanguagePatterns) -> UnitHit | None:
    """'El artículo 326 del código … establece lo siguiente.': the next lines are that article."""
    for pattern in lang.quote_introducers:
        m = pattern.regex.search(text)
        if m:
            return UnitHit(m.group("num"), pattern.unit)
    return None


def find_inline_articles(text: str, lang: LanguagePatterns, last_number: int | None) -> list[UnitHit]:
    """Article headings running inside a line (OCR that lost line breaks).

    Mid-line "Article 19" is usually a cross-reference, so an inline heading is accepted
    only if it continues the numbering: the next number after the last article seen.
    """
    candidates = sorted(
        (m.start(), int(m.group("num")), m.group("num"), p.unit)
        for p in lang.inline_articles
        for m in p.regex.finditer(text)
        if m.start() > 0
    )
    expected = 1 if last_number is None else last_number + 1
    hits: list[UnitHit] = []
    for column, number, label, unit in candidates:
        if number == expected:
            hits.append(UnitHit(label, unit, column))
            expected = number + 1
    return hits


def match_heading(text: str, lang: LanguagePatterns) -> HeadingHit | None:
    """A book/title/chapter/section heading; has_title says whether its name is on the line."""
    for pattern in lang.headings:
        m = pattern.regex.match(text)
        if not m:
            continue
        title = group(m, "title").strip()
        if lang.reject_title and title and lang.reject_title.search(title):
            continue
        if pattern.level < 0:
            return HeadingHit(len(group(m, "hashes")) - 1, title, True)
        return HeadingHit(pattern.level, text, bool(title))
    return None


def is_instrument_marker(text: str, lang: LanguagePatterns) -> bool:
    """A line that starts an embedded instrument (a convention inside its ratification law)."""
    return any(p.match(text) for p in lang.instrument_markers)


def match_transitional_article(text: str, lang: LanguagePatterns) -> str | None:
    """The number of a transitional/decree article: '1' for 'Artículo 1o.-', '11' for
    'Décimo Primero.', 'Único' for 'ÚNICO.-'; None if the line is not such a heading."""
    rules = lang.transitional
    if rules is None:
        return None
    hit = match_article(text, lang)
    if hit is not None:
        return hit.label
    m = rules.ordinal_heading.match(text)
    if not m or (lang.reject_rest and lang.reject_rest.search(group(m, "rest"))):
        return None
    return ordinal_value(m.group("words"), rules)
