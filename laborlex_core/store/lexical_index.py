"""BM25 in memory: a term-by-passage sparse matrix derived from the FTS5 table.

Why not FTS5 at query time: a hybrid search asks for a dozen BM25 lists that differ only by
filter, and FTS5 scores every matching row again for each (a common stem matches a fifth of
a 100k index). Here a query's terms are scored once into one array over all passages, and
every list is a mask and a partial sort over that array (``laborlex_core.store.ranking``).

SQLite stays the source of truth: the matrix is built from the analyzed text FTS5 holds
(``passages_fts.context`` and ``.body``, written by the store in the same transaction as the
passage), so both see the same terms. Scores reproduce FTS5's ``bm25()`` exactly (same
formula, same statistics, double precision):

    score = sum over query terms t of idf(t) * f * (k1 + 1) / (f + k1 * (1 - b + b * D / avgdl))

with f = context weight x occurrences in the context + body weight x occurrences in the
body, D = the passage's tokens in both columns, avgdl = the mean of D, and
idf(t) = ln((N - n_t + 0.5) / (n_t + 0.5)), floored at 1e-6 as FTS5 does. k1 and b are
settings (FTS5's built-in values are 1.2 and 0.75).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from laborlex_core.memory import release_file_pages

try:  # y += A @ x over CSC arrays, in place: lets a query's columns be scored without copying them
    from scipy.sparse._sparsetools import csc_matvec as _csc_matvec
except ImportError:  # a private module: without it, the public (copying) column slice is used
    _csc_matvec = None

# A token as FTS5's unicode61 tokenizer sees it: a run of letters and digits (no underscore).
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_IDF_FLOOR = 1e-6  # FTS5 replaces a non-positive idf by this
POSTINGS_BATCH = 20_000  # passages tokenized and summed at a time


def fts_tokens(text: str) -> list[str]:
    """The tokens unicode61 makes of already-analyzed text (terms joined by spaces).

    Analyzed terms are runs of Python word characters; unicode61 also splits them at an
    underscore (the one word character it does not count as a letter or digit)."""
    return _TOKEN.findall(text) if "_" in text else text.split()


def is_single_token(term: str) -> bool:
    """FTS5 turns a term of several tokens ("a_b") into a phrase; this index scores single tokens."""
    return _TOKEN.fullmatch(term) is not None


@dataclass(slots=True)
class LexicalIndex:
    """Term frequencies (context/body weighted) per passage, and the BM25 weights from them."""

    vocabulary: dict[str, int]
    postings: sparse.csc_matrix  # passages x terms, weighted term frequency f
    lengths: np.ndarray  # float64, tokens per passage (both columns)
    k1: float
    b: float
    weights: sparse.csc_matrix  # passages x terms, f * (k1 + 1) / (f + k1 * norm(D)); 0 elsewhere
    document_frequency: np.ndarray  # int64 per term: passages containing it

    @classmethod
    def build(
        cls,
        contexts: Sequence[str],
        bodies: Sequence[str],
        context_weight: float,
        body_weight: float,
        k1: float,
        b: float,
    ) -> LexicalIndex:
        """From each passage's analyzed context line and body (row i = passage i)."""
        vocabulary: dict[str, int] = {}
        postings, lengths = _postings(contexts, bodies, context_weight, body_weight, vocabulary)
        return cls.from_postings(vocabulary, postings, lengths, k1, b)

    @classmethod
    def from_postings(
        cls, vocabulary: dict[str, int], postings: sparse.csc_matrix, lengths: np.ndarray, k1: float, b: float
    ) -> LexicalIndex:
        """Derive the BM25 weights (they depend on k1, b and the mean length) from raw postings."""
        postings = postings.tocsc()
        n = postings.shape[0]
        avgdl = float(lengths.sum()) / n if n else 1.0
        rows = postings.indices
        f = postings.data
        norm = k1 * (1.0 - b + b * lengths[rows] / (avgdl or 1.0))
        data = f * (k1 + 1.0) / (f + norm)
        weights = sparse.csc_matrix((data, postings.indices, postings.indptr), shape=postings.shape)
        document_frequency = np.diff(postings.indptr).astype(np.int64)
        return cls(vocabulary, postings, lengths, k1, b, weights, document_frequency)

    def extended(
        self, keep: np.ndarray, contexts: Sequence[str], bodies: Sequence[str], context_weight: float, body_weight: float
    ) -> LexicalIndex:
        """This index without the rows not in ``keep`` (row numbers, ascending), with the new
        passages appended: an incremental update. Statistics (N, document frequencies, mean
        length) follow from the postings, so they are exactly a rebuild's."""
        vocabulary = dict(self.vocabulary)  # the old snapshot may still be answering queries
        added, added_lengths = _postings(contexts, bodies, context_weight, body_weight, vocabulary)
        kept = self.postings.tocsr()[keep].tocsc()
        width = max(len(vocabulary), 1)
        indptr = np.concatenate([kept.indptr, np.full(width - kept.shape[1], kept.indptr[-1], dtype=kept.indptr.dtype)])
        kept = sparse.csc_matrix((kept.data, kept.indices, indptr), shape=(kept.shape[0], width))
        postings = sparse.vstack([kept, added], format="csc")
        return LexicalIndex.from_postings(vocabulary, postings, np.concatenate([self.lengths[keep], added_lengths]), self.k1, self.b)

    @property
    def passages(self) -> int:
        return int(self.postings.shape[0])

    def idf(self, term_ids: Sequence[int]) -> np.ndarray:
        n = self.passages
        hits = self.document_frequency[np.asarray(term_ids, dtype=np.int64)].astype(np.float64)
        idf = np.log((n - hits + 0.5) / (hits + 0.5))
        return np.where(idf <= 0.0, _IDF_FLOOR, idf)

    def score(self, terms: Iterable[str]) -> np.ndarray:
        """BM25 of every passage for the OR of ``terms`` (0 where none occurs), float64.

        Each term's column is added into the scores where it lies, in term order: the same
        additions, in the same order, as the product of the sliced columns (so the same bits),
        without copying a common stem's postings first (250k postings a term at 1M passages;
        1.05 against 1.75 ms a list there)."""
        ids = sorted({self.vocabulary[t] for t in terms if t in self.vocabulary})
        if not ids or self.passages == 0:
            return np.zeros(self.passages, dtype=np.float64)
        if _csc_matvec is None:
            return np.asarray(self.weights[:, ids] @ self.idf(ids), dtype=np.float64).ravel()
        weights, scores = self.weights, np.zeros(self.passages, dtype=np.float64)
        indptr, indices, data = weights.indptr, weights.indices, weights.data
        for term, idf in zip(ids, self.idf(ids).tolist()):
            start, end = int(indptr[term]), int(indptr[term + 1])
            one_column = np.array([0, end - start], dtype=indices.dtype)
            _csc_matvec(self.passages, 1, one_column, indices[start:end], data[start:end], np.array([idf]), scores)
        return scores

    # ---- persistence --------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Raw postings and lengths (weights are derived on load, so k1/b may change)."""
        folder.mkdir(parents=True, exist_ok=True)
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        (folder / "terms.txt").write_text("\n".join(terms), "utf-8")
        np.save(folder / "indptr.npy", self.postings.indptr)
        np.save(folder / "indices.npy", self.postings.indices)
        np.save(folder / "f.npy", self.postings.data)
        np.save(folder / "lengths.npy", self.lengths)
        np.save(folder / "shape.npy", np.asarray(self.postings.shape, dtype=np.int64))

    @classmethod
    def load(cls, folder: Path, k1: float, b: float) -> LexicalIndex:
        """A saved index. The raw frequencies are read once, to derive the BM25 weights, and
        afterwards only by an incremental update or a save, so they stay in their file (mapped
        read-only, the pages read here handed back) rather than in process memory: 43 MB at
        100k passages, ~10x that at 1M. The snapshot folder is never rewritten in place (a
        save goes to a new folder renamed over it), so the mapped file cannot change."""
        text = (folder / "terms.txt").read_text("utf-8")
        terms = text.split("\n") if text else []
        vocabulary = {t: i for i, t in enumerate(terms)}
        shape = tuple(int(x) for x in np.load(folder / "shape.npy"))
        frequencies = folder / "f.npy"
        postings = sparse.csc_matrix(
            (np.load(frequencies, mmap_mode="r"), np.load(folder / "indices.npy"), np.load(folder / "indptr.npy")), shape=shape
        )
        index = cls.from_postings(vocabulary, postings, np.load(folder / "lengths.npy"), k1, b)
        release_file_pages(frequencies)
        return index


