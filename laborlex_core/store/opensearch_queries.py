"""OpenSearch query bodies for laborlex, as pure functions (tested as data).

Haystack filter dictionaries (the one filter language both backends accept) become
bool/term/terms/range/exists clauses here, with the same semantics as the SQL translation in
``laborlex_core.store.filters``: ``== None`` means "missing", comparisons with None match
nothing, an empty ``in`` list matches nothing, and NOT negates the AND of its conditions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from laborlex_core.store.filters import COLUMNS, FilterError
from laborlex_core.passage_text import CONTEXT_BM25_WEIGHT
from laborlex_core.schema import LANGUAGES
from laborlex_core.store.opensearch_mappings import (
    CITES_FIELD,
    HYBRID_FILTER_SINCE,
    LANGUAGE_SUBFIELDS,
    MATCH_TERMS_FIELD,
    PROVISION_FIELD,
    SENTENCES_FIELD,
    Version,
)
from laborlex_core import text_analysis

MATCH_ALL: dict[str, Any] = {"match_all": {}}
MATCH_NONE: dict[str, Any] = {"match_none": {}}
_RANGE_OPERATORS: dict[str, str] = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}
# Passage fields searched by BM25: every language analysis of the body and the context line,
# plus the reference-keeping analysis; the context line weighs what it weighs in the
# embedded store's FTS5 columns.
BM25_FIELDS: tuple[str, ...] = tuple(f"content.{sub}" for sub in (*LANGUAGE_SUBFIELDS, "ref")) + tuple(
    f"context.{sub}^{CONTEXT_BM25_WEIGHT}" for sub in (*LANGUAGE_SUBFIELDS, "ref")
)
HIGHLIGHT_FIELDS: tuple[str, ...] = tuple(f"content.{sub}" for sub in LANGUAGE_SUBFIELDS)
# Large stored fields that searches never need back.
SOURCE_EXCLUDES: tuple[str, ...] = ("embedding", "context", SENTENCES_FIELD, MATCH_TERMS_FIELD)
# Facets counted over the matches (search_api.results.FACET_FIELDS; the store cannot import it).
FACET_FIELDS: tuple[str, ...] = ("jurisdiction", "language", "kind")
# Below this many distinct values the cardinality aggregation counts exactly (its maximum),
# up to a rare hash collision; above it, within about 1% (HyperLogLog++).
CARDINALITY_PRECISION = 40_000


def field_name(field: str) -> str:
    """Haystack field → OpenSearch field: ``meta.language`` → ``language``, ``meta.x`` → ``meta.x``."""
    if field in ("id", "content"):
        return field
    name = field.removeprefix("meta.")
    if name in COLUMNS or name == CITES_FIELD:
        return name
    if not name or not name.replace("_", "").isalnum():
        raise FilterError(f"unsupported filter field {field!r}")
    return f"meta.{name}"


def translate_filters(filters: dict[str, Any] | None) -> dict[str, Any] | None:
    """A Haystack filter as one OpenSearch query clause; None when there is no filter."""
    if not filters:
        return None
    return _node(filters)


def _node(node: dict[str, Any]) -> dict[str, Any]:
    if "conditions" in node:
        op = str(node.get("operator", "")).upper()
        parts = [_node(c) for c in node["conditions"]]
        if not parts:
            return MATCH_ALL
        if op == "AND":
            return {"bool": {"filter": parts}}
        if op == "OR":
            return {"bool": {"should": parts, "minimum_should_match": 1}}
        if op == "NOT":
            return {"bool": {"must_not": [{"bool": {"filter": parts}}]}}
        raise FilterError(f"unknown logical operator {node.get('operator')!r}")
    try:
        field, op, value = node["field"], node["operator"], node["value"]
    except KeyError as missing:
        raise FilterError(f"filter condition lacks {missing}") from None
    name = field_name(field)
    if op in ("in", "not in"):
        if not isinstance(value, list):
            raise FilterError(f"operator {op!r} on {field!r} needs a list")
        if not value:
            return MATCH_NONE if op == "in" else MATCH_ALL
        terms = {"terms": {name: value}}
        return terms if op == "in" else {"bool": {"must_not": [terms]}}
    if op == "==":
        if value is None:
            return {"bool": {"must_not": [{"exists": {"field": name}}]}}
        return {"term": {name: value}}
    if op == "!=":
        if value is None:
            return {"exists": {"field": name}}
        # SQL's `col != v` is false when col is NULL; keep that: the field must exist.
        return {"bool": {"filter": [{"exists": {"field": name}}], "must_not": [{"term": {name: value}}]}}
    if op == "between":  # one range, so a multi-valued field needs one value inside both bounds
        if not isinstance(value, list) or len(value) != 2:
            raise FilterError(f"operator 'between' on {field!r} needs [low, high]")
        bounds = {k: v for k, v in (("gte", value[0]), ("lte", value[1])) if v is not None}
        return {"range": {name: bounds}} if bounds else {"exists": {"field": name}}
    if op in _RANGE_OPERATORS:
        if value is None:
            return MATCH_NONE
        return {"range": {name: {_RANGE_OPERATORS[op]: value}}}
    raise FilterError(f"unknown operator {op!r}")


def _with_filter(query: dict[str, Any], filters: dict[str, Any] | None) -> dict[str, Any]:
    clause = translate_filters(filters)
    if clause is None:
        return query
    return {"bool": {"must": [query], "filter": [clause]}}


def bm25_query(query: str) -> dict[str, Any]:
    """The lexical clause: the query analyzed by OpenSearch for each language sub-field.

    ``most_fields`` sums the sub-fields' scores, which is what an OR over every language's
    terms does in the embedded store (a word matching in several analyses counts more).
    """
    return {"multi_match": {"query": query, "fields": list(BM25_FIELDS), "type": "most_fields", "operator": "or"}}


def highlight_body(fragment_size: int = 160, fragments: int = 2) -> dict[str, Any]:
    return {
        "fields": {name: {} for name in HIGHLIGHT_FIELDS},
        "fragment_size": fragment_size,
        "number_of_fragments": fragments,
        "pre_tags": ["<mark>"],
        "post_tags": ["</mark>"],
    }


def bm25_body(query: str, filters: dict[str, Any] | None = None, top_k: int = 10, highlight: bool = True) -> dict[str, Any]:
    """``POST /<alias>/_search`` body for BM25 with filters applied as a non-scoring filter."""
    body: dict[str, Any] = {
        "size": top_k,
        "query": _with_filter(bm25_query(query), filters),
        "_source": {"excludes": list(SOURCE_EXCLUDES)},
        "sort": [{"_score": "desc"}, {"id": "asc"}],
    }
    if highlight:
        body["highlight"] = highlight_body()
    return body


# The lucene engine searches its HNSW graph with ef_search = k, so a small k means poor recall:
# ask for at least this many neighbours and cut to the page with "size".
MIN_KNN_K = 100


def knn_query(vector: Sequence[float], filters: dict[str, Any] | None, k: int) -> dict[str, Any]:
    """k-NN with the filter *inside* the knn clause (efficient filtering: filtered before top-k)."""
    clause: dict[str, Any] = {"vector": [float(x) for x in vector], "k": max(k, MIN_KNN_K)}
    translated = translate_filters(filters)
    if translated is not None:
        clause["filter"] = translated
    return {"knn": {"embedding": clause}}


def knn_body(vector: Sequence[float], filters: dict[str, Any] | None = None, top_k: int = 10) -> dict[str, Any]:
    return {
        "size": top_k,
        "query": knn_query(vector, filters, top_k),
        "_source": {"excludes": list(SOURCE_EXCLUDES)},
    }


def hybrid_body(
    query: str,
    vector: Sequence[float],
    filters: dict[str, Any] | None = None,
    top_k: int = 10,
    highlight: bool = True,
    version: Version | None = None,
) -> dict[str, Any]:
    """The native ``hybrid`` query; run with ``search_pipeline=<name>`` so scores are fused.

    From OpenSearch 3.0 the filter goes in the hybrid query's top-level ``filter``, which
    applies it to both sub-queries (to the k-NN one as an efficient filter). Older clusters
    answer 400 to that key, so there each sub-query carries the filter itself (same hits).
    ``version=None`` (unknown) means a current cluster.
    """
    translated = translate_filters(filters)
    if version is not None and version < HYBRID_FILTER_SINCE:
        hybrid: dict[str, Any] = {"queries": [_with_filter(bm25_query(query), filters), knn_query(vector, filters, top_k)]}
    else:
        hybrid = {"queries": [bm25_query(query), knn_query(vector, None, top_k)]}
        if translated is not None:
            hybrid["filter"] = translated
    body: dict[str, Any] = {
        "size": top_k,
        "query": {"hybrid": hybrid},
        "_source": {"excludes": list(SOURCE_EXCLUDES)},
    }
    if highlight:
        body["highlight"] = highlight_body()
    return body


def facet_body(field: str, filters: dict[str, Any] | None = None, size: int = 1000) -> dict[str, Any]:
    """Passage counts per value of a keyword field (no hits returned)."""
    body: dict[str, Any] = {"size": 0, "aggs": {"values": {"terms": {"field": field, "size": size}}}}
    translated = translate_filters(filters)
    if translated is not None:
        body["query"] = translated
    return body


def filter_body(filters: dict[str, Any] | None, size: int, search_after: list[Any] | None = None) -> dict[str, Any]:
    """Passages in reading order (doc, ordinal, chunk, id), paged with ``search_after``."""
    body: dict[str, Any] = {
        "size": size,
        "query": translate_filters(filters) or MATCH_ALL,
        "sort": [{"doc_id": "asc"}, {"ordinal": "asc"}, {"chunk": "asc"}, {"id": "asc"}],
    }
    if search_after is not None:
        body["search_after"] = search_after
    return body


def documents_page_body(size: int, search_after: list[Any] | None = None) -> dict[str, Any]:
    """Document records in ``doc_id`` order without their text, paged with ``search_after``
    (a plain ``size`` stops at index.max_result_window, 10,000)."""
    body: dict[str, Any] = {"size": size, "query": MATCH_ALL, "sort": [{"doc_id": "asc"}], "_source": {"excludes": ["text"]}}
    if search_after is not None:
        body["search_after"] = search_after
    return body


# ---- matches: what facets and ``total`` count (OpenSearchBackend.provision_matches) ----------


def query_terms(query: str) -> tuple[str, ...]:
    """The terms a passage must hold to match ``query`` (``text_analysis.query_terms``, as the
    embedded store matches)."""
    return text_analysis.query_terms(query, LANGUAGES)


MatchPart = tuple[tuple[str, ...], dict[str, Any] | None]


def matches_query(parts: Sequence[MatchPart]) -> dict[str, Any]:
    """Passages holding one of a part's terms under that part's filter, for any part (the query
    under the user's filters; translated terms within their language)."""
    clauses = []
    for terms, filters in parts:
        if not terms:
            continue
        holds: dict[str, Any] = {"terms": {MATCH_TERMS_FIELD: list(terms)}}
        translated = translate_filters(filters)
        clauses.append({"bool": {"filter": [holds] if translated is None else [holds, translated]}})
    if not clauses:
        return MATCH_NONE
    return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}


