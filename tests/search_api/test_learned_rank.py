"""The learned re-ranker: features, fitting, re-ranking, and its cross-validation inside folds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from haystack import Document

from search_api.cross_validation import is_relevant, learned_rank_cv, training_rows
from search_api.evaluation import Judged
from search_api.learned_rank import FEATURES, RANK_K, candidate_features, fit_linear, rerank, score


def provision(doc: str, article: str, ranks: dict[str, int], score_: float = 0.1, **meta) -> Document:
    return Document(id=f"{doc}:{article}", content="", score=score_, meta={"doc_id": doc, "article": article, "ranks": ranks, **meta})


@pytest.mark.parametrize(
    ("ranks", "meta", "expected"),
    [
        ({"bm25": 1}, {"language": "es"}, {"bm25": 1 / (RANK_K + 1), "dense": 0.0, "lists": 0.1, "same_language": 1.0}),
        ({"dense/ka": 3, "dense/es": 7}, {"language": "ka"}, {"dense_language": 1 / (RANK_K + 3), "same_language": 0.0}),
        ({"terms/es@MX": 2, "bm25@MX": 5}, {}, {"terms": 1 / (RANK_K + 2), "jurisdiction": 1 / (RANK_K + 2)}),
        ({"reference": 1}, {"unit": "preamble"}, {"reference": 1.0, "non_operative": 1.0}),
        ({}, {"passages_matched": 3}, {"passages_matched": math.log1p(3), "lists": 0.0}),
    ],
)
def test_candidate_features(ranks: dict[str, int], meta: dict, expected: dict[str, float]) -> None:
    values = dict(zip(FEATURES, candidate_features(provision("d", "1", ranks, **meta), 2, "es")))
    assert values["fused_position"] == pytest.approx(1 / 3)
    for name, value in expected.items():
        assert values[name] == pytest.approx(value), name


@pytest.mark.parametrize(
    ("relevant", "doc", "article", "expected"),
    [((("d", "1"),), "d", "1", True), ((("d", "1"),), "d", "2", False), ((("d", "*"),), "d", "9", True), ((("e", "*"),), "d", "9", False)],
)
def test_is_relevant(relevant, doc: str, article: str, expected: bool) -> None:
    assert is_relevant(Judged("q", "es", "x", relevant), doc, article) is expected


def _synthetic(n: int) -> tuple[list[Judged], dict[str, list[Document]]]:
    """Queries whose answer sits third in fused order but is the only candidate BM25 found."""
    judgments, candidates = [], {}
    for i in range(n):
        language = ("es", "en", "ka")[i % 3]
        judgments.append(Judged(f"q{i}", language, f"question {i}", ((f"doc{i}", "3"),)))
        candidates[f"q{i}"] = [
            provision(f"doc{i}", "1", {"dense": 1, "dense/es": 1}, 0.3),
            provision(f"doc{i}", "2", {"dense": 2}, 0.2),
            provision(f"doc{i}", "3", {"bm25": 1}, 0.1),
            provision(f"doc{i}", "4", {"dense": 4}, 0.05),
        ]
    return judgments, candidates


def test_fit_and_rerank_learn_what_the_labels_say() -> None:
    judgments, candidates = _synthetic(12)
    features, labels = training_rows(judgments, candidates, depth=50)
    assert features.shape == (48, len(FEATURES)) and labels.sum() == 12
    weights = fit_linear(features, labels)
    assert weights["coef"][FEATURES.index("bm25")] > 0
    ranked = rerank(candidates["q0"], weights, "es")
    assert ranked[0].meta["article"] == "3"
    assert score(weights, features).shape == (48,)


def test_a_cited_provision_stays_first() -> None:
    judgments, candidates = _synthetic(6)
    weights = fit_linear(*training_rows(judgments, candidates, depth=50))
    cited = [provision("doc0", "9", {"reference": 1}, 100.0)] + candidates["q0"]
    assert rerank(cited, weights, "es")[0].meta["article"] == "9"


def test_weights_for_other_features_are_refused() -> None:
    with pytest.raises(ValueError, match="features"):
        score({"features": ["x"], "mean": [0], "scale": [1], "coef": [1], "intercept": 0}, np.zeros((1, 1)))


def test_cross_validation_fits_on_training_folds_and_beats_fused_order() -> None:
    judgments, candidates = _synthetic(15)
    finish = lambda query_id, documents: [(d.meta["doc_id"], d.meta["article"]) for d in documents]  # noqa: E731
    result = learned_rank_cv(judgments, candidates, finish, {f"doc{i}": "es" for i in range(15)}, k=5, seed=13)
    assert len(result.weights) == 5  # one model per fold
    assert result.baseline["overall"]["ndcg@10"] == pytest.approx(0.5)  # answer third: 1/log2(4)
    assert result.held_out["overall"]["ndcg@10"] == pytest.approx(1.0)


def test_a_fold_with_nothing_relevant_to_learn_from_keeps_fused_order() -> None:
    judgments, candidates = _synthetic(6)
    judgments = [Judged(j.query_id, j.language, j.query, (("elsewhere", "1"),)) for j in judgments]
    with pytest.raises(ValueError, match="both relevant and non-relevant"):
        fit_linear(*training_rows(judgments, candidates, depth=50))
    finish = lambda query_id, documents: [(d.meta["doc_id"], d.meta["article"]) for d in documents]  # noqa: E731
    result = learned_rank_cv(judgments, candidates, finish, {}, k=2, seed=13)
    assert result.weights == [{}, {}] and result.held_out["overall"] == result.baseline["overall"]


def test_missing_weights_say_how_to_make_them(tmp_path) -> None:
    from search_api.learned_rank import load_weights

    with pytest.raises(FileNotFoundError, match="rerank-fit"):
        load_weights(str(tmp_path / "absent.json"))
