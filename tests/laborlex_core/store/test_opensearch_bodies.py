"""The OpenSearch index design and query bodies, checked field by field as data (no server)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from laborlex_core.settings import Settings
from laborlex_core.store import open_store
from laborlex_core.store import opensearch_mappings as m
from laborlex_core.store import opensearch_queries as q
from laborlex_core.store.filters import FilterError
from laborlex_core.store.opensearch import (
    OpenSearchBackend,
    cluster_hosts,
    make_client,
    merge_highlights,
    owner_of,
    passage_source,
    with_retries,
)
from laborlex_core.passage_text import context_line
from laborlex_core.text_analysis import analyze
from tests.laborlex_core.store.opensearch_fixtures import small_corpus


def test_settings_defaults_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    s = Settings()
    assert (s.opensearch_url, s.opensearch_user, s.opensearch_index) == ("https://localhost:9200", "admin", "laborlex")
    assert s.opensearch_password is None and s.opensearch_verify_certs is False
    assert (s.opensearch_shards, s.opensearch_replicas, s.opensearch_hybrid) == (1, 0, "client")
    assert s.opensearch_search_pipeline == "laborlex-hybrid"
    monkeypatch.setenv("LABORLEX_BACKEND", "opensearch")
    monkeypatch.setenv("LABORLEX_OPENSEARCH_PASSWORD", "s3cret!")
    monkeypatch.setenv("LABORLEX_OPENSEARCH_HYBRID", "native")
    s = Settings()
    assert s.backend == "opensearch" and s.opensearch_hybrid == "native"
    assert s.opensearch_password.get_secret_value() == "s3cret!" and "s3cret" not in repr(s)


def test_open_store_builds_the_opensearch_backend() -> None:
    store = open_store(Settings(backend="opensearch", opensearch_url="http://127.0.0.1:1"))
    assert isinstance(store, OpenSearchBackend) and store.alias == "laborlex" and store.docs_index == "laborlex-docs"


@pytest.mark.parametrize(
    ("subfield", "expected_filters"),
    [
        ("es", ["lowercase", "laborlex_es_stop", "laborlex_es_stem", "asciifolding"]),
        ("en", ["laborlex_en_possessive", "lowercase", "laborlex_en_stop", "laborlex_en_stem", "asciifolding"]),
        ("ka", ["lowercase"]),
    ],
)
def test_language_subfields_and_their_analyzers(subfield: str, expected_filters: list[str]) -> None:
    body = m.passage_index_body()
    analyzers = body["settings"]["analysis"]["analyzer"]
    for field in ("content", "context"):
        mapping = body["mappings"]["properties"][field]
        assert mapping["type"] == "text"
        assert mapping["fields"][subfield] == {"type": "text", "analyzer": f"laborlex_{subfield}"}
    analyzer = analyzers[f"laborlex_{subfield}"]
    assert analyzer["tokenizer"] == "standard" and analyzer["filter"] == expected_filters


def test_stemmers_and_reference_analysis() -> None:
    analysis = m.analysis_settings()
    assert analysis["filter"]["laborlex_es_stem"] == {"type": "stemmer", "language": "light_spanish"}
    assert analysis["filter"]["laborlex_en_stem"] == {"type": "stemmer", "language": "english"}
    ref = analysis["analyzer"]["laborlex_ref"]
    assert ref["tokenizer"] == "whitespace" and ref["filter"][:2] == ["laborlex_ref_parts", "flatten_graph"]
    parts = analysis["filter"]["laborlex_ref_parts"]
    assert parts["type"] == "word_delimiter_graph" and parts["preserve_original"] is True
    assert m.passage_mappings()["properties"]["content"]["fields"]["ref"]["analyzer"] == "laborlex_ref"


def test_keyword_fields_for_every_filter_and_strict_mapping() -> None:
    props = m.passage_mappings()["properties"]
    for name in ("doc_id", "language", "jurisdiction", "kind", "date", "article", "unit", "title", "id"):
        assert props[name] == {"type": "keyword", "ignore_above": m.KEYWORD_IGNORE_ABOVE}, name
    assert props["ordinal"] == props["chunk"] == {"type": "integer"}
    mappings = m.passage_mappings()
    assert mappings["dynamic"] == "strict" and mappings["date_detection"] is False
    # a long meta string must not exceed Lucene's 32,766-byte term limit (4 bytes per char at most)
    assert mappings["dynamic_templates"][0]["meta_strings"]["mapping"] == {"type": "keyword", "ignore_above": 8191}
    assert 4 * m.KEYWORD_IGNORE_ABOVE <= 32766


def test_knn_vector_field_and_index_settings() -> None:
    body = m.passage_index_body(shards=3, replicas=2)
    assert body["settings"]["index"] == {"number_of_shards": 3, "number_of_replicas": 2, "knn": True}
    vector = body["mappings"]["properties"]["embedding"]
    assert vector["type"] == "knn_vector" and vector["dimension"] == 384
    assert vector["method"]["name"] == "hnsw"
    assert vector["method"]["engine"] == "lucene" and vector["method"]["space_type"] == "cosinesimil"
    no_knn = m.passage_index_body(knn=False)
    assert "embedding" not in no_knn["mappings"]["properties"] and "knn" not in no_knn["settings"]["index"]


def test_docs_index_keeps_text_unindexed() -> None:
    props = m.docs_index_body()["mappings"]["properties"]
    assert props["doc_id"] == {"type": "keyword"} and props["text"] == {"type": "text", "index": False}
    assert props["meta"]["enabled"] is False


def test_index_names_and_alias_swap_actions() -> None:
    name = m.timestamped_index_name("laborlex", datetime(2025, 3, 4, 5, 6, 7, 8, tzinfo=timezone.utc))
    assert name == "laborlex-20250304t050607000008" and name == name.lower()
    assert m.alias_swap_actions("laborlex", "laborlex-new", ["laborlex-a", "laborlex-b"]) == {
        "actions": [
            {"remove": {"index": "laborlex-a", "alias": "laborlex"}},
            {"remove": {"index": "laborlex-b", "alias": "laborlex"}},
            {"add": {"index": "laborlex-new", "alias": "laborlex", "is_write_index": True}},
        ]
    }


@pytest.mark.parametrize(
    ("version", "combination", "used"),
    [
        (None, {"technique": "rrf", "rank_constant": 42}, 42),  # unknown: the current form
        ((3, 5, 0), {"technique": "rrf", "rank_constant": 42}, 42),
        ((3, 1, 0), {"technique": "rrf", "rank_constant": 42}, 42),
        ((3, 0, 0), {"technique": "rrf"}, 60),  # reads no flat rank_constant before 3.1
        ((2, 19, 1), {"technique": "rrf"}, 60),
    ],
)
def test_search_pipeline_body_by_version(version, combination, used) -> None:
    body = m.search_pipeline_body(rank_constant=42, version=version)
    (processor,) = body["phase_results_processors"]
    assert processor == {"score-ranker-processor": {"combination": combination}}
    assert m.rrf_rank_constant(42, version) == used


def test_search_pipeline_body_refuses_clusters_without_score_ranker() -> None:
    with pytest.raises(ValueError, match="2.19"):
        m.search_pipeline_body(10, (2, 18, 0))


@pytest.mark.parametrize(
    ("number", "version"), [("3.5.0", (3, 5, 0)), ("2.19.1-SNAPSHOT", (2, 19, 1)), ("3.0", (3, 0, 0)), ("10.1.2.3", (10, 1, 2))]
)
def test_parse_version(number, version) -> None:
    assert m.parse_version(number) == version


def test_parse_version_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="abc"):
        m.parse_version("abc")


LANG = {"field": "meta.language", "operator": "==", "value": "es"}


@pytest.mark.parametrize(
    ("haystack_filter", "expected"),
    [
        (None, None),
        ({}, None),
        (LANG, {"term": {"language": "es"}}),
        ({"field": "meta.jurisdiction", "operator": "in", "value": ["MX", "HN"]}, {"terms": {"jurisdiction": ["MX", "HN"]}}),
        ({"field": "meta.kind", "operator": "not in", "value": ["case_law"]}, {"bool": {"must_not": [{"terms": {"kind": ["case_law"]}}]}}),
        ({"field": "meta.kind", "operator": "in", "value": []}, {"match_none": {}}),
        ({"field": "meta.kind", "operator": "not in", "value": []}, {"match_all": {}}),
        ({"field": "meta.date", "operator": ">=", "value": "2019-05-01"}, {"range": {"date": {"gte": "2019-05-01"}}}),
        ({"field": "meta.date", "operator": "<", "value": "2020"}, {"range": {"date": {"lt": "2020"}}}),
        ({"field": "meta.date", "operator": ">", "value": None}, {"match_none": {}}),
        ({"field": "meta.date", "operator": "==", "value": None}, {"bool": {"must_not": [{"exists": {"field": "date"}}]}}),
        ({"field": "meta.date", "operator": "!=", "value": None}, {"exists": {"field": "date"}}),
        (
            {"field": "meta.kind", "operator": "!=", "value": "treaty"},
            {"bool": {"filter": [{"exists": {"field": "kind"}}], "must_not": [{"term": {"kind": "treaty"}}]}},
        ),
        ({"field": "meta.page", "operator": "==", "value": 3}, {"term": {"meta.page": 3}}),
        ({"field": "id", "operator": "==", "value": "x"}, {"term": {"id": "x"}}),
        ({"operator": "AND", "conditions": [LANG]}, {"bool": {"filter": [{"term": {"language": "es"}}]}}),
        ({"operator": "OR", "conditions": [LANG]}, {"bool": {"should": [{"term": {"language": "es"}}], "minimum_should_match": 1}}),
        ({"operator": "NOT", "conditions": [LANG]}, {"bool": {"must_not": [{"bool": {"filter": [{"term": {"language": "es"}}]}}]}}),
        ({"operator": "AND", "conditions": []}, {"match_all": {}}),
    ],
)
def test_filter_translation(haystack_filter, expected) -> None:
    assert q.translate_filters(haystack_filter) == expected


@pytest.mark.parametrize(
    "bad",
    [
        {"field": "meta.x;drop", "operator": "==", "value": 1},
        {"field": "meta.kind", "operator": "~", "value": 1},
        {"field": "meta.kind", "operator": "in", "value": "MX"},
        {"operator": "XOR", "conditions": [LANG]},
        {"field": "meta.kind", "operator": "=="},
    ],
)
def test_filter_translation_errors(bad) -> None:
    with pytest.raises(FilterError):
        q.translate_filters(bad)


def test_bm25_body() -> None:
    body = q.bm25_body("horas extra", LANG, top_k=7)
    assert body["size"] == 7
    must = body["query"]["bool"]["must"][0]["multi_match"]
    assert must["query"] == "horas extra" and must["type"] == "most_fields"
    assert set(must["fields"]) == {f"content.{s}" for s in ("es", "en", "ka", "ref")} | {
        f"context.{s}^0.3" for s in ("es", "en", "ka", "ref")
    }  # the context line weighs 0.3 of the body, as in the embedded store
    assert body["query"]["bool"]["filter"] == [{"term": {"language": "es"}}]
    assert set(body["highlight"]["fields"]) == {"content.es", "content.en", "content.ka"}
    assert "embedding" in body["_source"]["excludes"]
    assert "bool" not in q.bm25_body("x")["query"]  # no filter, no wrapper


def test_knn_body_filters_inside_the_knn_clause() -> None:
    body = q.knn_body([0.5, 0.5], LANG, top_k=3)
    clause = body["query"]["knn"]["embedding"]
    assert clause == {"vector": [0.5, 0.5], "k": q.MIN_KNN_K, "filter": {"term": {"language": "es"}}}
    assert body["size"] == 3
    assert "filter" not in q.knn_body([1.0], None)["query"]["knn"]["embedding"]


def test_hybrid_body() -> None:
    body = q.hybrid_body("overtime", [1.0, 0.0], LANG, top_k=5)
    hybrid = body["query"]["hybrid"]
    assert hybrid["queries"][0] == q.bm25_query("overtime")
    assert hybrid["queries"][1] == {"knn": {"embedding": {"vector": [1.0, 0.0], "k": q.MIN_KNN_K}}}
    assert hybrid["filter"] == {"term": {"language": "es"}}
    assert body["size"] == 5 and "highlight" in body
    assert q.hybrid_body("overtime", [1.0, 0.0], LANG, top_k=5, version=(3, 0, 0)) == body


def test_hybrid_body_before_3_0_filters_each_sub_query() -> None:
    """2.19 answers 400 to the hybrid query's "filter": the filter moves into both sub-queries."""
    hybrid = q.hybrid_body("overtime", [1.0, 0.0], LANG, top_k=5, version=(2, 19, 1))["query"]["hybrid"]
    assert "filter" not in hybrid
    assert hybrid["queries"][0] == {"bool": {"must": [q.bm25_query("overtime")], "filter": [{"term": {"language": "es"}}]}}
    assert hybrid["queries"][1]["knn"]["embedding"]["filter"] == {"term": {"language": "es"}}
    unfiltered = q.hybrid_body("overtime", [1.0, 0.0], None, version=(2, 19, 1))["query"]["hybrid"]
    assert unfiltered["queries"] == [q.bm25_query("overtime"), q.knn_query([1.0, 0.0], None, 10)]


