"""The lists of one batch of list requests, each computed once however often it is asked.

A hybrid search asks the store for its lists in one batch (``ranked_lists``), and some of
them are the same list under two names: BM25 of the query as typed within the user's filter
and within the jurisdiction the query names (a user who filters on the US and asks about
"Estados Unidos"), or the dense list of an English-only filter and of its English branch.
The snapshot gives filters that select the same rows one mask array
(``IndexSnapshot.mask``), so a list is known by what it scores, its depth and that array;
the repeat is answered from the first. About one list in six of the benchmark's searches
is such a repeat.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np

Found = tuple[np.ndarray, np.ndarray]  # rows (best first) and their scores


class BatchLists:
    """Lists already computed in this batch, by (what is scored, depth) and filter mask.

    The mask is held with the list, so its identity cannot pass to another array while the
    batch lasts. The arrays handed out are read-only: two lists of the batch share them."""

    __slots__ = ("_found",)

    def __init__(self) -> None:
        self._found: dict[tuple[Hashable, int], tuple[np.ndarray | None, Found]] = {}

    def get(self, key: Hashable, mask: np.ndarray | None) -> Found | None:
        held = self._found.get((key, id(mask)))
        return held[1] if held is not None and held[0] is mask else None

    def put(self, key: Hashable, mask: np.ndarray | None, found: Found) -> Found:
        for array in found:
            array.flags.writeable = False
        self._found[(key, id(mask))] = (mask, found)
        return found
