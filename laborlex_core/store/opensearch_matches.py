"""Counting and paging what a query matches on OpenSearch: facets and ``total`` of a search page.

The embedded store answers ``provision_matches`` from masks over its per-query scores
(``ProvisionMatches``); this is the same contract on a cluster, from aggregations:

* a provision matches when one of its passages holds one of the query's terms as laborlex's
  own analysis makes them (``match_terms``, the embedded BM25 index's terms), under the
  user's filters, or one of a further (text, filter) pair's terms (translated words within
  their language); dense similarity alone never makes a match, as in the embedded store;
* the ranked provisions (``include``: found by meaning, through translations, as another
  language version) count too, once, whether or not they match;
* provisions are distinct (doc_id, article) pairs (the ``provision`` keyword), counted with a
  ``cardinality`` aggregation: exact below ``CARDINALITY_PRECISION`` distinct values but for a
  rare hash collision, within about 1% above.

One ``_msearch`` carries both lines (the count with its facets, and the ranked provisions'
membership and facet values), and with a facet selection on, the count under it too (filter
aggregations of the same lines); the page past the ranking is asked for only when shown. It
cannot ride in the ranked lists' own ``_msearch``: which ranked provisions the count lacks is
known only once the ranking is done (see docs/opensearch.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from haystack import Document

from laborlex_core.store import opensearch_mappings as mappings
from laborlex_core.store import opensearch_queries as queries
from laborlex_core.store.base import ListRequest
from laborlex_core.store.filters import combine, filter_fields

if TYPE_CHECKING:
    from laborlex_core.store.opensearch import OpenSearchBackend

# from + size of a collapsed page must stay within the index's max_result_window (default).
MAX_RESULT_WINDOW = 10_000
# Fields every passage of a document holds alike: a filter on them alone keeps or drops a
# provision whole, so its matches are the wider count's, filtered (``count_matches``).
DOCUMENT_FIELDS: frozenset[str] = frozenset({"doc_id", "jurisdiction", "language", "kind"})


def _sorted_counts(counts: dict[str, int]) -> dict[str, int]:
    """Most provisions first, then by value (the embedded store's order)."""
    return dict(sorted(((k, n) for k, n in counts.items() if n), key=lambda kv: (-kv[1], kv[0])))


@dataclass(slots=True)
class OpenSearchMatches:
    """Provisions matching a query under a filter: their number, facet counts, and pages."""

    store: OpenSearchBackend
    query: str
    parts: list[queries.MatchPart]
    translated: list[tuple[str, dict[str, Any] | None]]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    narrowing: tuple[dict[str, Any], OpenSearchMatches] | None = None  # (facet selection, its matches)

    def facet_counts(self, fields: Sequence[str]) -> dict[str, dict[str, int]]:
        """Provisions per value of each field (a provision counts once, by its document)."""
        unknown = [name for name in fields if name not in self.facets]
        if unknown:
            raise ValueError(f"no facet counted on {', '.join(unknown)} (counted: {', '.join(self.facets)})")
        return {name: dict(self.facets[name]) for name in fields}

    def narrowed(self, facet_filter: dict[str, Any] | None) -> OpenSearchMatches | None:
        """Itself without a facet filter; the matches under ``facet_filter`` too where the
        request that counted these counted them (``provision_matches(narrowing=...)``);
        otherwise None (aggregations keep no per-provision state to mask afterwards)."""
        if not facet_filter:
            return self
        if self.narrowing is not None and self.narrowing[0] == facet_filter:
            return self.narrowing[1]
        return None

    def page(self, exclude: set[tuple[str, str]], offset: int, limit: int) -> list[Document]:
        """Matching provisions not in ``exclude``, best passage each by OpenSearch's BM25 of the
        query, from ``offset`` (pages past the index's result window, 10,000, come back empty)."""
        size = min(limit, MAX_RESULT_WINDOW - offset)
        if size <= 0:
            return []
        keys = [mappings.provision_value(d, a) for d, a in sorted(exclude)]
        body = queries.matches_page_body(self.query, self.parts, self.translated, keys, offset, size)
        hits = self.store._search(body)["hits"]["hits"]
        return self.store._documents(ListRequest(query=self.query), hits)  # scored as a BM25 list


def _counts(aggregations: dict[str, Any]) -> tuple[int, dict[str, dict[str, int]]]:
    """(distinct provisions, provisions per facet value) of a ``matches_count_body`` level."""
    facets = {
        name: {str(b["key"]): int(b["provisions"]["value"]) for b in aggregations[f"facet_{name}"]["buckets"]}
        for name in queries.FACET_FIELDS
    }
    return int(aggregations["provisions"]["value"]), facets


def _add_included(total: int, facets: dict[str, dict[str, int]], bucket: dict[str, Any]) -> int:
    """Count a ranked provision the matches lack: once in ``total`` and under its facet values."""
    for name in queries.FACET_FIELDS:
        values = bucket[name]["buckets"]
        if values:
            value = str(values[0]["key"])
            facets[name][value] = facets[name].get(value, 0) + 1
    return total + 1


def count_matches(
    store: OpenSearchBackend,
    query: str,
    filters: dict[str, Any] | None,
    include: Sequence[tuple[str, str]],
    also: Sequence[tuple[str, dict[str, Any] | None]],
    narrowing: dict[str, Any] | None = None,
) -> OpenSearchMatches:
    """Count the matches of ``query`` (and of ``also``) under the filters plus ``include``, in
    one ``_msearch``: the matches' aggregations, and the ranked provisions' line. A
    ``narrowing`` on fields every passage of a document shares (a facet selection) is counted
    by filter aggregations of the same two lines: a provision passes it or fails it whole."""
    parts: list[queries.MatchPart] = [(queries.query_terms(text), within) for text, within in ((query, filters), *also)]
    keys = list(dict.fromkeys(mappings.provision_value(d, a) for d, a in include))
    if narrowing and not filter_fields(narrowing) <= DOCUMENT_FIELDS:
        narrowing = None  # varies within a provision: the caller counts it by its own request
    lines: list[dict[str, Any]] = [{"index": store.alias}, queries.matches_count_body(parts, narrowing=narrowing)]
    if keys:
        lines += [{"index": store.alias}, queries.included_body(keys, parts, narrowing=narrowing)]
    responses = store._call(lambda: store.client.msearch(body=lines))["responses"]
    for response in responses:
        if "error" in response:
            raise RuntimeError(f"OpenSearch could not count the matches of {query!r}: {str(response['error'])[:300]}")
    aggregations = responses[0]["aggregations"]
    total, facets = _counts(aggregations)
    narrow_total, narrow_facets = _counts(aggregations["narrowed"]) if narrowing else (0, {})
    if keys:
        included = responses[1]["aggregations"]
        matched = {b["key"] for b in included["matched"]["keys"]["buckets"]}
        for bucket in included["held"]["buckets"]:
            if bucket["key"] in matched:
                continue  # already counted among the matches
            total = _add_included(total, facets, bucket)
            if narrowing and bucket["narrowed"]["doc_count"]:
                narrow_total = _add_included(narrow_total, narrow_facets, bucket)
    matches = OpenSearchMatches(store, query, parts, list(also), total, {name: _sorted_counts(c) for name, c in facets.items()})
    if narrowing:
        within = [(terms, combine(part_filters, narrowing)) for terms, part_filters in parts]
        translated = [(text, combine(part_filters, narrowing)) for text, part_filters in also]
        counted = {name: _sorted_counts(c) for name, c in narrow_facets.items()}
        matches.narrowing = (narrowing, OpenSearchMatches(store, query, within, translated, narrow_total, counted))
    return matches
