"""Reciprocal rank fusion, with hand-computed scores."""

from __future__ import annotations

import pytest
from haystack import Document

from search_api.fusion import BranchWeights, RankedLists, RankFusion, list_family, operative_prior, reciprocal_rank_fusion


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
        ("terms/ka", 3.0),
        ("terms/es@MX", 1.5),
        ("dense/ka", 0.25),
        ("instrument#ilo-c029", 0.75),
        ("instrument_dense#us-flsa", 0.75),
        ("reference", 100.0),
    ],
)
def test_branch_weight_follows_the_list_name(name: str, weight: float) -> None:
    weights = BranchWeights(bm25=1.0, dense=2.0, terms=3.0, language_balance=0.25, jurisdiction=0.5, instrument=0.75)
    assert weights.of(name) == pytest.approx(weight)


def test_component_fuses_named_lists_with_their_weights() -> None:
    component = RankFusion(k=1, weights={"terms": 4.0})
    lexical, semantic = RankedLists({"bm25": docs("a"), "terms/es": docs("b")}), RankedLists({"dense": docs("a")})
    fused = component.run(lexical=lexical, semantic=semantic)["documents"]
    by_id = {d.id: d for d in fused}
    assert by_id["a"].score == pytest.approx(1 / 2 + 1 / 2)
    assert by_id["b"].score == pytest.approx(4 / 2)
    assert by_id["b"].meta["ranks"] == {"terms/es": 1}


def unit_docs(*pairs: tuple[str, str]) -> list[Document]:
    return [Document(id=i, content=i, meta={"doc_id": i, "article": "1", "unit": unit}) for i, unit in pairs]


@pytest.mark.parametrize(
    ("factor", "order"),
    [
        (1.0, ["pre", "art", "tra", "art2"]),  # no prior: fused order kept
        (0.5, ["art", "pre", "art2", "tra"]),
        (0.0, ["art", "art2", "pre", "tra"]),
    ],
)
def test_operative_prior_demotes_preambles_and_transitional_articles(factor: float, order: list[str]) -> None:
    fused = unit_docs(("pre", "preamble"), ("art", "article"), ("tra", "transitional"), ("art2", "section"))
    scored = [replace_score(d, s) for d, s in zip(fused, (1.0, 0.9, 0.5, 0.4))]
    assert [d.id for d in operative_prior(scored, factor)] == order


def replace_score(document: Document, score: float) -> Document:
    from dataclasses import replace

    return replace(document, score=score)


def test_fusion_component_applies_the_prior() -> None:
    component = RankFusion(k=1, non_operative=0.1)
    lexical = RankedLists({"bm25": unit_docs(("pre", "preamble"), ("art", "article"))})
    assert [d.id for d in component.run(lexical=lexical)["documents"]] == ["art", "pre"]
    assert RankFusion.from_dict(component.to_dict()).non_operative == 0.1


@pytest.mark.parametrize(
    ("name", "family"),
    [("dense", "dense"), ("dense/ka", "dense"), ("dense@MX", "dense"), ("instrument_dense#ilo-c029", "dense"),
     ("bm25", "lexical"), ("bm25@HN", "lexical"), ("instrument#us-flsa", "lexical"),
     ("terms/es", "terms"), ("terms/es@MX", "terms"), ("feedback/ka", "feedback"), ("reference", "reference")],
)
def test_list_family(name: str, family: str) -> None:
    assert list_family(name) == family


def test_within_family_max_counts_one_model_once() -> None:
    """"hub" is first in three dense lists; "answer" is first by BM25 and second by dense.
    Summed, the hub wins on votes of one model; counted once per family, the answer wins."""
    lists = {"dense": docs("hub", "answer"), "dense/ka": docs("hub"), "dense@INTL": docs("hub"), "bm25": docs("answer")}
    summed = reciprocal_rank_fusion(lists, k=1)
    assert summed[0].id == "hub" and summed[0].score == pytest.approx(3 / 2)
    once = reciprocal_rank_fusion(lists, k=1, within_family="max")
    by_id = {d.id: d for d in once}
    assert by_id["hub"].score == pytest.approx(1 / 2)
    assert by_id["answer"].score == pytest.approx(1 / 3 + 1 / 2)
    assert once[0].id == "answer"
    assert by_id["hub"].meta["ranks"] == {"dense": 1, "dense/ka": 1, "dense@INTL": 1}  # every rank still shown
    with pytest.raises(ValueError):
        reciprocal_rank_fusion(lists, within_family="mean")
