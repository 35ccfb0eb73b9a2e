"""Units for texts without articles: ruling passages and index entries.

A ruling excerpt has no article numbers; its paragraphs are the citable units. Single
lines ("Registro: 242924", "Página: 430") carry no meaning alone, so small paragraphs are
merged until a passage says something, and oversized ones are cut at line or sentence
ends so that a passage stays a few sentences long.
"""

from __future__ import annotations

from ingest.structure.build import Span
from ingest.structure.lines import Line, trim_span
from ingest.structure.matchers import is_boundary
from ingest.structure.patterns import CommonPatterns

Block = tuple[int, int, int]  # start, end, group (groups are separated by boundaries)


def _blocks(lines: list[Line], lo: int, hi: int, common: CommonPatterns) -> list[tuple[list[Line], int]]:
    """Runs of non-blank lines inside [lo, hi), each with the boundary group it belongs to."""
    blocks: list[tuple[list[Line], int]] = []
    current: list[Line] = []
    grp = 0
    for line in lines:
        if line.start < lo or line.end > hi:
            continue
        if not line.text or is_boundary(line.text, common):
            if current:
                blocks.append((current, grp))
                current = []
            if line.text:
                grp += 1
            continue
        current.append(line)
    if current:
        blocks.append((current, grp))
    return blocks


def _sentences(text: str, start: int, end: int, common: CommonPatterns) -> list[tuple[int, int]]:
    """Cut one long line at sentence ends into pieces of at most max chars (when possible)."""
    limit = common.passage_max_chars
    cuts = [start] + [m.end() for m in common.sentence_break.finditer(text, start, end)] + [end]
    pieces: list[tuple[int, int]] = []
    s = cuts[0]
    last = s
    for cut in cuts[1:]:
        if cut - s > limit and last > s:
            pieces.append((s, last))
            s = last
        last = cut
    pieces.append((s, end))
    return pieces


def _split_block(text: str, block: list[Line], common: CommonPatterns) -> list[tuple[int, int]]:
    limit = common.passage_max_chars
    if block[-1].end - block[0].start <= limit:
        return [(block[0].start, block[-1].end)]
    pieces: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    for line in block:
        if line.end - line.start > limit:
            if cur:
                pieces.append(cur)
                cur = None
            pieces.extend(_sentences(text, line.start, line.end, common))
        elif cur is None:
            cur = (line.start, line.end)
        elif line.end - cur[0] <= limit:
            cur = (cur[0], line.end)
        else:
            pieces.append(cur)
            cur = (line.start, line.end)
    if cur:
        pieces.append(cur)
    return pieces


def _merge(pieces: list[Block], common: CommonPatterns) -> list[tuple[int, int]]:
    """Merge small pieces forward (and a small tail backward) within a boundary group."""
    low, high, tail = common.passage_min_chars, common.passage_max_chars, common.passage_tail_min_chars
    out: list[Block] = []
    for start, end, grp in pieces:
        if out:
            s, e, g = out[-1]
            if g == grp and e - s < low and end - s <= high:
                out[-1] = (s, end, g)
                continue
        out.append((start, end, grp))
    if len(out) >= 2:
        s, e, g = out[-1]
        ps, pe, pg = out[-2]
        if pg == g and e - s < tail and e - ps <= high:
            out[-2:] = [(ps, e, g)]
    return [(s, e) for s, e, _ in out]


def paragraph_spans(
    text: str, lines: list[Line], common: CommonPatterns, lo: int = 0, hi: int | None = None
) -> list[tuple[int, int]]:
    """Passage spans covering the text in [lo, hi), without boundary lines."""
    hi = len(text) if hi is None else hi
    pieces: list[Block] = []
    for block, grp in _blocks(lines, lo, hi, common):
        if not any(ch.isalnum() for line in block for ch in line.text):
            continue
        pieces.extend((s, e, grp) for s, e in _split_block(text, block, common))
    return _merge(pieces, common)


def paragraph_units(text: str, lines: list[Line], common: CommonPatterns) -> list[Span]:
    """Ruling passages, labelled '1', '2', … in reading order."""
    return [
        Span(str(i), "paragraph", (), s, e)
        for i, (s, e) in enumerate(paragraph_spans(text, lines, common), start=1)
    ]


def entry_units(text: str, lines: list[Line], common: CommonPatterns) -> list[Span]:
    """One unit per 'Registro digital: N' entry of a ruling index, labelled with N.

    Text before the first entry (a listing's title) becomes a preamble when substantial.
    """
    starts: list[tuple[int, str]] = []
    stops: list[int] = []
    for line in lines:
        m = common.registry_entry.match(line.text)
        if m:
            starts.append((line.start, "".join(ch for ch in m.group("num") if ch.isdigit())))
        elif line.text and is_boundary(line.text, common):
            stops.append(line.start)
    if not starts:
        return []
    spans: list[Span] = []
    head_start, head_end = trim_span(text, 0, starts[0][0])
    if head_end - head_start >= common.orphan_min_chars:
        spans.append(Span("preamble", "preamble", (), head_start, head_end))
    ends = [s for s, _ in starts[1:]] + [len(text)]
    for (start, number), end in zip(starts, ends, strict=True):
        cut = min([stop for stop in stops if start < stop < end], default=end)
        spans.append(Span(number, "entry", (), start, cut))
    return spans