class PostingsBuilder:
    """Weighted term frequencies built a batch of passages at a time.

    Each batch's token occurrences are summed into (passage, term) postings before the next
    batch is read, so memory follows the distinct terms per passage (~55 here), not every
    token occurrence of the index (at 1M passages the occurrences alone were several GB)."""

    def __init__(self, context_weight: float, body_weight: float, vocabulary: dict[str, int] | None = None) -> None:
        self.context_weight, self.body_weight = context_weight, body_weight
        self.vocabulary: dict[str, int] = vocabulary if vocabulary is not None else {}  # grows; ids of known terms kept
        self._blocks: list[sparse.csr_matrix] = []
        self._lengths: list[np.ndarray] = []

    def add(self, contexts: Sequence[str], bodies: Sequence[str]) -> None:
        """Append passages (row i = contexts[i] and bodies[i]) after those already added."""
        n = len(bodies)
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        lengths = np.zeros(n, dtype=np.float64)
        for texts, weight in ((contexts, self.context_weight), (bodies, self.body_weight)):
            token_lists = [fts_tokens(t or "") for t in texts]
            counts = np.fromiter((len(t) for t in token_lists), dtype=np.int64, count=len(token_lists))
            lengths += counts
            flat = [tok for toks in token_lists for tok in toks]
            for term in set(flat).difference(self.vocabulary):  # new terms, in C-level set operations
                self.vocabulary[term] = len(self.vocabulary)
            rows.append(np.repeat(np.arange(n, dtype=np.int32), counts))
            cols.append(np.fromiter(map(self.vocabulary.__getitem__, flat), dtype=np.int32, count=len(flat)))
            vals.append(np.full(len(flat), weight, dtype=np.float64))
        # COO -> CSR sums duplicates: f = sum of the column weights of a term's occurrences
        block = sparse.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, max(len(self.vocabulary), 1))
        )
        block.sum_duplicates()
        self._blocks.append(block)
        self._lengths.append(lengths)

    def postings(self) -> tuple[sparse.csc_matrix, np.ndarray]:
        """(passages x terms weighted frequencies, tokens per passage) of everything added."""
        width = max(len(self.vocabulary), 1)
        if not self._blocks:
            return sparse.csc_matrix((0, width), dtype=np.float64), np.zeros(0, dtype=np.float64)
        blocks = [sparse.csr_matrix((b.data, b.indices, b.indptr), shape=(b.shape[0], width)) for b in self._blocks]
        self._blocks = []  # each block is copied into the result once; drop them as we go
        matrix = sparse.vstack(blocks, format="csr").tocsc()
        return matrix, np.concatenate(self._lengths)

    def index(self, k1: float, b: float) -> LexicalIndex:
        postings, lengths = self.postings()
        return LexicalIndex.from_postings(self.vocabulary, postings, lengths, k1, b)


