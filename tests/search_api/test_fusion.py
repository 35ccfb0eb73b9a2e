"""Reciprocal rank fusion, with hand-computed scores."""

from __future__ import annotations

import pytest
from haystack import Document

from search_api.fusion import BranchWeights, RankedLists, RankFusion, reciprocal_rank_fusion


def docs(*ids: str) -> list[Document]:
    return [Document(id=i, content=i, meta={"doc_id": i, "article": "1"}) for i in ids]


def test_rrf_scores_and_ranks_by_hand() -> None:
    fused = reciprocal_rank_fusion({"bm25": docs("a", "b", "c"), "dense": docs("c", "a")}, k=60)
    by_id = {d.id: d for d in fused}
    assert by_id["a"].score == pytest.approx(1 / 61 + 1 / 62)
    assert by_id["c"].score == pytest.approx(1 / 63 + 1 / 61)
    assert by_id["b"].score == pytest.approx(1 / 62)
    assert [d.id for d in fused] == ["a", "c", "b"]
    assert by_id["a"].meta["ranks"] == {"bm25": 1, "dense": 2}
    assert by_id["b"].meta["ranks"] == {"bm25": 2}


def test_weights_and_duplicates() -> None:
    fused = reciprocal_rank_fusion({"bm25": docs("a", "a", "b"), "dense": docs("b")}, k=1, weights={"dense": 3.0})
    by_id = {d.id: d for d in fused}
    assert by_id["a"].score == pytest.approx(1 / 2)  # listed twice, counted once at rank 1
    assert by_id["b"].score == pytest.approx(1 / 4 + 3 / 2)
    assert fused[0].id == "b"


def test_component_with_one_branch_missing() -> None:
    component = RankFusion(k=60)
    assert [d.id for d in component.run(bm25=docs("x", "y"))["documents"]] == ["x", "y"]
    assert component.run()["documents"] == []
    assert RankFusion.from_dict(component.to_dict()).k == 60


@pytest.mark.parametrize(
    ("name", "weight"),
    [
        ("bm25", 1.0),
        ("dense", 2.0),
        ("bm25@HN", 0.5),
        ("dense@MX", 1.0),
        ("glossary/ka", 3.0),
        ("glossary/es@MX", 1.5),
        ("dense/ka", 0.25),
    ],
)
def test_branch_weight_follows_the_list_name(name: str, weight: float) -> None:
    weights = BranchWeights(bm25=1.0, dense=2.0, glossary=3.0, language_balance=0.25, jurisdiction=0.5)
    assert weights.of(name) == pytest.approx(weight)


def test_component_fuses_named_lists_with_their_weights() -> None:
    component = RankFusion(k=1, weights={"glossary": 4.0})
    lexical, semantic = RankedLists({"bm25": docs("a"), "glossary/es": docs("b")}), RankedLists({"dense": docs("a")})
    fused = component.run(lexical=lexical, semantic=semantic)["documents"]
    by_id = {d.id: d for d in fused}
    assert by_id["a"].score == pytest.approx(1 / 2 + 1 / 2)
    assert by_id["b"].score == pytest.approx(4 / 2)
    assert by_id["b"].meta["ranks"] == {"glossary/es": 1}
