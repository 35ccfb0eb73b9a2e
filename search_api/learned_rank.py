"""A small learned re-ranker over the fused candidates (a lever: ``LABORLEX_RERANK=linear``).

Weighted RRF adds each list's 1/(k + rank) with weights chosen by cross-validation; it
cannot learn that, say, a provision found only by the per-language dense list and in the
query's language deserves less than one found by BM25 and meaning together. A logistic
regression over a handful of features per candidate provision can. Its features are what
the pipeline already knows about a candidate (``FEATURES``): the fused score and position,
each list family's best reciprocal rank, how many lists found it, whether a reference
pointed at it, whether it is a preamble or transitional unit, whether it is in the query's
language, how many of its passages matched.

The model is fitted on the development judgments, so its figure must be cross-validated:
``laborlex eval --cv K --rerank`` fits it on each fold's training queries and scores the
held-out fold (``search_api.cross_validation.learned_rank_cv``). The weights shipped in
``search_api/data/learned_rank.json`` are fitted on all judgments by
``laborlex rerank-fit --qrels JUDGMENTS``; using the judgments as training labels is sound
only because the choice to use the model and the reported figure are cross-validated.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from haystack import Document, component, default_from_dict, default_to_dict

from search_api.fusion import NON_OPERATIVE_UNITS
from search_api.handoff import Passages
from search_api.query_analysis import detect_language

WEIGHTS_RESOURCE = "data/learned_rank.json"
RERANK_DEPTH = 50  # candidates re-ranked; what lies below keeps its fused order
RANK_K = 10  # reciprocal ranks as 1 / (RANK_K + rank), the fusion's own shape

FEATURES: tuple[str, ...] = (
    "fused_score",
    "fused_position",
    "bm25",
    "dense",
    "dense_language",
    "terms",
    "jurisdiction",
    "reference",
    "lists",
    "non_operative",
    "same_language",
    "passages_matched",
)


def _reciprocal(rank: int | None) -> float:
    return 0.0 if rank is None else 1.0 / (RANK_K + rank)


def _best(ranks: Mapping[str, int], test: Any) -> int | None:
    found = [rank for name, rank in ranks.items() if test(name)]
    return min(found) if found else None


def candidate_features(document: Document, position: int, query_language: str) -> list[float]:
    """The feature vector of one candidate provision at ``position`` (0-based) of the fused list."""
    meta = document.meta
    ranks: Mapping[str, int] = meta.get("ranks") or {}
    return [
        float(document.score or 0.0),
        1.0 / (1 + position),
        _reciprocal(ranks.get("bm25")),
        _reciprocal(ranks.get("dense")),
        _reciprocal(_best(ranks, lambda n: n.startswith("dense/"))),
        _reciprocal(_best(ranks, lambda n: n.startswith("terms/"))),
        _reciprocal(_best(ranks, lambda n: "@" in n)),
        1.0 if "reference" in ranks else 0.0,
        len(ranks) / 10.0,
        1.0 if meta.get("unit") in NON_OPERATIVE_UNITS else 0.0,
        1.0 if meta.get("language") == query_language else 0.0,
        math.log1p(int(meta.get("passages_matched") or 0)),
    ]


def fit_linear(features: np.ndarray, labels: np.ndarray, c: float = 1.0) -> dict[str, Any]:
    """Logistic regression on standardized features (scikit-learn); the weights as plain data."""
    from sklearn.linear_model import LogisticRegression

    if len(set(labels.tolist())) < 2:
        raise ValueError("fitting the re-ranker needs both relevant and non-relevant candidates")
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    model.fit((features - mean) / scale, labels)
    return {
        "features": list(FEATURES),
        "mean": mean.tolist(),
        "scale": scale.tolist(),
        "coef": model.coef_[0].tolist(),
        "intercept": float(model.intercept_[0]),
        "c": c,
    }


def score(weights: Mapping[str, Any], features: np.ndarray) -> np.ndarray:
    """The model's score (log-odds) of each row."""
    if list(weights["features"]) != list(FEATURES):
        raise ValueError(f"learned-rank weights were fitted on features {weights['features']}, not {list(FEATURES)}")
    standardized = (features - np.asarray(weights["mean"])) / np.asarray(weights["scale"])
    return standardized @ np.asarray(weights["coef"]) + float(weights["intercept"])


def rerank(documents: Sequence[Document], weights: Mapping[str, Any], query_language: str, depth: int = RERANK_DEPTH) -> list[Document]:
    """The first ``depth`` provisions re-ordered by the model (a provision a reference points
    at stays first: the user named it); the rest follow in fused order."""
    head, tail = list(documents[:depth]), list(documents[depth:])
    if not head:
        return list(documents)
    matrix = np.asarray([candidate_features(d, i, query_language) for i, d in enumerate(head)], dtype=np.float64)
    scores = score(weights, matrix)
    order = sorted(range(len(head)), key=lambda i: (-("reference" in (head[i].meta.get("ranks") or {})), -scores[i], i))
    return [replace(head[i], meta={**head[i].meta, "learned_score": float(scores[i])}) for i in order] + tail


@lru_cache(maxsize=4)
def load_weights(path: str | None = None) -> dict[str, Any]:
    """The fitted weights; none are shipped while cross-validation does not keep the model."""
    source = Path(path) if path else Path(str(resources.files("search_api").joinpath(WEIGHTS_RESOURCE)))
    if not source.exists():
        raise FileNotFoundError(
            f"LABORLEX_RERANK=linear needs the re-ranker's weights at {source}: "
            "run `laborlex rerank-fit --qrels JUDGMENTS` (docs/retrieval-quality.md, §8)"
        )
    return json.loads(source.read_text("utf-8"))


def write_weights(weights: Mapping[str, Any], path: Path) -> None:
    path.write_text(json.dumps(weights, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    load_weights.cache_clear()


@component
class LearnedReranker:
    """Re-orders the collapsed provisions by the learned model (``LABORLEX_RERANK=linear``)."""

    def __init__(self, depth: int = RERANK_DEPTH, weights_path: str | None = None) -> None:
        self.depth = depth
        self.weights_path = weights_path  # None: the shipped weights

    @component.output_types(documents=Passages)
    def run(self, documents: Passages | list[Document], query: str, top_k: int | None = None) -> dict[str, Passages]:
        ranked = rerank(list(documents), load_weights(self.weights_path), detect_language(query), self.depth)
        return {"documents": Passages(ranked[: top_k or None])}

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, depth=self.depth, weights_path=self.weights_path)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LearnedReranker:
        return default_from_dict(cls, data)
