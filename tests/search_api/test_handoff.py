"""Passages handed between pipeline components without Haystack's deep copy."""

from __future__ import annotations

import copy

from haystack import Document

from search_api.handoff import Passages


def test_passages_behave_as_a_read_only_sequence() -> None:
    documents = [Document(id=str(i), content=str(i)) for i in range(4)]
    passages = Passages(documents)
    assert len(passages) == 4 and passages[1] is documents[1]
    assert passages[1:3] == documents[1:3] and isinstance(passages[1:3], list)
    assert list(passages) == documents
    assert passages == documents and passages == Passages(documents)


def test_deep_copy_returns_the_same_object() -> None:
    passages = Passages([Document(content="x", meta={"ranks": {"bm25": 1}})])
    assert copy.deepcopy(passages) is passages
    assert copy.deepcopy({"documents": passages})["documents"] is passages
