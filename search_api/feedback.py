"""Cross-lingual pseudo-relevance feedback: the model finds, BM25 sharpens.

The embedding model crosses languages but ranks coarsely; BM25 ranks sharply but only in
the query's words. For each other corpus language, the first passages the model finds in it
(the ``dense/<language>`` lists) supply the words they share, and those words are searched
with BM25 in that language (``feedback/<language>``). Nothing here is learnt or kept: the
words come from the passages of this query alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from haystack import Document, component

from laborlex_core.schema import LANGUAGES
from laborlex_core.store.base import ListRequest
from laborlex_core.store.filters import combine, equals_filter
from laborlex_core.text_analysis import analyze
from search_api.branches import ListBranches, branch_name
from search_api.fusion import RankedLists
from search_api.handoff import SharedFilters, filter_dict

FEEDBACK_PASSAGES = 3  # the model's first passages per language that give the words
FEEDBACK_TERMS = 12  # words searched per language


def feedback_terms(passages: Sequence[Document], language: str, size: int = FEEDBACK_TERMS) -> list[str]:
    """Index terms shared by at least two of ``passages`` (all of them when only one), most
    widely shared first, then most frequent; numbers left out (article numbers differ)."""
    counts = [Counter(t for t in analyze(p.content or "", language) if not t.isdigit() and len(t) > 2) for p in passages]
    if not counts:
        return []
    spread: Counter[str] = Counter(term for c in counts for term in c)
    total: Counter[str] = sum(counts, Counter())
    needed = 2 if len(counts) > 1 else 1
    shared = [t for t in spread if spread[t] >= needed]
    shared.sort(key=lambda t: (-spread[t], -total[t], t))
    return shared[:size]


@component
class FeedbackBranches(ListBranches):
    """BM25 lists, one per other language, for the words of the model's first passages there."""

    @component.output_types(lists=RankedLists)
    def run(
        self, semantic: RankedLists, query: str, filters: SharedFilters | dict[str, Any] | None = None
    ) -> dict[str, RankedLists]:
        if not self._wanted("feedback"):
            return {"lists": RankedLists({})}
        filters, profile = filter_dict(filters), self._profile(query)
        wanted: dict[str, ListRequest] = {}  # asked together: one round trip on a server backend
        for language in LANGUAGES:
            if language == profile.language:
                continue
            found = semantic.get(branch_name("dense", language)) or []
            terms = feedback_terms(found[:FEEDBACK_PASSAGES], language)
            if terms:
                within = combine(filters, equals_filter(language=language))
                wanted[branch_name("feedback", language)] = ListRequest(query=" ".join(terms), filters=within, top_k=self.top_k)
        lists: dict[str, list[Document]] = dict(zip(wanted, self.document_store.ranked_lists(list(wanted.values())))) if wanted else {}
        return {"lists": RankedLists(lists)}
