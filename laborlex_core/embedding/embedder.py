"""Embedding of passages and queries, as Haystack components, on the configured runtime.

One model instance per process is shared by the ingest and query sides; e5 expects
"passage: " / "query: " prompts and normalized vectors, and Georgian Mtavruli capitals
lower-cased since its vocabulary lacks them. The runtime is OpenVINO for the model built from
the bundled weights (exported once, at set-up) and sentence-transformers on torch for any
other model or when asked (``LABORLEX_EMBED_RUNTIME=torch``). Passage vectors go through the
vector cache (``cache.py``), so re-ingesting unchanged text costs no model time.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from haystack import Document, component, default_from_dict, default_to_dict
from tqdm.auto import tqdm

from laborlex_core.embedding.cache import VectorCache, text_key
from laborlex_core.embedding.model_build import E5_SMALL_FOLDER, ensure_model
from laborlex_core.embedding.query_vector import QueryVector
from laborlex_core.passage_text import embedding_text
from laborlex_core.settings import Settings
from laborlex_core.text_analysis import lower_mtavruli

log = logging.getLogger("laborlex.model")

QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "


class Encoder(Protocol):
    """What the project needs of a loaded model (a ``SentenceTransformer`` is one)."""

    tokenizer: Any

    def encode(self, sentences: Any, batch_size: int = ..., normalize_embeddings: bool = ..., convert_to_numpy: bool = ...) -> Any: ...

    def get_embedding_dimension(self) -> int | None: ...


@lru_cache(maxsize=2)
def _load(runtime: str, model_ref: str, max_seq_length: int, threads: int, dtype: str) -> Encoder:
    log.info("loading embedding model %s (%s, %s)", model_ref, runtime, dtype)
    if runtime == "openvino":
        from laborlex_core.embedding.encoders import OpenVinoEncoder

        return OpenVinoEncoder(Path(model_ref), max_seq_length=max_seq_length, threads=threads, dtype=dtype)
    import torch
    from sentence_transformers import SentenceTransformer

    if threads > 0:
        torch.set_num_threads(threads)
    model = SentenceTransformer(
        model_ref, device="cpu", local_files_only=True, model_kwargs={"torch_dtype": getattr(torch, dtype)}
    )
    model.max_seq_length = max_seq_length
    return model


ModelKey = tuple[str, str, int, int, str]


def openvino_folder(settings: Settings, source: Path) -> Path:
    """Where the OpenVINO export of a model folder lives (beside the built model)."""
    if source.resolve() == (settings.resolved_model_dir / E5_SMALL_FOLDER).resolve():
        return settings.resolved_model_dir / f"{E5_SMALL_FOLDER}-openvino"
    tag = hashlib.sha256(str(source.resolve()).encode("utf-8")).hexdigest()[:10]
    return settings.resolved_model_dir / f"{source.name}-{tag}-openvino"


def resolve_runtime(settings: Settings) -> tuple[str, str]:
    """(runtime, what it loads): the OpenVINO export of a local model folder, exported if need
    be, or the sentence-transformers reference for torch. A model that cannot be exported (not
    mean-pooled, an architecture the tracer rejects, OpenVINO missing) runs on torch."""
    ref = ensure_model(settings)
    if settings.embed_runtime == "torch" or not Path(ref).is_dir():
        return "torch", ref
    from laborlex_core.embedding.openvino_export import export_openvino, is_exported

    dest = openvino_folder(settings, Path(ref))
    if not is_exported(dest, Path(ref)):
        try:
            log.info("exporting %s to OpenVINO at %s", ref, dest)
            export_openvino(Path(ref), dest)
        except Exception as error:  # the torch runtime always works; say why it is used
            log.warning("cannot export %s to OpenVINO (%s); using torch", ref, error)
            return "torch", ref
    return "openvino", str(dest)


def model_key(settings: Settings) -> ModelKey:
    """What identifies a loaded model: runtime, folder (built if need be), window, threads, dtype."""
    runtime, ref = resolve_runtime(settings)
    return (runtime, ref, settings.max_seq_length, settings.threads, settings.embed_dtype)


def load_model(settings: Settings) -> Encoder:
    """The process-wide model named by settings, built and exported from bundled weights if need be."""
    return _with_settings(_load(*model_key(settings)), settings)


def _with_settings(encoder: Encoder, settings: Settings) -> Encoder:
    """The loaded model after what settings ask of it once loaded: its mapped weight file's
    pages handed back (``LABORLEX_EMBED_RELEASE_WEIGHTS``; the OpenVINO runtime only)."""
    release = getattr(encoder, "release_weights", None)
    if settings.embed_release_weights and release is not None:
        release()
    return encoder


def model_identity(key: ModelKey, cache: VectorCache, encoder: Encoder | None = None) -> str:
    """Everything that decides a passage's vector, as the vector cache's model key.

    The precision is the one in effect (OpenVINO computes float32 on CPUs without bfloat16),
    and the files are fingerprinted by content, so a rebuilt or changed model is a new identity.
    """
    runtime, ref, max_seq_length, _threads, dtype = key
    precision = getattr(encoder, "precision", dtype)
    folder = Path(ref)
    files = cache.folder_digest(folder) if folder.is_dir() else f"hub:{ref}"
    return f"{runtime}|{precision}|seq{max_seq_length}|{PASSAGE_PROMPT.strip()}|{files}"


def unit_float32(vectors: np.ndarray) -> np.ndarray:
    """Vectors as float32 of length 1: a bfloat16 model normalizes only to ~3 digits."""
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def embed_words(model: Encoder, words: Sequence[str], batch_size: int = 256) -> np.ndarray:
    """Unit float32 vectors of words, phrases or short texts, one row each, read as queries
    (the query prompt): the term table's words, the query adapter's headings and contexts."""
    if not words:
        return np.zeros((0, model.get_embedding_dimension() or 0), dtype=np.float32)
    texts = [QUERY_PROMPT + lower_mtavruli(w) for w in words]
    return unit_float32(model.encode(texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True))


def embed_passage_texts(
    model: Encoder, texts: Sequence[str], batch_size: int = 32, progress: bool = False
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


def embed_cached(
    model: Encoder,
    texts: Sequence[str],
    cache: VectorCache | None,
    identity: str,
    batch_size: int = 32,
    progress: bool = False,
) -> tuple[list[list[float]], int]:
    """Passage vectors, from the cache where it has them; returns them and how many the model made.

    Identical texts in one call are embedded once.
    """
    keys = [text_key(PASSAGE_PROMPT + t) for t in texts]
    known = cache.get_many(identity, keys) if cache is not None else {}
    todo: list[int] = []
    queued: set[bytes] = set()
    for i, key in enumerate(keys):
        if key not in known and key not in queued:
            queued.add(key)
            todo.append(i)
    made = embed_passage_texts(model, [texts[i] for i in todo], batch_size, progress) if todo else []
    fresh = {keys[i]: vector for i, vector in zip(todo, made)}
    if cache is not None and fresh:
        cache.put_many(identity, ((k, np.asarray(v, dtype=np.float32)) for k, v in fresh.items()))
    vectors = [fresh[k] if k in fresh else known[k].tolist() for k in keys]
    return vectors, len(todo)


class _ModelComponent:
    """Loads the shared model on warm-up; serializes the settings it was built with."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._model: Encoder | None = None
        self._key: ModelKey | None = None

    def warm_up(self) -> None:
        if self._model is None:
            self._key = model_key(self.settings)
            self._model = _with_settings(_load(*self._key), self.settings)

    def _vector_cache(self) -> tuple[VectorCache | None, str]:
        """The vector cache beside the index and this model's identity in it (None, "" when
        the cache is off): what the ingest embedders look texts up in before the model."""
        _ModelComponent.warm_up(self)  # the model's key names it; a subclass's warm_up opens the cache
        if not self.settings.vector_cache:
            return None, ""
        assert self._key is not None
        cache = VectorCache(self.settings.vector_cache_path)
        return cache, model_identity(self._key, cache, self._model)

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
        self._cache: VectorCache | None = None
        self._identity = ""
        # passages seen and passages the model embedded (the rest came from the vector cache)
        self.counts: dict[str, int] = {"passages": 0, "embedded": 0}

    def _extra_init(self) -> dict[str, Any]:
        return {"progress": self.progress}

    def warm_up(self) -> None:
        _ModelComponent.warm_up(self)
        if self._cache is None:
            self._cache, self._identity = self._vector_cache()

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        self.warm_up()
        assert self._model is not None
        texts = [embedding_text(d.content or "", d.meta) for d in documents]
        vectors, made = embed_cached(
            self._model, texts, self._cache, self._identity, self.settings.embed_batch_size, self.progress
        )
        self.counts["passages"] += len(texts)
        self.counts["embedded"] += made
        log.debug("embedded %d of %d passages (%d from the vector cache)", made, len(texts), len(texts) - made)
        return {"documents": [replace(d, embedding=v) for d, v in zip(documents, vectors)]}


@component
class QueryEmbedder(_ModelComponent):
    """Embeds a search query with the "query: " prompt."""

    @component.output_types(embedding=QueryVector)
    def run(self, text: str) -> dict[str, QueryVector]:
        self.warm_up()
        assert self._key is not None
        return {"embedding": _query_vector(self._key, text)}


@lru_cache(maxsize=512)
def _query_vector(key: ModelKey, text: str) -> QueryVector:
    """A query's vector, computed once per process: facets, compare (one search per
    jurisdiction) and paging run the same query through several pipelines. Immutable, so
    the cached value is handed out as it is."""
    vector = _load(*key).encode(QUERY_PROMPT + lower_mtavruli(text), normalize_embeddings=True, convert_to_numpy=True)
    return QueryVector(unit_float32(vector))


def token_offsets(settings: Settings) -> Callable[[str], list[tuple[int, int]]]:
    """Character spans of the model's tokens in a text, to cut long provisions to its window."""
    tokenizer = load_model(settings).tokenizer

    def offsets(text: str) -> list[tuple[int, int]]:
        encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        return [(int(a), int(b)) for a, b in encoded["offset_mapping"]]

    return offsets
