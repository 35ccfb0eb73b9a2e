"""Shared helpers for the OpenSearch tests: a tiny corpus and settings pointing at a server."""

from __future__ import annotations

import math
import os

from haystack import Document

from laborlex_core.settings import Settings

REAL_CLUSTER_REASON = (
    "needs a real OpenSearch cluster: set OPENSEARCH_URL (laborlex opensearch local start, or docker compose up opensearch)"
)
NATIVE_HYBRID_REASON = (
    "native hybrid needs the opensearch-neural-search plugin, which Maven Central does not serve "
    "(the local node has k-NN only); install it on the cluster to run this"
)


def has_neural_search(client) -> bool:
    """Whether the cluster can run the hybrid query and the score-ranker search pipeline."""
    from laborlex_core.store.opensearch_admin import NEURAL_PLUGIN, cluster_plugins

    return NEURAL_PLUGIN in (cluster_plugins(client) or ())


def real_cluster_settings(index: str) -> Settings:
    """Settings for the cluster named by OPENSEARCH_URL (+ OPENSEARCH_USER/OPENSEARCH_PASSWORD)."""
    return Settings(
        backend="opensearch",
        opensearch_url=os.environ["OPENSEARCH_URL"],
        opensearch_user=os.environ.get("OPENSEARCH_USER", "admin"),
        opensearch_password=os.environ.get("OPENSEARCH_PASSWORD"),
        opensearch_index=index,
    )


def unit_vector(*weights: float, dim: int = 384) -> list[float]:
    vector = [0.0] * dim
    for i, w in enumerate(weights):
        vector[i] = w
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


def passage(doc_id: str, article: str, content: str, language: str, jurisdiction: str, ordinal: int, vector: list[float], **extra) -> Document:
    meta = {
        "doc_id": doc_id,
        "article": article,
        "unit": "article",
        "language": language,
        "jurisdiction": jurisdiction,
        "kind": "statute",
        "title": {"mx-lft": "Ley Federal del Trabajo", "ge-code": "საქართველოს შრომის კოდექსი", "us-flsa": "Fair Labor Standards Act"}[doc_id],
        "date": "2024-01-01",
        "heading_path": [],
        "ordinal": ordinal,
        "chunk": 0,
        **extra,
    }
    return Document(id=f"{doc_id}:{article}:0", content=content, meta=meta, embedding=vector)


def small_corpus() -> dict[str, list[Document]]:
    """Three documents, three languages; vectors chosen so each passage has its own direction."""
    return {
        "mx-lft": [
            passage("mx-lft", "67", "Las horas de trabajo extraordinario se pagarán con un ciento por ciento más del salario.", "es", "MX", 1, unit_vector(1, 0, 0)),
            passage("mx-lft", "22 Bis", "Queda prohibido el trabajo de menores de quince años.", "es", "MX", 2, unit_vector(0, 1, 0)),
            passage("mx-lft", "48", "El trabajador podrá solicitar la indemnización de tres meses de salario.", "es", "MX", 3, unit_vector(0, 0, 1)),
        ],
        "ge-code": [
            passage("ge-code", "27", "ზეგანაკვეთური სამუშაო ანაზღაურდება გაზრდილი ოდენობით.", "ka", "GE", 1, unit_vector(0.9, 0.1, 0)),
        ],
        "us-flsa": [
            passage("us-flsa", "207", "No employer shall employ any employee for a workweek longer than forty hours unless overtime compensation is paid.", "en", "US", 1, unit_vector(0.8, 0, 0.2)),
        ],
    }


def load(store, corpus: dict[str, list[Document]] | None = None) -> None:
    for doc_id, passages in (corpus or small_corpus()).items():
        meta = {"doc_id": doc_id, "title": passages[0].meta["title"], "language": passages[0].meta["language"], "jurisdiction": passages[0].meta["jurisdiction"], "kind": "statute"}
        store.replace_document(doc_id, passages, meta, text="\n".join(p.content for p in passages))
