"""Sentence-transformers embedding of passages and queries, as Haystack components.

One model instance per process is shared by the ingest and query sides (it is ~470 MB);
e5 expects "passage: " / "query: " prompts and normalized vectors, and Georgian Mtavruli
capitals lower-cased since its vocabulary lacks them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np
from haystack import Document, component, default_from_dict, default_to_dict
from sentence_transformers import SentenceTransformer
from tqdm.auto import tqdm

from laborlex_core.embedding.model_build import ensure_model
from laborlex_core.passage_text import embedding_text
from laborlex_core.settings import Settings
from laborlex_core.text_analysis import lower_mtavruli

log = logging.getLogger("laborlex.model")

QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "


@lru_cache(maxsize=2)
def _load(model_ref: str, max_seq_length: int, threads: int, dtype: str) -> SentenceTransformer:
    import torch

    if threads > 0:
        torch.set_num_threads(threads)
    log.info("loading embedding model %s (%s)", model_ref, dtype)
    model = SentenceTransformer(
        model_ref, device="cpu", local_files_only=True, model_kwargs={"torch_dtype": getattr(torch, dtype)}
    )
    model.max_seq_length = max_seq_length
    return model


ModelKey = tuple[str, int, int, str]


def model_key(settings: Settings) -> ModelKey:
    """What identifies a loaded model: its folder (built if need be), window, threads, dtype."""
    return (ensure_model(settings), settings.max_seq_length, settings.threads, settings.embed_dtype)


def load_model(settings: Settings) -> SentenceTransformer:
    """The process-wide model named by settings, built from bundled weights if need be."""
    return _load(*model_key(settings))


def unit_float32(vectors: np.ndarray) -> np.ndarray:
    """Vectors as float32 of length 1: a bfloat16 model normalizes only to ~3 digits."""
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def embed_passage_texts(
    model: SentenceTransformer, texts: Sequence[str], batch_size: int = 32, progress: bool = False
) -> list[list[float]]:
    """Embed passage texts longest-first in batches, so padding is wasted least."""
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    vectors: list[list[float]] = [[] for _ in texts]
    bar = tqdm(total=len(texts), desc="embedding", unit="passage", disable=not progress, leave=False)
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        encoded = model.encode(
            [PASSAGE_PROMPT + texts[i] for i in batch],
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        for i, vector in zip(batch, unit_float32(encoded)):
            vectors[i] = vector.tolist()
        bar.update(len(batch))
    bar.close()
    return vectors


class _ModelComponent:
    """Loads the shared model on warm-up; serializes the settings it was built with."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._model: SentenceTransformer | None = None
        self._key: ModelKey | None = None

    def warm_up(self) -> None:
        if self._model is None:
            self._key = model_key(self.settings)
            self._model = _load(*self._key)

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, settings=self.settings.model_dump(mode="json"), **self._extra_init())

    def _extra_init(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Any:
        data["init_parameters"]["settings"] = Settings(**data["init_parameters"]["settings"])
        return default_from_dict(cls, data)


@component
class PassageEmbedder(_ModelComponent):
    """Adds an embedding to each passage Document, encoding its context line and text."""

    def __init__(self, settings: Settings, progress: bool = False) -> None:
        _ModelComponent.__init__(self, settings)  # @component rebuilds the class, so no bare super()
        self.progress = progress

    def _extra_init(self) -> dict[str, Any]:
        return {"progress": self.progress}

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        self.warm_up()
        assert self._model is not None
        texts = [embedding_text(d.content or "", d.meta) for d in documents]
        vectors = embed_passage_texts(self._model, texts, self.settings.embed_batch_size, self.progress)
        return {"documents": [replace(d, embedding=v) for d, v in zip(documents, vectors)]}


@component
class QueryEmbedder(_ModelComponent):
    """Embeds a search query with the "query: " prompt."""

    @component.output_types(embedding=list[float])
    def run(self, text: str) -> dict[str, list[float]]:
        self.warm_up()
        assert self._key is not None
        return {"embedding": list(_query_vector(self._key, text))}


@lru_cache(maxsize=512)
def _query_vector(key: ModelKey, text: str) -> tuple[float, ...]:
    """A query's vector, computed once per process: facets, compare (one search per
    jurisdiction) and paging run the same query through several pipelines."""
    vector = _load(*key).encode(QUERY_PROMPT + lower_mtavruli(text), normalize_embeddings=True, convert_to_numpy=True)
    return tuple(unit_float32(vector).tolist())


def token_offsets(settings: Settings) -> Callable[[str], list[tuple[int, int]]]:
    """Character spans of the model's tokens in a text, to cut long provisions to its window."""
    tokenizer = load_model(settings).tokenizer

    def offsets(text: str) -> list[tuple[int, int]]:
        encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        return [(int(a), int(b)) for a, b in encoded["offset_mapping"]]

    return offsets