def _postings(
    contexts: Sequence[str], bodies: Sequence[str], context_weight: float, body_weight: float, vocabulary: dict[str, int]
) -> tuple[sparse.csc_matrix, np.ndarray]:
    """Weighted term frequencies (passages x terms) and token counts; ``vocabulary`` grows
    with the new terms (ids of the terms it holds are kept)."""
    builder = PostingsBuilder(context_weight, body_weight, vocabulary)
    for start in range(0, len(bodies), POSTINGS_BATCH):
        builder.add(contexts[start : start + POSTINGS_BATCH], bodies[start : start + POSTINGS_BATCH])
    return builder.postings()


def reference_bm25(
    contexts: Sequence[str], bodies: Sequence[str], terms: Iterable[str],
    context_weight: float, body_weight: float, k1: float = 1.2, b: float = 0.75,
) -> list[float]:
    """FTS5's bm25() written out plainly, one passage at a time (for tests)."""
    wanted = sorted(set(terms))
    docs = [(fts_tokens(c or ""), fts_tokens(t or "")) for c, t in zip(contexts, bodies)]
    n = len(docs)
    avgdl = sum(len(c) + len(t) for c, t in docs) / n if n else 1.0
    idf = {}
    for term in wanted:
        hits = sum(1 for c, t in docs if term in c or term in t)
        value = math.log((n - hits + 0.5) / (hits + 0.5))
        idf[term] = value if value > 0 else _IDF_FLOOR
    scores = []
    for c, t in docs:
        length = len(c) + len(t)
        total = 0.0
        for term in wanted:
            f = context_weight * c.count(term) + body_weight * t.count(term)
            if f:
                total += idf[term] * f * (k1 + 1) / (f + k1 * (1 - b + b * length / avgdl))
        scores.append(total)
    return scores
