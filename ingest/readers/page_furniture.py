"""Recognize and drop running headers and footers ("page furniture") of a PDF.

A line is furniture when the same text sits at the same height in the top or bottom margin
of many pages. Matching on height as well as text is what keeps body text safe: the title
"LEY FEDERAL DEL TRABAJO" that opens page 1 of the LFT equals the running header's text but
sits lower, so it stays. Page numbers differ on every page, so digits are masked before
comparing; such a varying line is accepted only if one of its numbers follows the page
number ("12 de 331" on page 12, "Page 3" on page 3), so that a recurring body line that
merely contains numbers ("Artículo reformado DOF 30-11-2012") is not mistaken for a footer.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from .pdf_pages import Page

TOP_LINES = 6  # a header has at most this many lines ...
BOTTOM_LINES = 4  # ... a footer at most this many
MARGIN_SHARE = 0.2  # and lies within the top/bottom fifth of the page
MIN_PAGE_SHARE = 0.4  # on at least this share of pages (0.4, not 0.5: odd/even headers differ)
Y_TOLERANCE = 2.0  # points of drift allowed between pages
PAGE_NUMBER_SHARE = 0.8  # share of a varying line's occurrences whose number tracks the page

_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")

# (page index, line index)
LineRef = tuple[int, int]


def _mask(text: str) -> str:
    return _DIGITS.sub("#", _SPACES.sub(" ", text).strip())


def _candidates(pages: Sequence[Page]) -> dict[tuple[str, str], list[tuple[float, int, int]]]:
    """Margin lines grouped by (zone, masked text) -> [(top, page index, line index)]."""
    groups: dict[tuple[str, str], list[tuple[float, int, int]]] = defaultdict(list)
    for p, page in enumerate(pages):
        lines = page.lines
        top_limit = page.height * MARGIN_SHARE
        bottom_limit = page.height * (1 - MARGIN_SHARE)
        for i, line in enumerate(lines[:TOP_LINES]):
            if line.top <= top_limit:
                groups[("top", _mask(line.text))].append((line.top, p, i))
        first_bottom = max(len(lines) - BOTTOM_LINES, 0)
        for i in range(first_bottom, len(lines)):
            if lines[i].bottom >= bottom_limit:
                groups[("bottom", _mask(lines[i].text))].append((lines[i].top, p, i))
    return groups


def _clusters(occurrences: list[tuple[float, int, int]]) -> list[list[tuple[float, int, int]]]:
    """Split occurrences of one text into runs of (nearly) the same height."""
    ordered = sorted(occurrences)
    runs: list[list[tuple[float, int, int]]] = [[ordered[0]]]
    for occ in ordered[1:]:
        if occ[0] - runs[-1][-1][0] <= Y_TOLERANCE:
            runs[-1].append(occ)
        else:
            runs.append([occ])
    return runs


def _tracks_page_number(run: list[tuple[float, int, int]], pages: Sequence[Page]) -> bool:
    offsets: Counter[int] = Counter()
    for _, p, i in run:
        numbers = {int(n) for n in _DIGITS.findall(pages[p].lines[i].text) if len(n) <= 6}
        offsets.update({n - pages[p].number for n in numbers})
    return bool(offsets) and offsets.most_common(1)[0][1] >= PAGE_NUMBER_SHARE * len(run)


def find_running_lines(pages: Sequence[Page]) -> set[LineRef]:
    """The (page index, line index) of every header/footer line in ``pages``."""
    with_text = sum(1 for page in pages if page.lines)
    if with_text < 2:
        return set()
    needed = max(2, math.ceil(MIN_PAGE_SHARE * with_text))
    found: set[LineRef] = set()
    for occurrences in _candidates(pages).values():
        for run in _clusters(occurrences):
            if len({p for _, p, _ in run}) < needed:
                continue
            texts = {pages[p].lines[i].text for _, p, i in run}
            varying = len(texts) > 1
            if varying and (len(run) < 3 or not _tracks_page_number(run, pages)):
                continue
            found.update((p, i) for _, p, i in run)
    return found


def strip_running_lines(pages: Sequence[Page]) -> list[Page]:
    """``pages`` without their headers and footers."""
    drop = find_running_lines(pages)
    if not drop:
        return list(pages)
    return [
        page._replace(lines=tuple(line for i, line in enumerate(page.lines) if (p, i) not in drop))
        for p, page in enumerate(pages)
    ]
