"""The memoizing read-only view used by evaluation sweeps: same answers, asked once."""

from __future__ import annotations

from pathlib import Path

import pytest

from laborlex_core.store.embedded import EmbeddedDocumentStore
from laborlex_core.store.memo import MemoizedStore
from tests.laborlex_core.store.test_embedded import FLSA, LFT, unit


class CountingStore:
    """Forwards to a real store and counts the retrievals that reach it."""

    def __init__(self, store: EmbeddedDocumentStore) -> None:
        self.store = store
        self.calls = 0

    def __getattr__(self, name: str):
        attribute = getattr(self.store, name)
        if name in ("bm25_retrieval", "embedding_retrieval", "filter_documents", "list_documents"):
            def counted(*args, **kwargs):
                self.calls += 1
                return attribute(*args, **kwargs)
            return counted
        return attribute


@pytest.fixture()
def store(tmp_path: Path) -> EmbeddedDocumentStore:
    real = EmbeddedDocumentStore(tmp_path / "index.sqlite3")
    real.write_documents(LFT + FLSA)
    return real


def test_answers_equal_the_store_and_are_fetched_once(store: EmbeddedDocumentStore) -> None:
    counting = CountingStore(store)
    memo = MemoizedStore(counting)  # type: ignore[arg-type]
    english = {"field": "meta.language", "operator": "==", "value": "en"}
    for _ in range(3):
        assert memo.bm25_retrieval("salario", top_k=5) == store.bm25_retrieval("salario", top_k=5)
        assert memo.embedding_retrieval(unit(1), filters=english, top_k=2) == store.embedding_retrieval(unit(1), filters=english, top_k=2)
        assert memo.filter_documents(english) == store.filter_documents(english)
    assert counting.calls == 3  # one per distinct question
    memo.bm25_retrieval("salario", top_k=6)  # another depth is another question
    memo.embedding_retrieval(unit(2), filters=english, top_k=2)  # another vector too
    assert counting.calls == 5


def test_refuses_writes_and_forwards_the_rest(store: EmbeddedDocumentStore) -> None:
    memo = MemoizedStore(store)
    with pytest.raises(TypeError, match="read-only"):
        memo.write_documents(LFT)
    assert memo.count_documents() == store.count_documents()
    assert memo.document_text("lft") == store.document_text("lft")


def test_ranked_lists_are_the_single_lists_and_memoized(store: EmbeddedDocumentStore) -> None:
    from laborlex_core.store.base import ListRequest

    english = {"field": "meta.language", "operator": "==", "value": "en"}
    requests = [ListRequest(query="salario", top_k=5), ListRequest(embedding=unit(1), filters=english, top_k=2)]
    expected = [store.bm25_retrieval("salario", top_k=5), store.embedding_retrieval(unit(1), filters=english, top_k=2)]
    assert expected[0] and expected[1]
    assert store.ranked_lists(requests) == expected  # the embedded store answers one list at a time
    counting = CountingStore(store)
    memo = MemoizedStore(counting)  # type: ignore[arg-type]
    assert memo.ranked_lists(requests) == expected and memo.ranked_lists(requests) == expected
    assert counting.calls == 2  # through the memo, not forwarded past it
    with pytest.raises(ValueError, match="not both or neither"):
        ListRequest(query="salario", embedding=unit(1))


def test_is_a_search_backend_and_reads_sentence_vectors_through(store: EmbeddedDocumentStore) -> None:
    """What the view does not memoize (here the snippet sentence vectors of a page) is read
    through ``__getattr__``, which also satisfies the runtime protocol check (hasattr)."""
    from laborlex_core.store.base import SearchBackend
    from tests.laborlex_core.store.test_embedded import passage
    from tests.laborlex_core.store.test_sentence_vectors_store import TEXTS, with_block

    store.write_documents([with_block(passage("memo", 1, TEXTS[0]), seed=3)])
    memo = MemoizedStore(store)
    ids = [d.id for d in store.document_passages("memo")] + [LFT[0].id]
    blocks = memo.sentence_vectors(ids)
    assert list(blocks) == [ids[0]]  # the passage with stored vectors; LFT's has none
    assert blocks[ids[0]].to_bytes() == store.sentence_vectors(ids)[ids[0]].to_bytes()
    assert isinstance(memo, SearchBackend)