@pytest.mark.parametrize(
    ("highlight", "expected"),
    [
        # the same excerpt from three sub-fields, different words marked: one fragment, all marks
        (
            {
                "content.es": ["el <mark>trabajo</mark> forzoso u obligatorio"],
                "content.en": ["el trabajo <mark>forzoso</mark> u obligatorio"],
                "content.ka": ["el <mark>trabajo</mark> forzoso u obligatorio"],
            },
            ["el <mark>trabajo</mark> <mark>forzoso</mark> u obligatorio"],
        ),
        # different excerpts stay apart, in order of first appearance
        (
            {"content.es": ["<mark>a</mark> b", "c <mark>d</mark>"], "content.en": ["c <mark>d</mark>", "<mark>e</mark>"]},
            ["<mark>a</mark> b", "c <mark>d</mark>", "<mark>e</mark>"],
        ),
        # overlapping marks (a stem and the whole word) become one mark
        ({"content.es": ["x <mark>despido</mark>s y"], "content.en": ["x <mark>despidos</mark> y"]}, ["x <mark>despidos</mark> y"]),
        ({"content.es": ["no marks at all"]}, ["no marks at all"]),
    ],
)
def test_merge_highlights(highlight, expected) -> None:
    assert merge_highlights(highlight) == expected


def test_documents_page_body_pages_by_doc_id() -> None:
    body = q.documents_page_body(50, ["mx-lft"])
    assert body["size"] == 50 and body["search_after"] == ["mx-lft"] and body["sort"] == [{"doc_id": "asc"}]
    assert body["_source"] == {"excludes": ["text"]} and "search_after" not in q.documents_page_body(50)


