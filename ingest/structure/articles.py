"""Split a statute, convention or treaty into articles, with the headings in force.

One pass over the lines, as a reader would: structural headings update the heading path,
an article heading closes the previous article and opens the next, and some lines switch
*zones* whose articles restart their numbering and therefore get labels of their own.

Label scheme (labels are unique within a document):

* body articles: as cited — "47", "22 Bis", "330-A", "52^1", "207", "23.1";
* the law's own transitional articles (after the first "TRANSITORIOS" that follows the
  body): "Transitorio 1", "Transitorio 2", …;
* reform decrees ("DECRETO por el que … Publicado en el Diario Oficial de la Federación el
  23 de enero de 1998"): the decree's own articles "Decreto DOF 23-01-1998 Artículo Único",
  "Decreto DOF 01-05-2019 Artículo 1", and its transitional articles
  "Transitorio 1 (DOF 30-11-2012)", "Transitorio Único (DOF 12-06-2015)". Ordinal words are
  turned into numbers ("Décimo Primero" → 11). A second decree published the same day gets
  "DOF 28-04-2022 #2". All of these have unit "transitional";
* articles of a law that wraps an embedded instrument (a ratification law before
  "Convenio 148"): "Ley 6550 Artículo 1", so the instrument's articles keep their numbers;
* text outside any article — before the first one, or after a fragment boundary — is a
  "preamble" unit: "preamble", "preamble-2", … (long preambles are cut into paragraphs);
* a label printed twice (two excerpts of one article) gets "[2]": "3", then "3 [2]".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.structure.build import Span
from ingest.structure.decrees import Zone, decree_key, read_decree_header, transitional_label
from ingest.structure.labels import leading_number
from ingest.structure.lines import Line, furniture, trim_span
from ingest.structure.matchers import (
    HeadingHit,
    UnitHit,
    find_inline_articles,
    is_boundary,
    is_instrument_marker,
    match_article,
    match_heading,
    match_quote_introducer,
    match_transitional_article,
)
from ingest.structure.passages import paragraph_spans
from ingest.structure.patterns import CommonPatterns, LanguagePatterns


@dataclass(slots=True)
class _Draft:
    label: str
    unit: str
    path: tuple[str, ...]
    start: int
    end: int = -1


@dataclass(slots=True)
class _State:
    zone: Zone = Zone.BODY
    headings: list[tuple[int, str]] = field(default_factory=list)
    zone_path: tuple[str, ...] = ()
    group_path: tuple[str, ...] = ()
    decree_path: tuple[str, ...] = ()
    decree_key: str = ""
    decree_keys: dict[str, int] = field(default_factory=dict)
    fresh: bool = True  # no article since the document start or the last boundary
    orphan_start: int | None = 0
    open: _Draft | None = None
    segment_first_line: int = 0
    segment_articles: list[_Draft] = field(default_factory=list)
    last_number: int | None = None
    articles_seen: int = 0


@dataclass
class ArticleSplit:
    """Articles and preambles found, and how many real article headings that was."""

    spans: list[Span]
    article_count: int


class _Splitter:
    """The reading state machine; one instance per (document, language) attempt."""

    def __init__(
        self, text: str, lines: list[Line], lang: LanguagePatterns, common: CommonPatterns, pages: int
    ):
        self.text = text
        self.lines = lines
        self.lang = lang
        self.common = common
        self.furniture = furniture(lines, common.furniture, common.furniture_min_repeats, pages)
        self.s = _State()
        self.drafts: list[_Draft] = []
        self.preambles: list[_Draft] = []

    # ---- driving loop -------------------------------------------------------------------

    def run(self) -> ArticleSplit:
        i = 0
        while i < len(self.lines):
            i = self._step(i)
        self._close(len(self.text))
        return ArticleSplit(self._spans(), self.s.articles_seen)

    def _step(self, i: int) -> int:
        """Handle line ``i``; returns the next line to look at (a heading with its name line,
        or a decree's title, consumes several)."""
        line = self.lines[i]
        t = line.text
        if not t:
            return i + 1
        if is_boundary(t, self.common):
            self._close(line.start)
            self._new_segment(i + 1, line.next_start)
            return i + 1
        if self.s.zone is Zone.BODY and is_instrument_marker(t, self.lang):
            self._close(line.start)
            self._relabel_wrapped(i)
            self._new_segment(i, line.start)
            self.s.last_number = None
            return i + 1
        if self.lang.transitional and self.s.articles_seen:
            after = self._zone_marker(i)
            if after is not None:
                return after
        if self.s.zone is not Zone.BODY:
            self._transitional_article(line)
            return i + 1
        hit = match_article(t, self.lang) or match_quote_introducer(t, self.lang)
        if hit:
            self._open(hit, line.start)
            return i + 1
        heading = match_heading(t, self.lang)
        if heading:
            return self._heading(i, heading)
        for inline in find_inline_articles(t, self.lang, self.s.last_number):
            self._open(inline, line.start + inline.column)
        return i + 1

    # ---- provisions ---------------------------------------------------------------------

    def _path(self) -> tuple[str, ...]:
        if self.s.zone is Zone.BODY:
            return tuple(text for _, text in self.s.headings)
        return self.s.zone_path

    def _open(self, hit: UnitHit, start: int) -> None:
        self._close(start)
        draft = _Draft(hit.label, hit.unit, self._path(), start)
        self.s.open = draft
        self.s.fresh = False
        self.s.articles_seen += 1
        if self.s.zone is Zone.BODY:
            self.s.segment_articles.append(draft)
            number = leading_number(hit.label)
            if number is not None:
                self.s.last_number = number

    def _close(self, end: int) -> None:
        """End the open article at ``end``, or keep the orphan text before it as a preamble."""
        if self.s.open is not None:
            self.s.open.end = end
            self.drafts.append(self.s.open)
            self.s.open = None
        elif self.s.fresh and self.s.orphan_start is not None:
            start, stop = trim_span(self.text, self.s.orphan_start, end)
            if stop - start >= self.common.orphan_min_chars:
                self.preambles.append(_Draft("preamble", "preamble", self._path(), start, stop))
        self.s.orphan_start = None

    def _new_segment(self, first_line: int, orphan_start: int) -> None:
        """After a boundary, the context is unknown: headings reset and leading text counts."""
        self.s.headings = []
        self.s.fresh = True
        self.s.orphan_start = orphan_start
        self.s.segment_first_line = first_line
        self.s.segment_articles = []

    def _relabel_wrapped(self, marker_line: int) -> None:
        """Articles before an embedded instrument belong to the law that wraps it."""
        rules = self.lang.wrapper
        if rules is None or not self.s.segment_articles:
            return
        name = rules.default
        for line in self.lines[self.s.segment_first_line : marker_line]:
            m = next((hit for hit in (p.search(line.text) for p in rules.titles) if hit), None)
            if m:
                name = rules.title_format.format(**m.groupdict())
                break
        for draft in self.s.segment_articles:
            draft.label = rules.label.format(wrapper=name, label=draft.label)

    # ---- headings -----------------------------------------------------------------------

    def _heading(self, i: int, heading: HeadingHit) -> int:
        line = self.lines[i]
        self._close(line.start)
        text, last = heading.text, i
        if not heading.has_title:
            name = self._name_line(i)
            if name is not None:
                text, last = f"{text} {self.lines[name].text}", name
        self.s.headings = [h for h in self.s.headings if h[0] < heading.level] + [(heading.level, text)]
        if self.s.fresh:
            self.s.orphan_start = self.lines[last].next_start
        return last + 1

    def _name_line(self, i: int) -> int | None:
        """The line naming a bare heading ("CAPITULO II" ⏎ "Jornada de trabajo"), if any.

        Page furniture between them is skipped: a heading can end a PDF page.
        """
        blanks = 0
        for k in range(i + 1, len(self.lines)):
            t = self.lines[k].text
            if not t:
                blanks += 1
                if blanks > self.common.heading_name_max_blank_lines:
                    return None
                continue
            if t in self.furniture:
                continue
            if len(t) > self.common.heading_name_max_chars or self._is_structural(t):
                return None
            reject = self.lang.heading_name_reject
            return None if reject and reject.search(t) else k
        return None

    def _is_structural(self, t: str) -> bool:
        lang = self.lang
        if is_boundary(t, self.common) or match_article(t, lang) or match_heading(t, lang):
            return True
        if is_instrument_marker(t, lang):
            return True
        rules = lang.transitional
        return bool(
            rules
            and (rules.law_transitional.match(t) or rules.decree_group.match(t) or rules.decree_start.match(t))
        )

    # ---- transitional articles and reform decrees -----------------------------------------

    def _zone_marker(self, i: int) -> int | None:
        rules = self.lang.transitional
        assert rules is not None
        line = self.lines[i]
        t = line.text
        if rules.decree_group.match(t):
            self._enter(line.start, Zone.DECREE_GROUP, (t,))
            self.s.group_path = (t,)
            return i + 1
        if rules.decree_start.match(t):
            return self._decree(i)
        if rules.law_transitional.match(t):
            if self.s.zone in (Zone.DECREE, Zone.DECREE_TRANSITIONAL):
                self._enter(line.start, Zone.DECREE_TRANSITIONAL, self.s.decree_path + (t,))
            else:
                self._enter(line.start, Zone.LAW_TRANSITIONAL, (t,))
            return i + 1
        return None

    def _enter(self, at: int, zone: Zone, path: tuple[str, ...]) -> None:
        self._close(at)
        self.s.zone = zone
        self.s.zone_path = path
        self.s.fresh = False

    def _decree(self, i: int) -> int:
        rules = self.lang.transitional
        assert rules is not None

        def stops(text: str) -> bool:
            return self._is_structural(text) or match_transitional_article(text, self.lang) is not None

        header = read_decree_header(self.lines, i, rules, stops)
        self.s.decree_key = decree_key(header.date, self.s.decree_keys, rules)
        self.s.decree_path = self.s.group_path + (header.title,)
        self._enter(self.lines[i].start, Zone.DECREE, self.s.decree_path)
        return header.last_line + 1

    def _transitional_article(self, line: Line) -> None:
        rules = self.lang.transitional
        assert rules is not None
        number = match_transitional_article(line.text, self.lang)
        if number is not None:
            label = transitional_label(self.s.zone, number, self.s.decree_key, rules)
            self._open(UnitHit(label, "transitional"), line.start)

    # ---- output -------------------------------------------------------------------------

    def _spans(self) -> list[Span]:
        spans = [Span(d.label, d.unit, d.path, d.start, d.end) for d in self.drafts]
        pieces: list[tuple[_Draft, int, int]] = []
        for d in self.preambles:
            if d.end - d.start > self.common.preamble_split_chars:
                cuts = paragraph_spans(self.text, self.lines, self.common, d.start, d.end)
                pieces.extend((d, s, e) for s, e in cuts)
            else:
                pieces.append((d, d.start, d.end))
        pieces.sort(key=lambda p: p[1])
        for n, (d, s, e) in enumerate(pieces, start=1):
            label = "preamble" if n == 1 else f"preamble-{n}"
            spans.append(Span(label, "preamble", d.path, s, e))
        return spans


def split_articles(
    text: str, lines: list[Line], lang: LanguagePatterns, common: CommonPatterns, pages: int = 0
) -> ArticleSplit:
    """Articles (and preambles) of a text in the given language's conventions.

    ``pages`` is the number of PDF pages (0 for other formats); it tells page furniture apart.
    """
    return _Splitter(text, lines, lang, common, pages).run()
