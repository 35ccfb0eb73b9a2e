"""Turn located spans into ``Provision`` records.

Splitters only decide where units begin and end; trimming, label uniqueness, ordinals and
pages are the same for every kind of document, so they live here once.
"""

from __future__ import annotations

from dataclasses import dataclass

from laborlex_core.schema import Provision, SourceText, Unit

from ingest.structure.labels import unique_labels
from ingest.structure.lines import trim_span


@dataclass(frozen=True, slots=True)
class Span:
    """A unit located in the source text, before trimming and numbering."""

    label: str
    unit: str
    path: tuple[str, ...]
    start: int
    end: int


def to_provisions(source: SourceText, spans: list[Span], duplicate_label: str) -> list[Provision]:
    """Provisions in document order; empty spans dropped, repeated labels made unique."""
    text = source.text
    kept: list[tuple[Span, int, int]] = []
    for span in sorted(spans, key=lambda s: s.start):
        start, end = trim_span(text, span.start, span.end)
        if end > start:
            kept.append((span, start, end))
    labels = unique_labels([s.label for s, _, _ in kept], duplicate_label)
    return [
        Provision(
            article=label,
            unit=_unit(span.unit),
            heading_path=span.path,
            text=text[start:end],
            start=start,
            end=end,
            ordinal=i,
            page=source.page_at(start),
            page_end=source.page_at(end - 1),
        )
        for i, (label, (span, start, end)) in enumerate(zip(labels, kept, strict=True))
    ]


def _unit(unit: str) -> Unit:
    if unit not in ("article", "section", "transitional", "paragraph", "entry", "preamble"):
        raise ValueError(f"unknown unit {unit!r} in structure patterns")
    return unit  # type: ignore[return-value]
