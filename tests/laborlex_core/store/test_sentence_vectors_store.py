"""Snippet sentence vectors: the stored block, and the embedded store keeping it with its
passage through write, replace, delete and a schema migration.

Vectors are synthetic unit vectors (the real model's vectors are exercised by the search
tests in tests/search_api/test_search.py).
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from haystack import Document

from laborlex_core.snippet_sentences import SENTENCE_VECTORS_META, SentenceBlock, sentences
from laborlex_core.store.embedded import SCHEMA_VERSION, EmbeddedDocumentStore
from tests.laborlex_core.store.test_embedded import DIM, passage


def units(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def with_block(document: Document, seed: int) -> Document:
    group = sentences(document.content or "")
    block = SentenceBlock.encode(group, units(len(group), seed))
    return replace(document, meta={**document.meta, SENTENCE_VECTORS_META: block.to_bytes()})


TEXTS = [
    "El patrón deberá pagar el salario íntegro cada semana. Las horas extraordinarias se pagarán al doble; "
    "los días de descanso trabajados se pagarán al triple.",
    "Every employer shall pay to each of his employees wages at the minimum wage rate. No employee shall work "
    "more than forty hours a week without overtime pay.",
]


def test_a_block_round_trips_and_matches_sentences_by_text() -> None:
    group = sentences(TEXTS[0])
    assert len(group) == 3
    vectors = units(len(group), 1)
    block = SentenceBlock.from_bytes(SentenceBlock.encode(group, vectors).to_bytes())
    found = block.vectors_for([group[2], "a sentence the block does not hold", group[0]])
    assert list(found) == [group[2], group[0]]
    for text, vector in found.items():  # int8 with a scale per sentence: cosine to float32 ~0.9999
        assert float(vector @ vectors[group.index(text)]) > 0.999
    assert len(SentenceBlock.encode(group, vectors).to_bytes()) == 4 + len(group) * (8 + 4 + DIM)
    assert list(block.rekeyed(["x" * 30, "y" * 30, "z" * 30]).vectors_for(["y" * 30])) == ["y" * 30]  # type: ignore[union-attr]
    fewer = block.rekeyed([group[2], "a sentence of its own"])  # by text where held, else by position
    assert fewer is not None and np.array_equal(fewer.codes, block.codes[[2, 1]])
    more = block.rekeyed(["a", "b", "c", "d", group[0]])  # past the end: the last one's
    assert more is not None and np.array_equal(more.codes, block.codes[[0, 1, 2, 2, 0]])
    assert SentenceBlock((), np.zeros(0, np.float32), np.zeros((0, DIM), np.int8)).rekeyed(["a"]) is None
    with pytest.raises(ValueError, match="does not hold"):
        SentenceBlock.from_bytes(SentenceBlock.encode(group, vectors).to_bytes()[:-1])


def _rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM sentence_vectors").fetchone()[0])


def test_the_store_keeps_blocks_with_their_passages(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    store = EmbeddedDocumentStore(path)
    first = [with_block(passage("lft", 1, TEXTS[0]), 1), with_block(passage("lft", 2, TEXTS[1]), 2), passage("lft", 3, "sin vectores de oraciones aquí")]
    store.replace_document("lft", first, {"doc_id": "lft"})
    blocks = store.sentence_vectors([d.id for d in first] + ["nowhere#00001.00"])
    assert sorted(blocks) == [first[0].id, first[1].id]  # a passage written without one has none
    assert blocks[first[1].id].to_bytes() == first[1].meta[SENTENCE_VECTORS_META]
    assert all(SENTENCE_VECTORS_META not in d.meta for d in store.document_passages("lft"))  # not in the meta
    assert all(SENTENCE_VECTORS_META not in d.meta for d in store.bm25_retrieval("salario"))

    # replaced by a shorter version: the old passages' blocks go in the same transaction
    store.replace_document("lft", [with_block(passage("lft", 1, TEXTS[1]), 3)], {"doc_id": "lft"})
    assert _rows(path) == 1
    assert list(store.sentence_vectors([first[0].id])[first[0].id].vectors_for(sentences(TEXTS[1]))) == sentences(TEXTS[1])
    # a failed replace keeps the old block
    with pytest.raises(ValueError):
        store.replace_document("lft", [with_block(passage("lft", 5, TEXTS[0]), 4), passage("other", 1, "x")], {"doc_id": "lft"})
    assert _rows(path) == 1 and first[0].id in store.sentence_vectors([first[0].id])
    # Haystack's protocol writes and deletes take them along too
    store.write_documents([with_block(passage("flsa", 7, TEXTS[1]), 5)])
    assert _rows(path) == 2
    store.delete_documents(["flsa#00007.00"])
    assert store.delete_document("lft") and _rows(path) == 0 and store.sentence_vectors([first[0].id]) == {}


def test_an_index_from_before_sentence_vectors_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    EmbeddedDocumentStore(path).replace_document("lft", [passage("lft", 1, TEXTS[0])], {"doc_id": "lft"})
    with sqlite3.connect(path) as conn:  # make it look like schema 3
        conn.execute("DROP TABLE sentence_vectors")
        conn.execute("UPDATE store_state SET value = '3' WHERE key = 'schema_version'")
    store = EmbeddedDocumentStore(path)
    version = store._connection().execute("SELECT value FROM store_state WHERE key = 'schema_version'").fetchone()[0]
    assert int(version) == SCHEMA_VERSION == 5
    assert store.sentence_vectors(["lft#00001.00"]) == {}  # searches fall back to embedding on demand
    store.replace_document("lft", [with_block(passage("lft", 1, TEXTS[0]), 1)], {"doc_id": "lft"})
    assert list(store.sentence_vectors(["lft#00001.00"])) == ["lft#00001.00"]
