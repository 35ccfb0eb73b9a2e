"""Vectors of snippet sentences, embedded on demand, cached, and bounded per request.

The fallback: ingest stores each passage's sentence vectors (``laborlex_core.snippet_sentences``),
so this runs only for passages without them (an index made before they were stored, a
backend lacking them, ``LABORLEX_SNIPPET_VECTORS=false``).

A result found only by meaning (no word in common with the query) gets as snippet its
sentence closest in meaning to the query, which needs those sentences' vectors. They are
cached per process (the same provisions come back for many queries), computed outside any
lock (the API serves requests from a thread pool; one request embedding sentences must not
hold up the others), and at most ``per_request`` new sentences are embedded per request, so
a page of long provisions costs a bounded model call; sentences left out fall back to the
provision's opening words and are embedded by a later request. Within the API, the bound is
per HTTP request, not per call: ``/compare`` calls once per column, and all its calls share
the request's budget (``search_api.limits``), which also stops at the request's deadline.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from laborlex_core.embedding.embedder import Encoder, embed_passage_texts, load_model
from laborlex_core.settings import Settings
from laborlex_core.snippet_sentences import sentence_input
from search_api.limits import current_budget

SENTENCE_CACHE_SIZE = 20_000  # sentence vectors kept per process (~30 MB)
SENTENCES_PER_REQUEST = 24  # new sentences embedded per request, at most
SENTENCE_BATCH = 8  # embedded together; the request's deadline is checked between batches


class SentenceVectors:
    """Process-wide cache of snippet sentence vectors; the lock guards the map, never the model."""

    def __init__(self, settings: Settings, cache_size: int = SENTENCE_CACHE_SIZE, per_request: int = SENTENCES_PER_REQUEST) -> None:
        self.settings = settings
        self.cache_size = cache_size
        self.per_request = per_request
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()
        self._model: Encoder | None = None

    def __len__(self) -> int:
        return len(self._cache)

    def vectors(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors of ``texts`` in order of preference: cached ones, then up to ``per_request``
        new ones (the first asked for first); the rest are absent from the answer."""
        wanted = list(dict.fromkeys(texts))
        with self._lock:
            found = {t: self._cache[t] for t in wanted if t in self._cache}
            for text in found:
                self._cache.move_to_end(text)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        missing = [t for t in wanted if t not in found][: self.per_request]
        budget = current_budget()  # an API request's budget is shared by all its calls (/compare)
        for first in range(0, len(missing), SENTENCE_BATCH):
            batch = missing[first : first + SENTENCE_BATCH]
            if budget is not None:  # before the deadline, or one batch per request after it
                batch = batch[: budget.take_sentences(len(batch))]
            if not batch:
                break
            found.update(self._embed(batch))
        return found

    def _embed(self, batch: list[str]) -> dict[str, np.ndarray]:
        if self._model is None:
            self._model = load_model(self.settings)  # process-wide and cached by the embedder
        texts = [sentence_input(t) for t in batch]  # as ingest embeds them (stored vectors)
        computed = embed_passage_texts(self._model, texts, self.settings.embed_batch_size)
        fresh = {t: np.asarray(v, dtype=np.float32) for t, v in zip(batch, computed)}
        with self._lock:
            self._cache.update(fresh)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return fresh
