"""The int8 copy grouped by document, so that a filtered dense list reads only its documents.

Every dense list of a hybrid search lies within the user's filter (the jurisdiction, language,
kind or document chosen in the interface), and so does every list the branches add (within a
language, a named jurisdiction or instrument). With the int8 copy held in row order, the pass
read all of it anyway: a filter's rows are spread over it, and gathering them costs more than
the pass from about a third of the rows on (measured at 100k rows: a gather and its products
take 0.8 ms for a fifth of the rows, against 2.2 ms for the pass over all of them).

Held sorted by (jurisdiction, language, kind, document), the rows of such a filter are a few
contiguous slices, and the kernel runs on those slices in place. A query's lists score the
groups they need as they come (the first list, within the user's filter, usually all of
them), each group once; the other groups stay unscored. The top-k stays exact: every row a
list allows is scored before it ranks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def group_rows(of_row: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order, offsets, position): the rows sorted by group, stably; group g holds
    ``order[offsets[g]:offsets[g + 1]]``; ``position[row]`` is where the row is in ``order``."""
    order = np.argsort(of_row, kind="stable").astype(np.int64)
    offsets = np.searchsorted(of_row[order], np.arange(count + 1)).astype(np.int64)
    position = np.empty_like(order)
    position[order] = np.arange(len(order), dtype=np.int64)
    return order, offsets, position


@dataclass(frozen=True, slots=True)
class Segments:
    """Each row's group (ids in key order) and the rows grouped by it."""

    of_row: np.ndarray  # int32 (n,)
    order: np.ndarray  # int64 (n,)
    offsets: np.ndarray  # int64 (count + 1,)
    position: np.ndarray  # int64 (n,)
    sizes: np.ndarray  # int64 (count,): rows per group

    @classmethod
    def of_keys(cls, keys: np.ndarray) -> Segments:
        """Groups of equal ``keys`` (one integer per row), numbered in key order: keys that
        sort together (one jurisdiction's documents) are neighbouring groups."""
        values, of_row = np.unique(keys, return_inverse=True)
        order, offsets, position = group_rows(of_row, len(values))
        return cls(of_row.astype(np.int32), order, offsets, position, np.diff(offsets))

    @property
    def count(self) -> int:
        return int(len(self.offsets) - 1)

    def spans(self, wanted: np.ndarray) -> list[tuple[int, int]]:
        """The slices of the grouped order that hold the ``wanted`` groups (bool per group),
        neighbouring groups joined into one slice."""
        groups = np.flatnonzero(wanted)
        if len(groups) == 0:
            return []
        breaks = np.flatnonzero(np.diff(groups) > 1)
        firsts = groups[np.concatenate([[0], breaks + 1])]
        lasts = groups[np.concatenate([breaks, [len(groups) - 1]])]
        return [(int(self.offsets[a]), int(self.offsets[b + 1])) for a, b in zip(firsts, lasts)]


def document_keys(codes: list[np.ndarray]) -> np.ndarray:
    """One int64 per row that sorts rows by the given categorical codes in turn (-1: none)."""
    keys = np.zeros(len(codes[0]) if codes else 0, dtype=np.int64)
    for column in codes:
        width = int(column.max()) + 2 if len(column) else 1
        keys = keys * width + (column.astype(np.int64) + 1)
    return keys
