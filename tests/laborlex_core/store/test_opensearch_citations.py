"""Citations on the OpenSearch backend: the mapping and bodies as data, and a round trip on the
osmem-server emulator (the same checks as the embedded store's, so both count alike).

The round trip also runs on a real OpenSearch node when OPENSEARCH_URL is set (.ci/run starts one)."""

from __future__ import annotations

import os
import uuid

import pytest

from laborlex_core.store import opensearch_mappings as m
from laborlex_core.store import opensearch_queries as q
from laborlex_core.store.opensearch import hit_to_document, passage_source
from tests.laborlex_core.store.test_citations_store import GE, _passages


def test_mapping_and_filter_translation() -> None:
    properties = m.passage_mappings()["properties"]
    assert properties["cites"] == {"type": "keyword", "ignore_above": m.KEYWORD_IGNORE_ABOVE}
    assert properties["citations"] == {"type": "object", "enabled": False}
    assert q.translate_filters({"field": "meta.cites", "operator": "==", "value": "mx-lft-es:47"}) == {"term": {"cites": "mx-lft-es:47"}}


def test_passage_source_keeps_citations_beside_the_meta() -> None:
    passages = _passages("ge-labour-code-ka", GE, "ka", "statute")
    source = passage_source(passages[0])
    assert source["cites"] == ["ge-labour-code-ka:48"]
    assert "citations" not in source["meta"] and source["citations"] == passages[0].meta["citations"]
    internal = passage_source(passages[1])  # "ამ მუხლის მე-2 პუნქტით": its own article
    assert internal["cites"] == [] and len(internal["citations"]) == 1
    back = hit_to_document({"_id": source["id"], "_source": source})
    assert back.meta == passages[0].meta


@pytest.fixture(params=["emulator", "real_cluster"])
def citation_store(request):
    from laborlex_core.settings import Settings
    from laborlex_core.store import opensearch_admin
    from laborlex_core.store.opensearch import OpenSearchBackend
    from tests.laborlex_core.store.opensearch_fixtures import REAL_CLUSTER_REASON, real_cluster_settings

    if request.param == "emulator":
        pytest.importorskip("osmem_server")
        url = request.getfixturevalue("osmem_clone").url
        settings = Settings(backend="opensearch", opensearch_url=url, opensearch_password=None, opensearch_index="laborlex")
    else:
        if not os.environ.get("OPENSEARCH_URL"):
            pytest.skip(REAL_CLUSTER_REASON)
        settings = real_cluster_settings(f"laborlex-test-{uuid.uuid4().hex[:8]}")
    store = OpenSearchBackend(settings)
    opensearch_admin.setup(store.client, settings, knn=True, search_pipeline=False)
    yield store
    for index in opensearch_admin.alias_targets(store.client, settings.opensearch_index):
        store.client.indices.delete(index=index)
    store.client.indices.delete(index=store.docs_index, ignore_unavailable=True)


def test_round_trip(citation_store) -> None:
    store = citation_store
    store.replace_document("ge-labour-code-ka", _passages("ge-labour-code-ka", GE, "ka", "statute"), {"doc_id": "ge-labour-code-ka"})
    ruling = [("1", "ამ კანონის 48-ე მუხლით"), ("2", "საქართველოს შრომის კოდექსის 48-ე მუხლის პირველი პუნქტით")]
    store.replace_document("ge-ruling", _passages("ge-ruling", ruling, "ka", "case_law"), {"doc_id": "ge-ruling"})

    assert [(r["doc_id"], r["article"]) for r in store.cited_by("ge-labour-code-ka", "48")] == [("ge-labour-code-ka", "17"), ("ge-ruling", "2")]
    assert store.citation_counts(["ge-labour-code-ka:48", "ge-labour-code-ka:21"]) == {"ge-labour-code-ka:48": 2}
    assert [r["internal"] for r in store.citations_of("ge-labour-code-ka", "21")] == [True]
    assert store.citation_stats()["targets"] == {"ge-labour-code-ka:48": 2}
    cites = {"field": "meta.cites", "operator": "==", "value": "ge-labour-code-ka:48"}
    assert sorted(d.id for d in store.filter_documents(cites)) == ["ge-labour-code-ka#00000.00", "ge-ruling#00001.00"]
    store.delete_document("ge-labour-code-ka")
    assert [r["doc_id"] for r in store.cited_by("ge-labour-code-ka", "48")] == ["ge-ruling"]
