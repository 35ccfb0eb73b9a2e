"""The OpenSearch index design, as pure functions that return request bodies.

Kept apart from the client code so every analyzer, mapping and alias action can be checked
as data in tests without a cluster. Design (see docs/opensearch.md):

* passages live in an index ``<alias>-<timestamp>`` reached through the alias ``<alias>``,
  so ``reindex`` can build a new index (new analyzers need a new index) and swap the alias
  in one atomic ``_aliases`` call;
* ``content`` and ``context`` (the context line) are multi-fields with one sub-field per
  language: OpenSearch analyzes queries itself, so stemming happens per sub-field and a
  query is matched against all of them (cross-lingual queries are the norm here);
* Georgian has no analyzer in Lucene: standard tokenizer + lowercase, the vectors carry it;
* ``.ref`` keeps joined legal references whole ("330-A", "153-F", "2a./J.") next to their parts
  (whitespace tokens, so "22 Bis" and "§ 207" are two adjacent tokens each);
* every filterable field is a ``keyword`` (``date`` too: filters compare ISO strings, as
  the embedded store does);
* document records (metadata + extracted text) live in a small ``<alias>-docs`` index.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

EMBEDDING_DIM = 384  # the default model's; setup passes the model's own dimension
# Lucene refuses a term over 32,766 bytes ("immense term") and with it the whole passage; 8,191
# characters always fit in UTF-8 (4 bytes each at most). Longer keyword values are still stored
# in _source but not indexed, so one long meta string can no longer reject a passage.
KEYWORD_IGNORE_ABOVE = 8191
Version = tuple[int, int, int]
# What the native hybrid path needs, by OpenSearch version (neural-search plugin installed):
SCORE_RANKER_SINCE: Version = (2, 19, 0)  # score-ranker-processor (RRF)
FLAT_RANK_CONSTANT_SINCE: Version = (3, 1, 0)  # combination.rank_constant read; 2.19-3.0 use 60
HYBRID_FILTER_SINCE: Version = (3, 0, 0)  # the hybrid query's top-level "filter"
DEFAULT_RANK_CONSTANT = 60


def parse_version(number: str) -> Version:
    """``"3.5.0"`` / ``"2.19.1-SNAPSHOT"`` → ``(3, 5, 0)`` / ``(2, 19, 1)``."""
    parts = number.split("-", 1)[0].split(".")
    try:
        numbers = [int(p) for p in parts[:3]]
    except ValueError:
        raise ValueError(f"unreadable OpenSearch version {number!r}") from None
    major, minor, patch = (numbers + [0, 0, 0])[:3]
    return major, minor, patch
LANGUAGE_SUBFIELDS: tuple[str, ...] = ("es", "en", "ka")
# Keyword fields a Haystack filter on ``meta.<name>`` maps to directly (same set as the
# embedded store's columns in laborlex_core.store.filters.COLUMNS).
KEYWORD_FIELDS: tuple[str, ...] = ("doc_id", "language", "jurisdiction", "kind", "date", "article", "unit", "title")
INTEGER_FIELDS: tuple[str, ...] = ("ordinal", "chunk")
CITES_FIELD = "cites"
CITATIONS_FIELD = "citations"
# Snippet sentence vectors computed at ingest (laborlex_core.snippet_sentences), base64 of the
# passage's block: neither indexed nor searched, left out of search hits' _source, and read
# for a result page only (OpenSearchBackend.sentence_vectors).
SENTENCES_FIELD = "sentence_vectors"
SENTENCES_MAPPING: dict[str, Any] = {"type": "binary"}
# What counting matches needs (facets and ``total``, OpenSearchBackend.provision_matches):
# ``provision`` is the (doc_id, article) a result is, as one keyword to aggregate and collapse
# on; ``match_terms`` are the passage's terms as laborlex's own analysis makes them (what the
# embedded store's BM25 index holds), so "a passage holds one of the query's words" means the
# same on both backends. OpenSearch's per-language sub-fields cannot serve: every passage is
# analyzed by every language there, so "de" or "the" (a stopword in one language only) would
# match nearly every passage of the other.
PROVISION_FIELD = "provision"
MATCH_TERMS_FIELD = "match_terms"
MATCH_FIELDS_MAPPING: dict[str, dict[str, Any]] = {
    PROVISION_FIELD: {"type": "keyword", "ignore_above": KEYWORD_IGNORE_ABOVE},
    MATCH_TERMS_FIELD: {"type": "keyword", "doc_values": False, "ignore_above": KEYWORD_IGNORE_ABOVE},
}
TEXT_FIELDS: tuple[str, ...] = ("content", "context")
HNSW_METHOD: dict[str, Any] = {
    "name": "hnsw",
    # Explicit: the default engine is faiss; lucene gives efficient filtering inside the knn
    # clause and the documented (1 + cos) / 2 score that opensearch.py maps back to the cosine.
    "engine": "lucene",
    "space_type": "cosinesimil",
    "parameters": {"m": 16, "ef_construction": 100},
}


def analysis_settings() -> dict[str, Any]:
    """Analyzers: Spanish/English stemming with folded accents, Georgian lower-cased, references."""
    return {
        "filter": {
            "laborlex_es_stop": {"type": "stop", "stopwords": "_spanish_"},
            "laborlex_es_stem": {"type": "stemmer", "language": "light_spanish"},
            "laborlex_en_stop": {"type": "stop", "stopwords": "_english_"},
            "laborlex_en_possessive": {"type": "stemmer", "language": "possessive_english"},
            "laborlex_en_stem": {"type": "stemmer", "language": "english"},
            "laborlex_ref_parts": {
                "type": "word_delimiter_graph",
                "preserve_original": True,
                "split_on_case_change": False,
                "split_on_numerics": True,
            },
        },
        "analyzer": {
            # Stem first, fold accents after: Snowball/light stemmers expect accented input,
            # so "indemnización" and "indemnizacion" end up as the same term (as in text_analysis).
            "laborlex_es": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["lowercase", "laborlex_es_stop", "laborlex_es_stem", "asciifolding"],
            },
            "laborlex_en": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": [
                    "laborlex_en_possessive",
                    "lowercase",
                    "laborlex_en_stop",
                    "laborlex_en_stem",
                    "asciifolding",
                ],
            },
            "laborlex_ka": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
            "laborlex_ref": {
                "type": "custom",
                "tokenizer": "whitespace",
                # flatten_graph: an index-time analyzer must not emit a token graph
                "filter": ["laborlex_ref_parts", "flatten_graph", "lowercase", "asciifolding"],
            },
        },
    }


def _text_field() -> dict[str, Any]:
    """A text field analyzed once per language, plus the reference-keeping analysis."""
    fields: dict[str, Any] = {lang: {"type": "text", "analyzer": f"laborlex_{lang}"} for lang in LANGUAGE_SUBFIELDS}
    fields["ref"] = {"type": "text", "analyzer": "laborlex_ref"}
    return {"type": "text", "analyzer": "standard", "fields": fields}


def _keyword() -> dict[str, Any]:
    return {"type": "keyword", "ignore_above": KEYWORD_IGNORE_ABOVE}


def passage_mappings(embedding_dim: int = EMBEDDING_DIM, knn: bool = True) -> dict[str, Any]:
    """Mappings of the passage index; ``knn=False`` only for emulators without k-NN."""
    properties: dict[str, Any] = {"id": _keyword()}
    properties.update({name: _text_field() for name in TEXT_FIELDS})
    properties.update({name: _keyword() for name in KEYWORD_FIELDS})
    properties.update({name: {"type": "integer"} for name in INTEGER_FIELDS})
    # The full Haystack meta, as written; strings become keywords so any meta.<x> filter works.
    properties["meta"] = {"type": "object", "dynamic": True}
    # Citations: "DOC:ARTICLE" of every provision the passage cites (the ``cites`` filter), and
    # the citations themselves with their spans, kept for reading only (not indexed).
    properties[CITES_FIELD] = _keyword()
    properties[CITATIONS_FIELD] = {"type": "object", "enabled": False}
    properties[SENTENCES_FIELD] = dict(SENTENCES_MAPPING)
    properties.update({name: dict(mapping) for name, mapping in MATCH_FIELDS_MAPPING.items()})
    if knn:
        properties["embedding"] = {"type": "knn_vector", "dimension": embedding_dim, "method": HNSW_METHOD}
    return {
        "dynamic": "strict",
        "date_detection": False,
        "dynamic_templates": [
            {"meta_strings": {"path_match": "meta.*", "match_mapping_type": "string", "mapping": _keyword()}}
        ],
        "properties": properties,
    }


def passage_index_body(
    shards: int = 1, replicas: int = 0, embedding_dim: int = EMBEDDING_DIM, knn: bool = True
) -> dict[str, Any]:
    """The body of ``PUT /<alias>-<timestamp>``."""
    index: dict[str, Any] = {"number_of_shards": shards, "number_of_replicas": replicas}
    if knn:
        index["knn"] = True
    return {
        "settings": {"index": index, "analysis": analysis_settings()},
        "mappings": passage_mappings(embedding_dim, knn=knn),
    }


def provision_value(doc_id: object, article: object) -> str:
    """The ``provision`` keyword of a passage: its (doc_id, article) as search_api.collapse's
    ``provision_key`` makes them (``str`` of each), joined by the unit separator."""
    return f"{doc_id}\x1f{article}"


def docs_index_body(shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    """The document-record index: metadata for listing, the extracted text for reading."""
    return {
        "settings": {"index": {"number_of_shards": shards, "number_of_replicas": replicas}},
        "mappings": {
            "dynamic": False,
            "properties": {
                "doc_id": {"type": "keyword"},
                "meta": {"type": "object", "enabled": False},
                "passages": {"type": "integer"},
                "provisions": {"type": "integer"},
                "updated_at": {"type": "double"},
                "text": {"type": "text", "index": False},
            },
        },
    }


def docs_index_name(alias: str) -> str:
    return f"{alias}-docs"


def timestamped_index_name(alias: str, now: datetime | None = None) -> str:
    """``laborlex-20250101t120000123456``: sortable, lower-case (index names must be)."""
    moment = now or datetime.now(timezone.utc)
    return f"{alias}-{moment.strftime('%Y%m%dt%H%M%S%f')}"


def alias_swap_actions(alias: str, new_index: str, old_indices: list[str]) -> dict[str, Any]:
    """One ``POST /_aliases`` body: readers move from the old index to the new one atomically."""
    actions: list[dict[str, Any]] = [{"remove": {"index": old, "alias": alias}} for old in old_indices]
    actions.append({"add": {"index": new_index, "alias": alias, "is_write_index": True}})
    return {"actions": actions}


def search_pipeline_body(rank_constant: int = DEFAULT_RANK_CONSTANT, version: Version | None = None) -> dict[str, Any]:
    """Native hybrid fusion by RRF (score-ranker-processor, OpenSearch >= 2.19).

    RRF rather than min-max normalization so native and client-side hybrid rank alike: both
    use ``rank_constant`` (``LABORLEX_RRF_K``) where the cluster reads it. Only 3.1+ reads a
    flat ``combination.rank_constant`` (and rejects the older ``parameters`` form); 2.19 and
    3.0 always fuse with 60, so the key is left out there (``rrf_rank_constant`` says what
    the cluster will really use). ``version=None`` (unknown) means the current form.
    """
    if version is not None and version < SCORE_RANKER_SINCE:
        raise ValueError(f"OpenSearch {'.'.join(map(str, version))} has no score-ranker-processor (needs 2.19)")
    combination: dict[str, Any] = {"technique": "rrf"}
    if version is None or version >= FLAT_RANK_CONSTANT_SINCE:
        combination["rank_constant"] = rank_constant
    return {
        "description": "laborlex: BM25 + k-NN fused by reciprocal rank fusion",
        "phase_results_processors": [{"score-ranker-processor": {"combination": combination}}],
    }


def rrf_rank_constant(rank_constant: int, version: Version | None) -> int:
    """The rank constant a cluster of ``version`` fuses with, given the one laborlex asks for."""
    if version is not None and version < FLAT_RANK_CONSTANT_SINCE:
        return DEFAULT_RANK_CONSTANT
    return rank_constant
