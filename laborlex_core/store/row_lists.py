"""Ranked lists as snapshot rows and scores, read as Documents only where someone looks.

A hybrid query asks the embedded store for a dozen lists of 50 passages; fusion and
collapsing keep about a hundred provisions of them, and a page shows ten. Building a
Document for every listed row (reading its text and metadata from SQLite, decoding the
JSON) was a fifth of a query at 100k passages. A :class:`RowList` is a read-only sequence
of Documents that keeps the rows and scores and builds the Documents of the items read;
``search_api.row_fusion`` fuses and collapses such lists on their rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

import numpy as np
from haystack import Document

from laborlex_core.store import row_tables
from laborlex_core.store.filter_masks import CategoricalColumn
from laborlex_core.store.snapshot import IndexSnapshot, passage_hashes

if TYPE_CHECKING:
    from laborlex_core.store.embedded import EmbeddedDocumentStore


class SnapshotRows:
    """One store's snapshot as fusion and collapsing see it: per-row facts and Documents."""

    __slots__ = ("store", "snapshot")

    def __init__(self, store: EmbeddedDocumentStore, snapshot: IndexSnapshot) -> None:
        self.store = store
        self.snapshot = snapshot

    def same(self, other: SnapshotRows) -> bool:
        return self.store is other.store and self.snapshot is other.snapshot

    def documents(self, rows: np.ndarray, scores: np.ndarray) -> list[Document]:
        return self.store._documents(self.snapshot, rows, scores)

    def row_data(self, rows: np.ndarray) -> list[tuple[str, str, dict[str, Any]] | None]:
        """(passage id, text, metadata) of each row; None for one no longer in the index."""
        return self.store._row_data(self.snapshot, rows)

    def id_rank(self) -> np.ndarray:
        return row_tables.id_rank(self.snapshot, self.store._connection())

    def units(self) -> CategoricalColumn:
        return self.snapshot.units

    def provision(self) -> np.ndarray:
        return self.snapshot.provision

    def provision_keys(self, rows: np.ndarray) -> list[tuple[str, str]]:
        """(doc_id, article) of each row from the snapshot's columns, as ``provision_key``
        makes them from a passage's metadata ("None" where a column is NULL): no row read."""
        doc, article = self.snapshot.columns["doc_id"], self.snapshot.columns["article"]
        doc_names, article_names = doc.values(), article.values()
        return [
            (doc_names[d] if d >= 0 else "None", article_names[a] if a >= 0 else "None")
            for d, a in zip(doc.codes[rows].tolist(), article.codes[rows].tolist())
        ]

    def rows_of(self, documents: Sequence[Document]) -> np.ndarray | None:
        """Rows of Documents this store handed out otherwise (None if one is not in the snapshot)."""
        rows = row_tables.rows_of_hashes(self.snapshot, passage_hashes([d.id for d in documents]))
        return None if (rows < 0).any() else rows


class RowList(Sequence[Document]):
    """A ranked list of snapshot rows, best first; equal to the Documents it stands for."""

    __slots__ = ("source", "rows", "scores", "_documents")

    def __init__(self, source: SnapshotRows, rows: np.ndarray, scores: np.ndarray) -> None:
        self.source = source
        self.rows = rows
        self.scores = scores
        self._documents: list[Document] | None = None

    def _all(self) -> list[Document]:
        if self._documents is None:
            self._documents = self.source.documents(self.rows, self.scores)
        return self._documents

    @overload
    def __getitem__(self, index: int) -> Document: ...

    @overload
    def __getitem__(self, index: slice) -> list[Document]: ...

    def __getitem__(self, index: int | slice) -> Document | list[Document]:
        if self._documents is not None:
            return self._documents[index]
        if isinstance(index, slice):
            return self.source.documents(self.rows[index], self.scores[index])
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._documents) if self._documents is not None else int(len(self.rows))

    def __iter__(self) -> Iterator[Document]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RowList):
            other = other._all()
        return isinstance(other, Sequence) and self._all() == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"RowList({len(self.rows)} rows)"

    def __deepcopy__(self, memo: dict[int, Any]) -> RowList:
        return self
