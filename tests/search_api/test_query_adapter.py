"""The query adapter: the Procrustes rotation, the blend, and the pairs mined from the corpus."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest
from haystack import Document

from search_api.query_adapter import (
    INFO_RESOURCE,
    adapt,
    citation_pairs,
    cross_language_pairs,
    heading_pairs,
    load_adapter,
    procrustes,
)


def test_procrustes_recovers_a_rotation() -> None:
    rng = np.random.default_rng(0)
    rotation, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    queries = rng.normal(size=(64, 8))
    found = procrustes(queries, queries @ rotation)
    assert np.allclose(found, rotation, atol=1e-5)
    assert np.allclose(found @ found.T, np.eye(8), atol=1e-5)


@pytest.mark.parametrize("blend", [0.0, 0.25, 0.5, 1.0])
def test_adapt_blends_towards_the_rotated_vector(blend: float) -> None:
    swap = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    query = [1.0, 0.0]
    moved = np.asarray(adapt(query, swap, blend))
    expected = np.array([1 - blend, blend]) / np.linalg.norm([1 - blend, blend])
    assert np.allclose(moved, expected, atol=1e-6)


def _passage(doc: str, article: str, language: str, vector: list[float], content: str = "", **meta) -> Document:
    return Document(
        id=f"{doc}:{article}",
        content=content,
        embedding=vector,
        meta={"doc_id": doc, "article": article, "language": language, "ordinal": int(article), "chunk": 0, **meta},
    )


PASSAGES = [
    _passage("ilo-c029-es", "1", "es", [1.0, 0.0], "Artículo 1 trabajo forzoso", heading_path=["Parte I", "Definiciones"]),
    _passage("ilo-c029-ka", "1", "ka", [0.0, 1.0], "მუხლი 1 იძულებითი შრომა"),
    _passage("ilo-c029-es", "2", "es", [0.6, 0.8], "Artículo 2", citations=[{"start": 0, "end": 10, "target_doc": "ilo-c029-ka", "target_article": "1"}]),
]


@pytest.mark.parametrize(
    ("miner", "texts", "targets"),
    [
        (heading_pairs, ["Definiciones"], [[1.0, 0.0]]),
        (cross_language_pairs, ["Artículo 1 trabajo forzoso", "მუხლი 1 იძულებითი შრომა"], [[0.0, 1.0], [1.0, 0.0]]),
        (citation_pairs, ["Artículo 2"], [[0.0, 1.0]]),
    ],
)
def test_pairs_mined_from_the_corpus(miner, texts: list[str], targets: list[list[float]]) -> None:
    pairs = miner(PASSAGES)
    assert [text for text, _ in pairs] == texts
    assert [vector.tolist() for _, vector in pairs] == targets


def test_shipped_adapter_is_a_rotation_that_names_its_sources() -> None:
    matrix = load_adapter()
    assert matrix.shape == (384, 384)
    assert np.allclose(matrix @ matrix.T, np.eye(384), atol=1e-3)
    info = json.loads(resources.files("search_api").joinpath(INFO_RESOURCE).read_text("utf-8"))
    assert "no judged query" in info["_source"] and info["rebuild"] == "laborlex adapter"
    assert info["mean_cosine_after"] >= info["mean_cosine_before"]
