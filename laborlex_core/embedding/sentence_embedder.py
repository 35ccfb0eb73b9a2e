"""Ingest's embedding of snippet sentences, so that searching embeds nothing but the query.

After the passages are embedded, each passage's snippet sentences (split and prepared as the
query side reads them, ``laborlex_core.snippet_sentences``) are embedded through the same
vector cache as passages, so re-ingesting unchanged text costs no model time, and the block
of their vectors rides in the passage's meta to the store's write, which keeps it beside
the passage in the same transaction.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
from haystack import Document, component

from laborlex_core.embedding.cache import VectorCache
from laborlex_core.embedding.embedder import _ModelComponent, embed_cached
from laborlex_core.settings import Settings
from laborlex_core.snippet_sentences import SENTENCE_VECTORS_META, SentenceBlock, sentence_input, sentences

log = logging.getLogger("laborlex.model")


@component
class SentenceEmbedder(_ModelComponent):
    """Adds to each passage the vectors of its snippet sentences (off: passes them through)."""

    def __init__(self, settings: Settings) -> None:
        _ModelComponent.__init__(self, settings)  # @component rebuilds the class, so no bare super()
        self._cache: VectorCache | None = None
        self._identity = ""
        # sentences seen and sentences the model embedded (the rest came from the vector cache)
        self.counts: dict[str, int] = {"sentences": 0, "embedded": 0}

    def warm_up(self) -> None:
        if not self.settings.snippet_vectors:
            return
        _ModelComponent.warm_up(self)
        if self._cache is None:
            self._cache, self._identity = self._vector_cache()

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        if not self.settings.snippet_vectors or not documents:
            return {"documents": documents}
        self.warm_up()
        assert self._model is not None
        groups = [sentences(d.content or "") for d in documents]
        texts = [sentence_input(t) for group in groups for t in group]
        vectors, made = embed_cached(self._model, texts, self._cache, self._identity, self.settings.embed_batch_size)
        self.counts["sentences"] += len(texts)
        self.counts["embedded"] += made
        log.debug("embedded %d of %d snippet sentences", made, len(texts))
        out: list[Document] = []
        at = 0
        for document, group in zip(documents, groups):
            block = SentenceBlock.encode(group, np.asarray(vectors[at : at + len(group)], dtype=np.float32))
            at += len(group)
            out.append(replace(document, meta={**document.meta, SENTENCE_VECTORS_META: block.to_bytes()}))
        return {"documents": out}
