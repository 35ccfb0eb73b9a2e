"""Lines of a source text with their exact offsets.

Headings are recognised line by line, but provisions must point back into the original
text (the UI shows them in context), so every line keeps where its visible content starts
and ends.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

_LINE = re.compile(r"[^\n]*")


class Line(NamedTuple):
    """``text`` is the line without surrounding whitespace; ``start``/``end`` bound it in the source."""

    start: int
    end: int
    text: str
    next_start: int  # offset of the following line (or len(source)): where "after this line" is


def split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    pos = 0
    n = len(text)
    while pos <= n:
        m = _LINE.match(text, pos)
        assert m is not None
        raw_end = m.end()
        raw = m.group()
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            start = pos + lead
            end = start + len(stripped)
        else:
            start = end = pos
        next_start = min(raw_end + 1, n)
        lines.append(Line(start, end, stripped, next_start))
        if raw_end >= n:
            break
        pos = raw_end + 1
    return lines


def furniture(
    lines: Iterable[Line], patterns: Iterable[re.Pattern[str]], min_repeats: int, pages: int = 0
) -> frozenset[str]:
    """Page headers/footers left by PDF extraction ("12 de 331", a running title).

    They must not be mistaken for the name line of a heading that ends a page. Besides the
    patterns, a short line repeated on about every other page counts as furniture; texts
    without pages have none of that kind (a chapter name like "Disposiciones generales" may
    legitimately repeat).
    """
    counts = Counter(line.text for line in lines if line.text and len(line.text) <= 100)
    pats = tuple(patterns)
    found = {t for t in counts if any(p.search(t) for p in pats)}
    if pages:
        threshold = max(min_repeats, pages // 2)
        found |= {text for text, k in counts.items() if k >= threshold}
    return frozenset(found)


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so it neither begins nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
