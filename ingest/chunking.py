"""Cutting provisions into passages that fit the embedding model's window.

Most articles fit whole; a long one (the LFT has articles of several pages) becomes
overlapping windows of model tokens, each keeping the article's identity, so that
every part of it can be found and the hit still cites the article.
"""

from __future__ import annotations

import re
from collections.abc import Callable

TokenOffsets = Callable[[str], list[tuple[int, int]]]

# Where a window may end without cutting a sentence: after . ; : or a line break.
_BOUNDARY = re.compile(r"[.;:](?=\s)|\n")


def window_spans(
    text: str, offsets: TokenOffsets, max_tokens: int, overlap_tokens: int
) -> list[tuple[int, int]]:
    """Character spans of overlapping windows of at most ``max_tokens`` tokens.

    A window's end is pulled back to the last sentence boundary in its final quarter,
    when there is one, so passages end on whole sentences where they can.
    """
    if overlap_tokens >= max_tokens:
        raise ValueError("overlap must be smaller than the window")
    spans = offsets(text)
    if len(spans) <= max_tokens:
        return [(0, len(text))]
    windows: list[tuple[int, int]] = []
    first = 0
    while first < len(spans):
        last = min(first + max_tokens, len(spans)) - 1
        start_char = spans[first][0]
        end_char = spans[last][1] if last == len(spans) - 1 else _snap_end(text, spans, first, last, max_tokens)
        windows.append((start_char, end_char))
        if last == len(spans) - 1:
            break
        # next window starts overlap_tokens before this one's end (in tokens)
        end_token = next((i for i in range(last, first - 1, -1) if spans[i][1] <= end_char), last)
        first = max(first + 1, end_token + 1 - overlap_tokens)
    return windows


def _snap_end(text: str, spans: list[tuple[int, int]], first: int, last: int, max_tokens: int) -> int:
    floor_token = first + (3 * max_tokens) // 4
    floor_char = spans[min(floor_token, last)][1]
    hard_end = spans[last][1]
    best = None
    for match in _BOUNDARY.finditer(text, floor_char, hard_end):
        best = match.end()
    return best if best is not None else hard_end
