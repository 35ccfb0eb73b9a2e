"""Legal references typed as a query: "art. 48 LFT", "artículo 22 bis", "§ 207", "მუხლი 27",
"29 U.S.C. § 207", "Convenio 182".

A judge who types a reference wants that provision, first, not passages that share its
words. The citation extractor that reads the corpus (``laborlex_core.citations``) reads the
query in each corpus language; a bare "art. 48" in a query names no instrument, so the
instrument is taken from elsewhere in the query ("… LFT") or left open (every document's
article 48, in the order search ranks them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from laborlex_core.citations import CitingContext, extract_citations
from laborlex_core.schema import LANGUAGES
from search_api.translations import instrument_id

_QUERY = "\u0000query"  # the citing "document" of a query: an article citing it names no instrument
# Bare forms that read as references only in a query ("§ 207", "მუხლი 27", "article 48").
_BARE_ARTICLE = re.compile(
    r"(?:\bart(?:[íi]culos?|icles?|s?)\.?|§{1,2}|\bsec(?:tion|\.)|მუხლი)\s*(\d+(?:\.\d+)?)"
    r"(?:\s*(bis|ter|qu[áa]ter|quinquies|sexies)\b)?",
    re.IGNORECASE,
)
_GEORGIAN_ORDINAL = re.compile(r"(?:მე-)?(\d+)(?:-ე)?\s+მუხლ")
_SUFFIX = {"bis": "Bis", "ter": "Ter", "quater": "Quáter", "quáter": "Quáter", "quinquies": "Quinquies", "sexies": "Sexies"}


@dataclass(frozen=True, slots=True)
class QueryReference:
    """A provision (or, with no article, an instrument) the query names; doc None = any document."""

    doc_id: str | None
    article: str | None
    text: str


def _bare_articles(query: str) -> list[tuple[str, str]]:
    found = [
        (m.group(1) + (f" {_SUFFIX[m.group(2).lower()]}" if m.group(2) else ""), m.group(0))
        for m in _BARE_ARTICLE.finditer(query)
    ]
    found += [(m.group(1), m.group(0)) for m in _GEORGIAN_ORDINAL.finditer(query)]
    return found


def query_references(query: str) -> list[QueryReference]:
    """The provisions and instruments a query names, resolved where the corpus holds them."""
    citations = [
        c for language in LANGUAGES for c in extract_citations(query, CitingContext(doc_id=_QUERY, article="", language=language))
    ]
    instruments = list(dict.fromkeys(c.target_doc for c in citations if c.target_doc not in (None, _QUERY) and not c.target_article))
    articles: dict[tuple[str | None, str], str] = {}
    for citation in citations:
        if citation.target_article and citation.target_doc not in (None, _QUERY):
            articles.setdefault((citation.target_doc, citation.target_article), citation.text)
    open_articles = [(c.target_article, c.text) for c in citations if c.target_doc == _QUERY and c.target_article]
    open_articles += _bare_articles(query)
    resolved_numbers = {article for _, article in articles}
    for article, text in open_articles:
        if article in resolved_numbers:
            continue
        for doc in instruments or [None]:
            articles.setdefault((doc, article), text)
    references = [QueryReference(doc, article, text) for (doc, article), text in articles.items()]
    named = {instrument_id(doc) for doc, _ in articles if doc}
    for doc in instruments:  # read in several languages, one instrument may resolve to two versions
        if instrument_id(doc) not in named:
            named.add(instrument_id(doc))
            references.append(QueryReference(doc, None, doc))
    return references
