"""Entry point: a ``SourceText`` in, its citable provisions out.

The document kind picks the strategy (articles for legislation, passages for rulings,
entries for a ruling index); a bare file of unknown kind or language is tried against
every strategy, in that order, since article headings are the strongest signal.
"""

from __future__ import annotations

from laborlex_core.schema import IngestError, Provision, SourceText

from ingest.structure.articles import ArticleSplit, split_articles
from ingest.structure.build import Span, to_provisions
from ingest.structure.lines import Line, split_lines
from ingest.structure.passages import entry_units, paragraph_units
from ingest.structure.patterns import PatternSet, load_patterns

LEGISLATION = ("statute", "convention", "treaty")
NO_TEXT = "no text to index"


def split_provisions(source: SourceText, patterns: PatternSet | None = None) -> list[Provision]:
    """Split ``source`` into provisions in document order (see ``articles`` for labels).

    Raises ``IngestError`` when nothing indexable is found.
    """
    patterns = patterns or load_patterns()
    path = source.meta.source or source.meta.doc_id
    if not source.text.strip():
        raise IngestError(path, NO_TEXT)
    lines = split_lines(source.text)
    spans = _spans(source, lines, patterns)
    provisions = to_provisions(source, spans, patterns.common.duplicate_label)
    if not provisions:
        raise IngestError(path, NO_TEXT)
    return provisions


def _spans(source: SourceText, lines: list[Line], patterns: PatternSet) -> list[Span]:
    kind = source.meta.kind
    text = source.text
    common = patterns.common
    if kind == "case_law":
        return paragraph_units(text, lines, common)
    if kind == "case_law_index":
        return entry_units(text, lines, common) or paragraph_units(text, lines, common)
    articles = _best_articles(source, lines, patterns)
    if articles.article_count:
        return articles.spans
    if kind not in LEGISLATION:
        entries = entry_units(text, lines, common)
        if entries:
            return entries
    return paragraph_units(text, lines, common)


def _best_articles(source: SourceText, lines: list[Line], patterns: PatternSet) -> ArticleSplit:
    """Articles by the document's language, or by whichever language finds the most."""
    language = source.meta.language
    if language in patterns.languages:
        candidates = [patterns.languages[language]]
    else:
        candidates = list(patterns.languages.values())
    best = ArticleSplit([], 0)
    for lang in candidates:
        found = split_articles(source.text, lines, lang, patterns.common, len(source.page_starts))
        if found.article_count > best.article_count:
            best = found
    return best
