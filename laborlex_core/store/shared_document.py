"""Documents handed out by retrieval that Haystack need not deep-copy between components.

A Haystack pipeline deep-copies every value it passes from one component to the next, so
that a component mutating its input cannot affect another. A hybrid search passes hundreds
of passages through fusion, collapsing and translations; copying them (and checking each
against the ``Component`` protocol while doing so) took more time than retrieving them (about
70 ms of a 100 ms query at 100k passages). Components here never mutate a Document: they build
new ones with :func:`replaced` (Haystack warns on in-place mutation), which keeps this class,
so the results stay uncopied all the way through. Each instance still has its own ``meta`` dict.

Construction is the other cost: Haystack's ``Document`` goes through a metaclass, an
init-tracking wrapper and ``__post_init__`` (hashing the fields when no id is given), ~8 µs a
passage, and a hybrid query builds ~500 of them (each ranked list, then fusion and
collapsing). :func:`shared_document` and :func:`replaced` fill the instance's fields directly:
the same object a constructor would make when the id is given and ``content`` is a string.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from haystack import Document

_EMPTY: dict[str, Any] = {"blob": None, "embedding": None, "sparse_embedding": None}


class SharedDocument(Document):
    """A Document that deep-copies as itself; equal to a plain Document with the same fields."""

    def __deepcopy__(self, memo: dict[int, Any]) -> SharedDocument:
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Document):
            return False
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable dataclass, as Document


def shared_document(id: str, content: str | None, meta: dict[str, Any], score: float | None) -> SharedDocument:
    """``SharedDocument(id=id, content=content, meta=meta, score=score)`` without the constructor's
    overhead (``id`` must be non-empty: nothing is derived)."""
    if not id or (content is not None and not isinstance(content, str)):
        return SharedDocument(id=id, content=content, meta=meta, score=score)
    document = object.__new__(SharedDocument)
    fields = document.__dict__
    fields.update(_EMPTY)
    fields["id"], fields["content"], fields["meta"], fields["score"] = id, content, meta, score
    return document


def replaced(document: Document, **changes: Any) -> Document:
    """``dataclasses.replace(document, **changes)``; for a :class:`SharedDocument`, a field copy
    (no constructor, no validation to repeat: only ``score`` and ``meta`` are ever changed)."""
    if type(document) is not SharedDocument or not set(changes) <= {"score", "meta"}:
        return dataclasses.replace(document, **changes)
    copy = object.__new__(SharedDocument)
    copy.__dict__.update(document.__dict__)
    copy.__dict__.update(changes)
    return copy
