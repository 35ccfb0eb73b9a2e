"""Coarse partitions of a large index's vectors: which rows a query scores first.

At 1M passages one pass of the int8 copy over every row reads 384 MB per query vector, and
that pass alone is over the time a search may take on two cores. The rows are grouped
around k-means centroids (an inverted file): a query ranks the ~1,000 centroids (a product
with a 1,000 x 384 matrix) and scores the rows of the nearest partitions, as many as each
ranked list needs (``DenseIndex.cover``), and its candidates are still re-scored exactly.
The top-k is then the exact one among the rows scored, not among all rows: an approximate
search, which is why only indexes of ``partition_from_rows`` rows or more are partitioned
(below, the single int8 pass is cheap and the result exact) and why the benchmark reports
recall@10 against a full float32 search at every size.

k-means comes from scikit-learn (installed for the learned re-ranker), trained on a sample:
its centroids only need to be good enough to keep near vectors together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from laborlex_core.settings import Settings
from laborlex_core.store.dense_segments import group_rows

SAMPLE_PER_PARTITION = 32  # k-means training rows per centroid
KMEANS_ITERATIONS = 10
ASSIGN_BLOCK = 65_536  # rows assigned per matrix product (a float32 block of 96 MB)
# Defaults of ProbeDepth: those of the settings LABORLEX_DENSE_PARTITION_FROM_ROWS, _PROBE_SHARE and
# _PROBE_MIN_ROWS (speed against recall, measured by `laborlex bench` as recall@10 against a full
# float32 search; the development corpus, 2,396 passages, is far below the first).
PARTITION_FROM_ROWS: int = Settings.model_fields["dense_partition_from_rows"].default
PROBE_SHARE: float = Settings.model_fields["dense_probe_share"].default
PROBE_MIN_ROWS: int = Settings.model_fields["dense_probe_min_rows"].default


@dataclass(frozen=True, slots=True)
class ProbeDepth:
    """How many rows a dense list scores on a partitioned index.

    A list scores at least ``share`` of the rows its filter allows and at least ``min_rows``
    of them (all of them when fewer are allowed), nearest partitions first; the lists of one
    query share the scoring (a partition is scored once), and each ranks the partitions it chose."""

    from_rows: int = PARTITION_FROM_ROWS  # indexes with fewer rows are not partitioned (exact search)
    share: float = PROBE_SHARE
    min_rows: int = PROBE_MIN_ROWS

    def rows_for(self, allowed: int) -> int:
        """How many of ``allowed`` rows a list scores."""
        return min(allowed, max(self.min_rows, math.ceil(self.share * allowed)))


@dataclass(frozen=True, slots=True)
class Partitions:
    """Each row's partition, the rows grouped by partition (row order within each), and where
    each row sits in that grouping (the int8 copy is held in it: DenseIndex._arrange)."""

    centroids: np.ndarray  # float32 (count, dim)
    of_row: np.ndarray  # int32 (n,)
    order: np.ndarray  # int64 (n,): rows sorted by partition, stably
    offsets: np.ndarray  # int64 (count + 1,): partition p holds order[offsets[p]:offsets[p + 1]]
    position: np.ndarray  # int64 (n,): where each row is in ``order``

    @classmethod
    def build(cls, matrix: np.ndarray, present: np.ndarray, seed: int = 0) -> Partitions:
        """About sqrt(n) partitions: k-means on a sample of the rows that have a vector."""
        from sklearn.cluster import KMeans

        rows = np.flatnonzero(present)
        count = max(1, min(len(rows), round(math.sqrt(len(rows)))))
        sample = np.random.default_rng(seed).choice(rows, size=min(len(rows), SAMPLE_PER_PARTITION * count), replace=False)
        kmeans = KMeans(n_clusters=count, n_init=1, max_iter=KMEANS_ITERATIONS, random_state=seed)
        kmeans.fit(np.asarray(matrix[np.sort(sample)], dtype=np.float32))
        centroids = kmeans.cluster_centers_.astype(np.float32)
        return cls.grouped(centroids, assign(centroids, matrix))

    @classmethod
    def grouped(cls, centroids: np.ndarray, of_row: np.ndarray) -> Partitions:
        order, offsets, position = group_rows(of_row, len(centroids))
        return cls(centroids, of_row.astype(np.int32), order, offsets, position)

    def extended(self, keep: np.ndarray, matrix: np.ndarray) -> Partitions:
        """Without the rows not in ``keep``, with ``matrix``'s rows appended, each in the
        partition of its nearest centroid (the centroids stay: new rows join, none move)."""
        return Partitions.grouped(self.centroids, np.concatenate([self.of_row[keep], assign(self.centroids, matrix)]))

    @property
    def count(self) -> int:
        return int(len(self.centroids))

    def ranked(self, query: np.ndarray) -> np.ndarray:
        """Partitions by the distance of their centroid to the query, nearest first (the
        metric k-means grouped them by)."""
        return np.argsort(-_closeness(self.centroids, query[None, :])[0], kind="stable")


def assign(centroids: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """The nearest centroid of every row, a block at a time."""
    of_row = np.zeros(len(matrix), dtype=np.int32)
    for start in range(0, len(matrix), ASSIGN_BLOCK):
        block = np.asarray(matrix[start : start + ASSIGN_BLOCK], dtype=np.float32)
        if len(block):
            of_row[start : start + len(block)] = np.argmax(_closeness(centroids, block), axis=1)
    return of_row


def _closeness(centroids: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """-|v - c|^2 / 2 up to a per-vector constant: v.c - |c|^2 / 2 (larger is nearer)."""
    return vectors @ centroids.T - 0.5 * np.einsum("ij,ij->i", centroids, centroids)[None, :]
