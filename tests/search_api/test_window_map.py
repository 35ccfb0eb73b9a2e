"""Nearest neighbours from an index with smaller windows, mapped back to this index's passages."""

from __future__ import annotations

import numpy as np
import pytest
from haystack import Document

from laborlex_core.store.embedded import EmbeddedDocumentStore
from search_api.window_map import WindowMappedStore

DIM = 384


def axis(i: int) -> list[float]:
    vector = np.zeros(DIM, dtype=np.float32)
    vector[i] = 1.0
    return vector.tolist()


def window(doc: str, article: str, chunk: int, start: int, vector: int) -> Document:
    return Document(
        id=f"{doc}#{article}.{chunk}",
        content=f"{doc} {article} part {chunk}",
        embedding=axis(vector),
        meta={"doc_id": doc, "article": article, "chunk": chunk, "start": start, "end": start + 100, "language": "es",
              "jurisdiction": "MX", "kind": "statute", "title": doc, "unit": "article", "ordinal": int(article)},
    )


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> WindowMappedStore:
    folder = tmp_path_factory.mktemp("windows")
    base = EmbeddedDocumentStore(folder / "base.sqlite3")  # 400-token windows: article 1 in two passages
    base.write_documents([window("lft", "1", 0, 0, 0), window("lft", "1", 1, 400, 1), window("lft", "2", 0, 800, 2)])
    small = EmbeddedDocumentStore(folder / "small.sqlite3")  # 200-token windows: four pieces of article 1
    small.write_documents(
        [window("lft", "1", 0, 0, 10), window("lft", "1", 1, 200, 11), window("lft", "1", 2, 400, 12),
         window("lft", "1", 3, 600, 13), window("lft", "2", 0, 800, 14)]
    )
    return WindowMappedStore(base, small)


@pytest.mark.parametrize(
    ("query_axis", "expected"),
    [
        (11, ["lft#1.0"]),  # the second small window lies in the first large passage
        (12, ["lft#1.1"]),  # the third in the second
        (13, ["lft#1.1"]),
        (14, ["lft#2.0"]),
    ],
)
def test_hits_map_to_the_passage_holding_their_first_character(stores: WindowMappedStore, query_axis: int, expected: list[str]) -> None:
    assert [d.id for d in stores.embedding_retrieval(axis(query_axis), top_k=1)] == expected


def test_two_windows_of_one_passage_count_once_and_bm25_reads_the_base(stores: WindowMappedStore) -> None:
    query = (np.asarray(axis(10)) + np.asarray(axis(11)) * 0.9 + np.asarray(axis(12)) * 0.5)
    hits = stores.embedding_retrieval((query / np.linalg.norm(query)).tolist(), top_k=3)
    assert [d.id for d in hits] == ["lft#1.0", "lft#1.1", "lft#2.0"]
    assert {d.id for d in stores.filter_documents(None)} == {"lft#1.0", "lft#1.1", "lft#2.0"}


def test_ranked_lists_go_through_the_mapping(stores: WindowMappedStore) -> None:
    from laborlex_core.store.base import ListRequest

    # the branches ask for their lists together: the nearest neighbours must still come from
    # the small windows, mapped back, not from the base index
    together = stores.ranked_lists([ListRequest(embedding=axis(14), top_k=1), ListRequest(query="salario", top_k=2)])
    assert [d.id for d in together[0]] == ["lft#2.0"]
    assert together[1] == stores.base.bm25_retrieval("salario", top_k=2)