def test_facet_and_filter_bodies() -> None:
    assert q.facet_body("kind") == {"size": 0, "aggs": {"values": {"terms": {"field": "kind", "size": 1000}}}}
    assert q.facet_body("kind", LANG)["query"] == {"term": {"language": "es"}}
    body = q.filter_body(None, 10, ["a", 1, 0, "x"])
    assert body["query"] == {"match_all": {}} and body["search_after"] == ["a", 1, 0, "x"]
    assert [next(iter(s)) for s in body["sort"]] == ["doc_id", "ordinal", "chunk", "id"]


def test_passage_source_carries_keywords_context_and_meta() -> None:
    document = small_corpus()["mx-lft"][1]
    source = passage_source(document)
    assert source["id"] == document.id and source["doc_id"] == "mx-lft" and source["article"] == "22 Bis"
    assert source["context"] == "Ley Federal del Trabajo | Artículo 22 Bis"
    assert source["meta"] == document.meta and len(source["embedding"]) == 384
    assert source["ordinal"] == 2 and source["chunk"] == 0


def test_retries_back_off_on_429_and_give_up_on_400() -> None:
    from opensearchpy.exceptions import RequestError, TransportError

    calls: list[int] = []
    delays: list[float] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise TransportError(429, "too_many_requests", {})
        return "ok"

    assert with_retries(flaky, attempts=5, base_delay=0.1, sleep=delays.append) == "ok"
    assert delays == [0.1, 0.2]

    def bad() -> None:
        calls.append(1)
        raise RequestError(400, "mapper_parsing_exception", {})

    calls.clear()
    with pytest.raises(RequestError):
        with_retries(bad, attempts=5, sleep=delays.append)
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("url", "hosts"),
    [
        ("http://127.0.0.1:9200", ["http://127.0.0.1:9200"]),
        ("http://a:9200, http://b:9201,http://c:9202", ["http://a:9200", "http://b:9201", "http://c:9202"]),
    ],
)
def test_cluster_hosts_from_the_url_setting(url, hosts) -> None:
    assert cluster_hosts(url) == hosts
    client = make_client(Settings(opensearch_url=url))
    assert len(client.transport.connection_pool.connections) == len(hosts)