def _provisions() -> dict[str, Any]:
    return {"cardinality": {"field": PROVISION_FIELD, "precision_threshold": CARDINALITY_PRECISION}}


def _counting(facet_fields: Sequence[str]) -> dict[str, Any]:
    aggs: dict[str, Any] = {"provisions": _provisions()}
    for name in facet_fields:
        aggs[f"facet_{name}"] = {"terms": {"field": name, "size": 1000}, "aggs": {"provisions": _provisions()}}
    return aggs


def matches_count_body(
    parts: Sequence[MatchPart], facet_fields: Sequence[str] = FACET_FIELDS, narrowing: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Distinct matching provisions, in all and per value of each facet field (no hits); with
    ``narrowing``, the same counted again under it (``narrowed``) by the same request."""
    aggs = _counting(facet_fields)
    narrowed = translate_filters(narrowing)
    if narrowed is not None:
        aggs["narrowed"] = {"filter": narrowed, "aggs": _counting(facet_fields)}
    return {"size": 0, "track_total_hits": False, "query": matches_query(parts), "aggs": aggs}


def included_body(
    keys: Sequence[str],
    parts: Sequence[MatchPart],
    facet_fields: Sequence[str] = FACET_FIELDS,
    narrowing: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """For the ranked provisions (``provision`` keywords): which the index holds, with their
    facet values (and whether they pass ``narrowing``), and which of them match (those are
    already in the count)."""
    size = max(len(keys), 1)
    held: dict[str, Any] = {name: {"terms": {"field": name, "size": 1}} for name in facet_fields}
    narrowed = translate_filters(narrowing)
    if narrowed is not None:
        held["narrowed"] = {"filter": narrowed}
    return {
        "size": 0,
        "track_total_hits": False,
        "query": {"terms": {PROVISION_FIELD: list(keys)}},
        "aggs": {
            "held": {"terms": {"field": PROVISION_FIELD, "size": size}, "aggs": held},
            "matched": {
                "filter": matches_query(parts),
                "aggs": {"keys": {"terms": {"field": PROVISION_FIELD, "size": size}}},
            },
        },
    }


def matches_page_body(
    query: str,
    parts: Sequence[MatchPart],
    translated: Sequence[tuple[str, dict[str, Any] | None]],
    exclude: Sequence[str],
    offset: int,
    size: int,
) -> dict[str, Any]:
    """Matching provisions outside ``exclude``, one passage each (collapsed on ``provision``),
    ranked by BM25 of the query (and of each translated text within its filter), from ``offset``."""
    scoring: list[dict[str, Any]] = [bm25_query(query)] if query.strip() else []
    scoring += [_with_filter(bm25_query(text), within) for text, within in translated if text.strip()]
    boolean: dict[str, Any] = {"filter": [matches_query(parts)], "should": scoring}
    if exclude:
        boolean["must_not"] = [{"terms": {PROVISION_FIELD: list(exclude)}}]
    return {
        "from": offset,
        "size": size,
        "query": {"bool": boolean},
        "collapse": {"field": PROVISION_FIELD},
        "sort": [{"_score": "desc"}, {"id": "asc"}],
        "_source": {"excludes": list(SOURCE_EXCLUDES)},
    }
