"""Documents handed out by retrieval that Haystack need not deep-copy between components.

A Haystack pipeline deep-copies every value it passes from one component to the next, so
that a component mutating its input cannot affect another. A hybrid search passes hundreds
of passages through fusion, collapsing and translations; copying them (and checking each
against the ``Component`` protocol while doing so) took more time than retrieving them (about
70 ms of a 100 ms query at 100k passages). Components here never mutate a Document: they build
new ones with ``dataclasses.replace`` (Haystack warns on in-place mutation), and ``replace``
keeps this class, so the results stay uncopied all the way through. Each instance still has
its own ``meta`` dict.
"""

from __future__ import annotations

from typing import Any

from haystack import Document


class SharedDocument(Document):
    """A Document that deep-copies as itself; equal to a plain Document with the same fields."""

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedDocument:
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Document):
            return False
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable dataclass, as Document