def test_cluster_hosts_rejects_an_empty_url() -> None:
    with pytest.raises(ValueError, match="LABORLEX_OPENSEARCH_URL"):
        cluster_hosts(" , ")


def test_passage_source_carries_the_provision_and_the_embedded_index_terms() -> None:
    """``match_terms`` are the terms the embedded store's BM25 index holds for the passage (the
    context line and the body, analyzed in the passage's language), so a match means the same."""
    document = small_corpus()["mx-lft"][0]
    source = passage_source(document)
    assert source["provision"] == "mx-lft\x1f67" == m.provision_value("mx-lft", "67")
    expected = set(analyze(context_line(document.meta), "es")) | set(analyze(document.content, "es"))
    assert source["match_terms"] == sorted(expected)
    assert "hor" in source["match_terms"] and "las" not in source["match_terms"]  # stemmed, stopwords out
    assert {"provision", "match_terms"} <= set(m.passage_mappings()["properties"])
    assert m.passage_mappings()["properties"]["match_terms"]["doc_values"] is False


def test_match_bodies_count_distinct_provisions_under_each_part() -> None:
    parts = [(q.query_terms("las horas extras"), LANG), (("overtime",), {"field": "meta.language", "operator": "==", "value": "en"})]
    assert parts[0][0] == q.query_terms("horas extras") and "las" not in parts[0][0]  # stopwords of any language out
    query = q.matches_query(parts)
    should = query["bool"]["should"]
    assert query["bool"]["minimum_should_match"] == 1 and len(should) == 2
    assert should[0]["bool"]["filter"] == [{"terms": {"match_terms": list(parts[0][0])}}, {"term": {"language": "es"}}]
    assert q.matches_query([((), None)]) == q.MATCH_NONE  # no term left: nothing matches
    assert q.matches_query([(("hor",), None)]) == {"bool": {"filter": [{"terms": {"match_terms": ["hor"]}}]}}
    count = q.matches_count_body(parts)
    assert count["size"] == 0 and count["aggs"]["provisions"]["cardinality"]["field"] == "provision"
    assert set(count["aggs"]) == {"provisions", "facet_jurisdiction", "facet_language", "facet_kind"}
    assert count["aggs"]["facet_language"]["aggs"]["provisions"] == count["aggs"]["provisions"]
    included = q.included_body(["mx-lft\x1f67", "us-flsa\x1f207"], parts)
    assert included["query"] == {"terms": {"provision": ["mx-lft\x1f67", "us-flsa\x1f207"]}}
    assert included["aggs"]["matched"]["filter"] == query and included["aggs"]["held"]["terms"]["size"] == 2
    mexico = {"field": "meta.jurisdiction", "operator": "==", "value": "MX"}
    narrowed = q.matches_count_body(parts, narrowing=mexico)["aggs"]["narrowed"]
    assert narrowed["filter"] == {"term": {"jurisdiction": "MX"}} and narrowed["aggs"] == count["aggs"]
    held = q.included_body(["mx-lft\x1f67"], parts, narrowing=mexico)["aggs"]["held"]["aggs"]
    assert held["narrowed"] == {"filter": {"term": {"jurisdiction": "MX"}}} and "narrowed" not in included["aggs"]["held"]["aggs"]
    page = q.matches_page_body("horas", parts, [("overtime", None)], ["mx-lft\x1f67"], 20, 10)
    assert page["from"] == 20 and page["size"] == 10 and page["collapse"] == {"field": "provision"}
    assert page["query"]["bool"]["filter"] == [query]
    assert page["query"]["bool"]["must_not"] == [{"terms": {"provision": ["mx-lft\x1f67"]}}]
    assert len(page["query"]["bool"]["should"]) == 2 and "match_terms" in page["_source"]["excludes"]


