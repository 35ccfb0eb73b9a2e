"""Read-only passage lists handed from one pipeline component to the next.

Haystack deep-copies every input a component receives, so that no component can change
another's data. Fused lists of a few hundred passages with their metadata made those copies
cost most of a query (about 80% of a search in a profile of the evaluation sweep). The
components here build new Documents instead of mutating what they receive, so the list is
passed as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

from haystack import Document


class Passages(Sequence[Document]):
    """An immutable sequence of Documents that Haystack hands on without copying."""

    __slots__ = ("_items",)

    def __init__(self, documents: Iterable[Document] = ()) -> None:
        self._items: tuple[Document, ...] = tuple(documents)

    @overload
    def __getitem__(self, index: int) -> Document: ...

    @overload
    def __getitem__(self, index: slice) -> list[Document]: ...

    def __getitem__(self, index: int | slice) -> Document | list[Document]:
        if isinstance(index, slice):
            return list(self._items[index])
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Document]:
        return iter(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Passages):
            return self._items == other._items
        return isinstance(other, list) and list(self._items) == other

    def __repr__(self) -> str:
        return f"Passages({len(self._items)} documents)"

    def __deepcopy__(self, memo: dict[int, Any]) -> Passages:
        return self
