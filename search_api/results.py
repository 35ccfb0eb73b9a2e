"""A page of search results with the number of provisions found and facet counts.

What "found" means (docs/api.md): a provision matches a query when one of its passages
holds one of the words the BM25 lists search (the query without its filler words, unless
``LABORLEX_QUERY_FILLER=keep``), analyzed as BM25 analyzes them (stemmed per language,
accents folded), or (hybrid) one of those words translated by the term table into the
passage's language, or when the ranking returned it (by meaning, through translated words, as a
cited provision or as another language version). ``total`` counts the matches under all
the filters; facet counts count them under the filters other than jurisdiction, language
and kind, so a user filtering on Mexico still sees how many answers Honduras holds (the
ranked provisions are counted in both). Pages run through the ranking first, then through
the remaining word matches by their best BM25 passage, to the last match. The ranking is
taken to ``RANKED_DEPTH`` provisions whatever the page, so every page agrees on ``total``.

The counts come from the store's scores of this query (the same per-query scoring the
ranked lists used, masked by the filters): no second search runs for the facets, the
matches under the facet selection are the facet scope's narrowed by provision (counted
once), and rows are read only for the page shown. OpenSearch counts the same matches with
aggregations, both scopes in one request (laborlex_core/store/opensearch_matches.py); both
answer ``SearchBackend.provision_matches``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


from laborlex_core.settings import Settings
from laborlex_core.store.base import SearchBackend
from laborlex_core.store.filters import combine, equals_filter
from search_api.branches import profile_query
from search_api.citation_views import with_citation_counts
from search_api.explain import explain_document
from search_api.handoff import provision_keys
from search_api.pipeline import Mode
from search_api.query_filler import strip_filler
from search_api.search import Searcher, SearchHit

FACET_FIELDS: tuple[str, ...] = ("jurisdiction", "language", "kind")
# Provisions taken from the ranking, whatever the page: every page of one query sees the same
# ranking (so the same total), and pages past it continue with the remaining word matches.
RANKED_DEPTH = 100


@dataclass(slots=True)
class SearchPage:
    """One page of results, the number of provisions found, and facet counts over them."""

    hits: list[SearchHit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def search_page(
    settings: Settings,
    store: SearchBackend,
    searcher: Searcher,
    query: str,
    mode: Mode = "hybrid",
    scope: dict[str, Any] | None = None,
    facet_filter: dict[str, Any] | None = None,
    limit: int = 10,
    offset: int = 0,
    explain: bool = False,
) -> SearchPage:
    """Search once under ``scope`` and ``facet_filter`` (the user's jurisdiction, language and
    kind choices), page through the ranking and then the remaining matches, count facets under
    ``scope`` alone; with ``explain`` each hit says why it was found (search_api.explain)."""
    filters = combine(scope, facet_filter)
    ranked, vector = searcher.run(query, mode, filters, top_k=RANKED_DEPTH)
    keys = provision_keys(ranked)  # the page's rows only are read (handoff.ProvisionList)
    strip = settings.query_filler != "keep"  # the words the BM25 lists searched, and their translations
    words = strip_filler(query) if strip else query
    translated = profile_query(query, strip).expansions if mode == "hybrid" else {}

    def within(base: dict[str, Any] | None) -> list[tuple[str, dict[str, Any] | None]]:
        return [(terms, combine(base, equals_filter(language=language))) for language, terms in translated.items()]

    in_scope = store.provision_matches(words, scope, include=keys, also=within(scope), narrowing=facet_filter)
    matches = in_scope.narrowed(facet_filter)
    if matches is None:  # the selection reads a field that varies within a provision: count again
        matches = store.provision_matches(words, filters, include=keys, also=within(filters))
    total, facets = matches.total, in_scope.facet_counts(FACET_FIELDS)
    page = ranked[offset : offset + limit]
    if len(page) < limit and offset + len(page) < total:
        page = page + matches.page(set(keys), max(0, offset - len(ranked)), limit - len(page))
    hits = with_citation_counts(store, searcher.hits(page, query, vector))
    if explain:
        for document, hit in zip(page, hits):
            hit.explanation = explain_document(document, query, mode, settings, store, vector)
    return SearchPage(hits=hits, total=total, facets=facets)


def compare(
    store: SearchBackend, searcher: Searcher, query: str, jurisdictions: list[str], mode: Mode = "hybrid", limit: int = 3
) -> list[tuple[str, list[SearchHit]]]:
    """The best provisions for one question in each jurisdiction, in the order asked (the
    query is embedded and scored once; each column is a filtered cut of the same scores)."""
    return [
        (
            j,
            with_citation_counts(
                store, searcher.search(query, mode, {"field": "meta.jurisdiction", "operator": "==", "value": j}, limit)
            ),
        )
        for j in jurisdictions
    ]
