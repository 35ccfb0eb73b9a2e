"""Read-only values handed from one pipeline component to the next.

Haystack deep-copies every input a component receives, so that no component can change
another's data. Fused lists of a few hundred passages with their metadata made those copies
cost most of a query (about 80% of a search in a profile of the evaluation sweep). The
components here build new Documents instead of mutating what they receive, so the list is
passed as it is. The same holds for the user's filters, which four components read: a copy
runs a protocol check per leaf (~8 µs each on Python 3.11) and cost ~150 µs per component.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol, overload

from haystack import Document


class SharedFilters:
    """A search's filters (Haystack's filter syntax) as every branch receives them: read-only,
    so Haystack hands them on without copying. A component reads them with :func:`filter_dict`."""

    __slots__ = ("value",)

    def __init__(self, value: dict[str, Any] | None) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SharedFilters) and self.value == other.value

    def __repr__(self) -> str:
        return f"SharedFilters({self.value!r})"

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedFilters:
        return self


def filter_dict(filters: SharedFilters | dict[str, Any] | None) -> dict[str, Any] | None:
    """The filter dict, whether the pipeline handed it shared or a caller passed it plainly."""
    return filters.value if isinstance(filters, SharedFilters) else filters


def provision_key(meta: dict[str, Any]) -> tuple[str, str]:
    """(document id, article): what a result is and what a relevance judgment names."""
    return str(meta.get("doc_id")), str(meta.get("article"))


def provision_keys(documents: Sequence[Document]) -> list[tuple[str, str]]:
    """The provision key of each ranked Document; a :class:`Passages` answers without
    building any."""
    return documents.keys() if isinstance(documents, Passages) else [provision_key(d.meta) for d in documents]


class PassageSource(Protocol):
    """Ranked Documents that can say what each one is before building it."""

    def __len__(self) -> int: ...

    def keys(self) -> list[tuple[str, str]]:
        """The provision key of every position, without building its Document."""
        ...

    def pick(self, positions: Sequence[int]) -> list[Document | None]:
        """The Documents at ``positions``; None for one whose passage left the index since."""
        ...


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
        if type(other) is Passages:
            return self._items == other._items
        return isinstance(other, (list, Passages)) and list(self._items) == list(other)

    def __repr__(self) -> str:
        return f"Passages({len(self._items)} documents)"

    def __deepcopy__(self, memo: dict[int, Any]) -> Passages:
        return self

    def keys(self) -> list[tuple[str, str]]:
        return [provision_key(d.meta) for d in self]

    def pick(self, positions: Sequence[int]) -> list[Document | None]:
        return [self[p] for p in positions]


class ProvisionList(Passages):
    """Ranked provisions: some Documents already built (``head``), then positions of a
    :class:`PassageSource` built when first read.

    A search ranks about a hundred provisions (every page must agree on the ranking and its
    total) and shows ten. Building each Document reads its passage's row from SQLite and
    decodes its metadata: at 100k passages that was ~2 ms a query, at 1M up to ~15 (rows
    off the page cache). The ranking's keys come from the source without building anything.
    A position whose passage left the index since the ranking is dropped when first read.
    """

    __slots__ = ("_head", "_source", "_positions", "_built", "_source_keys")

    def __init__(self, head: Sequence[Document], source: PassageSource, positions: Iterable[int]) -> None:
        self._head: list[Document] = list(head)
        self._source = source
        self._positions: list[int] = list(positions)
        self._built: dict[int, Document] = {}
        self._source_keys: list[tuple[str, str]] | None = None

    @classmethod
    def of(cls, documents: Sequence[Document]) -> ProvisionList:
        """Any ranked sequence as a ProvisionList (itself if it is one)."""
        if isinstance(documents, ProvisionList):
            return documents
        source = documents if isinstance(documents, Passages) else Passages(documents)
        return cls([], source, range(len(source)))

    def _read(self, index: slice) -> list[Document]:
        """Build what ``index`` covers (one ``pick`` per pass; a pass repeats only if a
        passage was gone) and return it."""
        while True:
            head = len(self._head)
            wanted = range(*index.indices(len(self)))
            missing = [self._positions[i - head] for i in wanted if i >= head and self._positions[i - head] not in self._built]
            if not missing:
                return [self._head[i] if i < head else self._built[self._positions[i - head]] for i in wanted]
            gone = set()
            for position, document in zip(missing, self._source.pick(missing)):
                if document is None:
                    gone.add(position)
                else:
                    self._built[position] = document
            if gone:
                self._positions = [p for p in self._positions if p not in gone]

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return self._read(index)
        size = len(self)
        if not -size <= index < size:
            raise IndexError("ProvisionList index out of range")
        index %= size
        found = self._read(slice(index, index + 1))
        if not found:  # it was gone: the next provision moved into its place
            return self[index]
        return found[0]

    def __len__(self) -> int:
        return len(self._head) + len(self._positions)

    def __iter__(self) -> Iterator[Document]:
        return iter(self._read(slice(None)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and not isinstance(other, str) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ProvisionList({len(self._head)} built + {len(self._positions)} to read)"

    def keys(self) -> list[tuple[str, str]]:
        if self._source_keys is None:
            self._source_keys = self._source.keys()
        source_keys = self._source_keys
        return [provision_key(d.meta) for d in self._head] + [source_keys[p] for p in self._positions]

    def cut(self, limit: int | None) -> ProvisionList:
        """The first ``limit`` provisions (all of them for None), nothing built."""
        if limit is None or limit >= len(self):
            return self
        head = self._head[:limit]
        return self._derived(head, self._positions[: max(0, limit - len(head))])

    def with_head(self, replaced: int, head: Sequence[Document], drop: set[tuple[str, str]]) -> ProvisionList:
        """The first ``replaced`` provisions replaced by ``head``, and later ones whose key is
        in ``drop`` left out (moved up into the new head); the rest still unbuilt."""
        keys = self.keys()
        kept_head = [d for i, d in enumerate(self._head) if i >= replaced and keys[i] not in drop]
        start = max(0, replaced - len(self._head))
        tail = [p for i, p in enumerate(self._positions) if i >= start and keys[len(self._head) + i] not in drop]
        return self._derived([*head, *kept_head], tail)

    def _derived(self, head: Sequence[Document], positions: list[int]) -> ProvisionList:
        derived = ProvisionList(head, self._source, positions)
        derived._built, derived._source_keys = self._built, self._source_keys  # shared: built once
        return derived
