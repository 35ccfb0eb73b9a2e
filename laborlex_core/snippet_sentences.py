"""Snippet sentences of a passage and their stored vectors.

A result found only by meaning (no word in common with the query) gets as snippet its
sentence closest in meaning to the query. Those sentences' vectors are computed at ingest
(``laborlex_core.embedding.sentence_embedder``) and stored with the passage, so a search's
only model call is the query's embedding. Both sides must agree on two things kept here:
how a passage splits into sentences (``sentences``) and the exact text the model reads of
one (``sentence_input``). Ingest embeds with them, the query side splits with them, and a
stored vector is matched to its sentence by a hash of the sentence's text, so a change to
either function simply makes old vectors unmatched (the query side then embeds on demand).

Storage (``SentenceBlock``): one compact blob per passage, int8 codes with one float32
scale per sentence (~390 bytes a sentence at 384 dimensions, a quarter of float32). The
quantization error (< 0.4 % of a component's range) is far below the gaps between sentence
scores that decide a snippet (agreement with float32 is measured in the README).
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from laborlex_core.text_analysis import lower_mtavruli

# Carries a passage's block from the ingest pipeline to the store's write; the store takes it
# out of the meta it persists (stores keep the block in their own column or field).
SENTENCE_VECTORS_META = "_sentence_vectors"
SENTENCE_CHARS = 400  # of a sentence, embedded (the snippet shows ~320 characters of it)
KEY_BYTES = 8  # of the sha256 of a sentence's text, to match a stored vector to its sentence

_SENTENCE_BREAK = re.compile(r"(?<=[.;:!?])\s+|\n\s*\n|\n(?=[a-zA-Z0-9IVX]{1,4}[.)] )")
_HEADER = struct.Struct("<HH")  # sentence count, dimension


def sentences(text: str, min_chars: int = 25, limit: int = 12) -> list[str]:
    """The sentences (or list items) of a passage worth offering as a snippet, in order."""
    parts = [" ".join(p.split()) for p in _SENTENCE_BREAK.split(text)]
    return [p for p in parts if len(p) >= min_chars][:limit] or [" ".join(text.split())]


def sentence_input(sentence: str) -> str:
    """What the model reads of a sentence (before the passage prompt): its opening, since the
    model's cost grows with length and a 512-token sentence costs ten short ones."""
    return lower_mtavruli(sentence[:SENTENCE_CHARS])


def sentence_key(sentence: str) -> bytes:
    return hashlib.sha256(sentence.encode("utf-8")).digest()[:KEY_BYTES]


@dataclass(frozen=True, slots=True)
class SentenceBlock:
    """The vectors of one passage's snippet sentences, int8 with a scale per sentence."""

    keys: tuple[bytes, ...]
    scales: np.ndarray  # float32, one per sentence
    codes: np.ndarray  # int8, (sentences, dimension)

    @classmethod
    def encode(cls, texts: Sequence[str], vectors: np.ndarray) -> SentenceBlock:
        """Quantize the unit vectors of ``texts`` (the sentences, as ``sentences`` splits them)."""
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
        peak = np.abs(vectors).max(axis=1) if len(texts) else np.zeros(0, dtype=np.float32)
        scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
        codes = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
        return cls(tuple(sentence_key(t) for t in texts), scales, codes)

    def to_bytes(self) -> bytes:
        n, dim = self.codes.shape if self.codes.ndim == 2 else (0, 0)
        return _HEADER.pack(n, dim) + b"".join(self.keys) + self.scales.astype("<f4").tobytes() + self.codes.tobytes()

    @classmethod
    def from_bytes(cls, blob: bytes) -> SentenceBlock:
        n, dim = _HEADER.unpack_from(blob)
        if len(blob) != _HEADER.size + n * (KEY_BYTES + 4 + dim):
            raise ValueError(f"sentence vector blob of {len(blob)} bytes does not hold {n} x {dim} codes")
        at = _HEADER.size
        keys = tuple(blob[at + i * KEY_BYTES : at + (i + 1) * KEY_BYTES] for i in range(n))
        at += n * KEY_BYTES
        scales = np.frombuffer(blob, dtype="<f4", count=n, offset=at).astype(np.float32)
        at += n * 4
        codes = np.frombuffer(blob, dtype=np.int8, count=n * dim, offset=at).reshape(n, dim)
        return cls(keys, scales, codes)

    def __len__(self) -> int:
        return len(self.keys)

    def rekeyed(self, texts: Sequence[str]) -> SentenceBlock | None:
        """Vectors under the keys of ``texts``, the sentences of a copy of this block's passage
        with a word changed (the benchmark's scaled indexes): a sentence takes the vector stored
        under its own text where the block holds it, else that of the sentence at its position
        (the last one's past the end), so every sentence of the copy has one, as every sentence
        of an ingested passage does. None for a block without sentences."""
        if not self.keys:
            return None
        keys = tuple(sentence_key(t) for t in texts)
        stored = {key: i for i, key in enumerate(self.keys)}
        picks = [stored.get(key, min(i, len(self.keys) - 1)) for i, key in enumerate(keys)]
        return SentenceBlock(keys, self.scales[picks], self.codes[picks])

    def vectors_for(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The float32 vectors of those ``texts`` whose sentence is in the block."""
        rows = {key: i for i, key in enumerate(self.keys)}
        out: dict[str, np.ndarray] = {}
        for text in texts:
            i = rows.get(sentence_key(text))
            if i is not None:
                out[text] = self.codes[i].astype(np.float32) * self.scales[i]
        return out