def test_bulk_loads_go_uncompressed_queries_compressed() -> None:
    """gzip (level 9, in the client) took half the time of a corpus copy into a local node."""
    backend = OpenSearchBackend(Settings(opensearch_url="http://127.0.0.1:9"))
    compressed = [c.http_compress for c in backend.client.transport.connection_pool.connections]
    loading = [c.http_compress for c in backend._load_client.transport.connection_pool.connections]
    assert compressed == [True] and loading == [False]
    given = make_client(Settings(opensearch_url="http://127.0.0.1:9"))
    assert OpenSearchBackend(Settings(), client=given)._load_client is given  # a client passed in serves both


@pytest.mark.parametrize("method", ["sentence_vectors", "provision_matches", "ranked_lists", "bm25_retrieval", "embedding_retrieval"])
def test_methods_the_search_api_calls_take_the_embedded_stores_parameters(method: str) -> None:
    """The Searcher and search pages call these on whichever backend is configured."""
    import inspect

    from laborlex_core.store.embedded import EmbeddedDocumentStore

    ours = inspect.signature(getattr(OpenSearchBackend, method)).parameters
    theirs = inspect.signature(getattr(EmbeddedDocumentStore, method)).parameters
    assert [(p.name, p.kind, p.default, p.annotation) for p in ours.values()] == [
        (p.name, p.kind, p.default, p.annotation) for p in theirs.values()
    ]


OWNERS = {"lft#00001.00": "lft", "doc:48:0": "doc", "doc:48": "other", "a: b": "colon-space"}


@pytest.mark.parametrize(
    ("error", "owner"),
    [
        ("lft#00001.00: 400 {'type': 'mapper_parsing_exception'}", "lft"),
        ("doc:48:0: 400 {'type': 'document_parsing_exception', 'reason': 'x: y'}", "doc"),  # not "doc" cut at ":"
        ("doc:48: 409 conflict", "other"),
        ("a: b: 400 bad", "colon-space"),  # an id holding ": " itself
        ("never-sent: 400 bad", "(unknown)"),
        ("no status at all", "(unknown)"),
    ],
)
def test_a_bulk_error_is_credited_to_the_document_of_its_passage(error: str, owner: str) -> None:
    assert owner_of(error, OWNERS) == owner
