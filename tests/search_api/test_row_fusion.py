"""Fusion and collapsing on rows give, to the bit, what they give on Documents.

The embedded store's lists (RowLists of a seeded index, with ties, non-operative units, a
plain list of cited passages naming one twice) are fused and collapsed once on their rows
and once as the Documents they stand for; the results must be equal, metadata and the
order of each ``ranks`` dict included.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from laborlex_core.store.base import ListRequest
from laborlex_core.store.embedded import EmbeddedDocumentStore
from laborlex_core.store.row_lists import RowList
from search_api.collapse import ProvisionCollapser
from search_api.fusion import RankedLists, RankFusion
from search_api.handoff import ProvisionList, provision_key
from search_api.row_fusion import FusedRows
from tests.laborlex_core.store.test_scoring_snapshot import seeded_documents

MX = {"field": "meta.jurisdiction", "operator": "==", "value": "MX"}
ES = {"field": "meta.language", "operator": "==", "value": "es"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedDocumentStore:
    s = EmbeddedDocumentStore(Path(tmp_path_factory.mktemp("rows")) / "index.sqlite3")
    for doc_id, passages in seeded_documents(300, seed=11).items():
        for p in passages:  # some units the fusion's prior weighs down; several passages per provision
            p.meta["unit"] = "preamble" if p.meta["ordinal"] % 7 == 0 else "transitional" if p.meta["ordinal"] % 13 == 0 else "article"
            p.meta["article"] = str(p.meta["ordinal"] % 5)
        s.replace_document(doc_id, passages, {"doc_id": doc_id, "title": doc_id})
    return s


def lists_of(store: EmbeddedDocumentStore) -> tuple[dict[str, list], dict[str, list]]:
    rng = np.random.default_rng(3)
    vector = rng.normal(size=384).astype(np.float32)
    vector = (vector / np.linalg.norm(vector)).tolist()
    names = ["bm25", "bm25@MX", "terms/es", "dense", "dense@MX", "dense/es", "feedback/en"]
    requests = [
        ListRequest(query="salario trabajo despido", top_k=30),
        ListRequest(query="salario trabajo despido", filters=MX, top_k=30),
        ListRequest(query="jornada descanso contrato", filters=ES, top_k=30),
        ListRequest(embedding=vector, top_k=30),
        ListRequest(embedding=vector, filters=MX, top_k=30),
        ListRequest(embedding=vector, filters=ES, top_k=30),
        ListRequest(query="wages overtime leave", top_k=30),
    ]
    answered = store.ranked_lists(requests)
    assert all(isinstance(found, RowList) for found in answered)
    cited = store.filter_documents({"field": "meta.doc_id", "operator": "==", "value": "d3"})[:4]
    on_rows: dict[str, list] = dict(zip(names, answered))
    on_rows["reference"] = [*cited, cited[0]]  # a plain list, one passage named twice
    as_documents = {name: list(found) for name, found in on_rows.items()}
    return on_rows, as_documents


def described(documents: list[Document]) -> list[tuple]:
    return [(d.id, d.score, list(d.meta.items()), d.content, d.embedding) for d in documents]


@pytest.mark.parametrize("within_family", ["sum", "max"])
@pytest.mark.parametrize("non_operative", [1.0, 0.5])
def test_rows_fuse_and_collapse_as_documents_do(store: EmbeddedDocumentStore, within_family: str, non_operative: float) -> None:
    on_rows, as_documents = lists_of(store)
    fusion = RankFusion(k=10, top_k=120, non_operative=non_operative, within_family=within_family)
    fast = fusion.run(lexical=RankedLists(on_rows))["documents"]
    slow = fusion.run(lexical=RankedLists(as_documents))["documents"]
    assert isinstance(fast, FusedRows) and not isinstance(slow, FusedRows)
    collapse = ProvisionCollapser(top_k=25)
    fast_provisions = collapse.run(documents=fast)["documents"]
    slow_provisions = collapse.run(documents=slow)["documents"]
    assert described(list(fast_provisions)) == described(list(slow_provisions))
    assert len(fast_provisions) == 25 and any(d.meta["passages_matched"] > 1 for d in fast_provisions)
    assert described(list(fast)) == described(list(slow))  # the fused passages themselves, read as Documents
    scores = [d.score for d in slow]
    assert len(scores) > len(set(scores))  # ties were there to break


def test_a_list_the_snapshot_lacks_falls_back_to_documents(store: EmbeddedDocumentStore) -> None:
    on_rows, _ = lists_of(store)
    on_rows["reference"] = [Document(id="not-in-the-index", content="x", meta={"doc_id": "z", "article": "1"})]
    fused = RankFusion(k=10).run(lexical=RankedLists(on_rows))["documents"]
    assert not isinstance(fused, FusedRows) and "not-in-the-index" in {d.id for d in fused}


def test_row_lists_equal_their_documents_and_read_only_what_is_asked(store: EmbeddedDocumentStore) -> None:
    request = ListRequest(query="salario trabajo", top_k=12)
    (found,) = store.ranked_lists([request])
    assert isinstance(found, RowList) and found._documents is None
    assert found[:3] == store.bm25_retrieval("salario trabajo", top_k=12)[:3] and found._documents is None
    assert found == store.bm25_retrieval("salario trabajo", top_k=12) and len(found) == 12


def test_collapsed_provisions_say_their_keys_and_read_rows_only_when_read(store: EmbeddedDocumentStore, monkeypatch) -> None:
    on_rows, _ = lists_of(store)
    fused = RankFusion(k=10, top_k=120).run(lexical=RankedLists(on_rows))["documents"]
    provisions = ProvisionCollapser(top_k=25).run(documents=fused)["documents"]
    assert isinstance(provisions, ProvisionList)
    read: list[int] = []
    row_data = EmbeddedDocumentStore._row_data

    def counted(self, snapshot, rows):
        read.append(len(rows))
        return row_data(self, snapshot, rows)

    monkeypatch.setattr(EmbeddedDocumentStore, "_row_data", counted)
    keys = provisions.keys()  # from the snapshot's columns
    assert read == [] and len(keys) == 25 and len(set(keys)) == 25
    page = provisions[5:8]
    assert read == [3] and [provision_key(d.meta) for d in page] == keys[5:8]
    assert provisions[6] is page[1] and read == [3]  # built once
    assert [provision_key(d.meta) for d in provisions] == keys and sum(read) == 25
