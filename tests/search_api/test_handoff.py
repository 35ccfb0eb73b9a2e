"""Passages and filters handed between pipeline components without Haystack's deep copy."""

from __future__ import annotations

import copy

import pytest
from haystack import Document

from laborlex_core.settings import Settings
from laborlex_core.store.embedded import EmbeddedDocumentStore
from search_api.handoff import Passages, ProvisionList, SharedFilters, filter_dict, provision_key, provision_keys
from search_api.pipeline import pipeline_inputs
from search_api.search import Searcher


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


def test_shared_filters_are_handed_on_as_they_are() -> None:
    filters = {"field": "meta.jurisdiction", "operator": "==", "value": "MX"}
    shared = SharedFilters(filters)
    assert copy.deepcopy(shared) is shared
    assert copy.deepcopy({"filters": shared, "query": "x"})["filters"] is shared
    assert shared == SharedFilters(dict(filters)) and shared != SharedFilters(None)


@pytest.mark.parametrize(
    ("given", "read"),
    [
        (None, None),
        (SharedFilters(None), None),
        ({"field": "meta.language", "operator": "==", "value": "es"}, {"field": "meta.language", "operator": "==", "value": "es"}),
        (SharedFilters({"field": "meta.kind", "operator": "==", "value": "statute"}), {"field": "meta.kind", "operator": "==", "value": "statute"}),
    ],
)
def test_filter_dict_reads_shared_or_plain_filters(given: object, read: object) -> None:
    assert filter_dict(given) == read  # type: ignore[arg-type]


def test_every_branch_reads_the_one_filters_object_and_ranks_as_with_plain_dicts(api_settings: Settings) -> None:
    """The hybrid pipeline on the real index: the branches, feedback and translations each
    receive the very object ``pipeline_inputs`` made (no copy), and the ranking equals the one
    the same pipeline gives when each component is handed a plain dict."""
    settings = api_settings.model_copy(update={"weight_feedback": 0.5})  # the feedback branch is assembled only when weighed
    searcher = Searcher(settings, EmbeddedDocumentStore(settings.store_path))
    pipeline = searcher.pipeline("hybrid")
    filters = {"field": "meta.jurisdiction", "operator": "in", "value": ["HN", "INTL"]}
    query = "trabajo peligroso de menores"
    inputs = pipeline_inputs("hybrid", settings, query, filters, 10)
    received: dict[str, object] = {}
    for name in ("branches", "feedback", "translations"):
        instance = pipeline.get_component(name)
        original = instance.run

        def spy(*args: object, _name: str = name, _run=original, **kwargs: object) -> object:
            received[_name] = kwargs.get("filters")
            return _run(*args, **kwargs)

        instance.run = spy  # type: ignore[method-assign]
    shared = pipeline.run(inputs)["translations"]["documents"]
    assert set(received) == {"branches", "feedback", "translations"}
    assert all(value is inputs["branches"]["filters"] for value in received.values())
    plain_inputs = {name: {**values, "filters": filters} if "filters" in values else values for name, values in inputs.items()}
    plain = pipeline.run(plain_inputs)["translations"]["documents"]
    assert [d.id for d in shared] == [d.id for d in plain] and len(shared) > 0
    assert {d.meta["jurisdiction"] for d in shared} <= {"HN", "INTL"}


class _CountingSource:
    """A ranked source that records which positions were built; None for the ``gone`` ones."""

    def __init__(self, documents: list[Document], gone: frozenset[int] = frozenset()) -> None:
        self.documents, self.gone, self.picked = documents, gone, []

    def __len__(self) -> int:
        return len(self.documents)

    def keys(self) -> list[tuple[str, str]]:
        return [provision_key(d.meta) for d in self.documents]

    def pick(self, positions):
        self.picked.append(list(positions))
        return [None if p in self.gone else self.documents[p] for p in positions]


def _provisions(n: int) -> list[Document]:
    return [Document(id=f"p{i}", content=str(i), meta={"doc_id": f"d{i % 3}", "article": str(i)}) for i in range(n)]


def test_a_provision_list_builds_only_what_is_read() -> None:
    documents = _provisions(6)
    source = _CountingSource(documents)
    ranked = ProvisionList([], source, range(6))
    assert len(ranked) == 6 and ranked.keys() == [provision_key(d.meta) for d in documents] and source.picked == []
    assert ranked[1:3] == documents[1:3] and source.picked == [[1, 2]]
    assert ranked[2] is documents[2] and ranked[-1] is documents[5] and source.picked == [[1, 2], [5]]
    assert list(ranked) == documents and source.picked[-1] == [0, 3, 4]
    with pytest.raises(IndexError):
        ranked[6]


def test_a_provision_gone_since_the_ranking_is_dropped_when_read() -> None:
    documents = _provisions(5)
    ranked = ProvisionList([], _CountingSource(documents, gone=frozenset({1})), range(5))
    assert ranked[0:2] == [documents[0], documents[2]]  # the next one moved up
    assert len(ranked) == 4 and ranked[1] is documents[2]
    assert ranked.keys() == [provision_key(d.meta) for d in documents if d is not documents[1]]


@pytest.mark.parametrize(
    ("replaced", "head", "drop", "expected"),
    [
        (2, ["v0"], {"p0", "p3"}, ["v0", "p2", "p4", "p5"]),  # p3 moved up: left out below
        (0, ["v0"], set(), ["v0", "p0", "p1", "p2", "p3", "p4", "p5"]),
        (6, [], set(), []),
    ],
)
def test_with_head_replaces_the_first_and_leaves_out_what_moved_up(replaced: int, head: list[str], drop: set[str], expected: list[str]) -> None:
    documents = _provisions(6)
    source = _CountingSource(documents)
    ranked = ProvisionList([], source, range(6))
    new_head = [Document(id=name, content=name, meta={"doc_id": "v", "article": name}) for name in head]
    drop_keys = {provision_key(d.meta) for d in documents if d.id in drop}
    result = ranked.with_head(replaced, new_head, drop_keys)
    assert source.picked == []  # nothing built to reorder
    assert [d.id for d in result] == expected
    assert [d.id for d in result.cut(2)] == expected[:2] and len(result.cut(None)) == len(expected)


def test_any_ranked_sequence_gives_its_keys() -> None:
    documents = _provisions(3)
    assert provision_keys(documents) == provision_keys(Passages(documents)) == provision_keys(ProvisionList.of(documents))
    assert ProvisionList.of(documents) == documents and Passages(documents) == ProvisionList.of(documents)
