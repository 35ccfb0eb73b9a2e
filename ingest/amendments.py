"""Amendment notes of the Ley Federal del Trabajo, read as amendment events.

The LFT prints its amendment trail inside the text, one note after the part it concerns:
"Artículo reformado DOF 04-01-1980", "Fracción adicionada DOF 30-11-2012. Reformada DOF
01-05-2019", "Fe de erratas al artículo DOF 30-04-1970. Reformado DOF 23-04-2021",
"Reforma DOF 30-11-2012: Derogó del artículo el entonces párrafo cuarto". Those notes are
metadata, not law: a judge asking what an article said in 2015 needs their dates, and a
search for "reformado" must not match every amended article. This module is pure: it finds
the notes in a text, turns each into events (date, gazette, action, part) and says which
provision each belongs to; ``ingest.history`` puts the result on the passages.

A note ends up with exactly one provision: the one whose span holds it, or, for a note
between provisions (a chapter's "Capítulo adicionado DOF …" under its heading), the first
provision after it, which is the first the heading governs.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

Action = Literal["added", "amended", "repealed", "corrected", "moved"]
Part = Literal["article", "fraction", "paragraph", "subsection", "numeral", "section", "chapter", "title", "heading"]

_DATE = r"\d{2}-\d{2}-\d{4}"
_DATES = rf"{_DATE}(?:\s*,\s*{_DATE})*"
# One clause of a note: words (no digits), the gazette, one or more dates.
_CLAUSE = re.compile(rf"(?P<words>[^\d.,:]*?)\s*\b(?P<gazette>DOF)\s+(?P<dates>{_DATES})")
# "Reforma DOF 30-11-2012: Derogó del artículo el entonces párrafo cuarto"
_REFORM_REMARK = re.compile(rf"^Reforma\s+(?P<gazette>DOF)\s+(?P<date>{_DATE})\s*:\s*(?P<words>.+)$")
# What a note line starts with: the part it concerns, an erratum, or (a wrapped line) an action.
_LEAD = re.compile(
    r"^(?:Art[íi]culo|Fracci[óo]n|P[áa]rrafo|Inciso|Numeral|Secci[óo]n|Cap[íi]tulo|T[íi]tulo|Denominaci[óo]n"
    r"|Fe de erratas|Reformad[oa]|Derogad[oa]|Adicionad[oa])\b",
    re.IGNORECASE,
)
_ACTION_FIRST = re.compile(r"^(?:Reformad[oa]|Derogad[oa]|Adicionad[oa]|Fe de erratas)\s+DOF\b", re.IGNORECASE)

# Word stems → part; the first one named in a clause wins ("Capítulo reubicado y denominación reformada": chapter).
_PARTS: tuple[tuple[str, Part], ...] = (
    ("denominaci", "heading"),
    ("art", "article"),
    ("fracci", "fraction"),
    ("párraf", "paragraph"),
    ("parraf", "paragraph"),
    ("inciso", "subsection"),
    ("numeral", "numeral"),
    ("secci", "section"),
    ("capítul", "chapter"),
    ("capitul", "chapter"),
    ("títul", "title"),
    ("titul", "title"),
)
# Word stems → action, in the order they are printed ("reformada y recorrida": amended, moved).
_ACTIONS: tuple[tuple[str, Action], ...] = (
    ("adicionad", "added"),
    ("reformad", "amended"),
    ("derogad", "repealed"),
    ("derogó", "repealed"),
    ("suprimi", "repealed"),
    ("recorrid", "moved"),
    ("reubicad", "moved"),
    ("erratas", "corrected"),
)


@dataclass(frozen=True, slots=True)
class AmendmentEvent:
    """One change the gazette published: on ``date`` (ISO), ``action`` on ``part`` of the provision."""

    date: str
    gazette: str
    action: Action
    part: Part
    note: str  # the note as printed, so a reader can check the reading

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class AmendmentNote:
    """A note located in a text (``[start, end)``, wrapped lines included) and its events."""

    start: int
    end: int
    text: str
    events: tuple[AmendmentEvent, ...]


def iso_date(printed: str) -> str:
    """``"04-01-1980"`` (day-month-year, as the DOF prints) → ``"1980-01-04"``."""
    day, month, year = printed.split("-")
    return f"{year}-{month}-{day}"


def _first(stems: Sequence[tuple[str, Any]], words: str) -> Any | None:
    """The value of the stem found earliest in ``words``."""
    found = [(words.find(stem), value) for stem, value in stems if stem in words]
    return min(found, key=lambda pair: pair[0])[1] if found else None


def _actions(words: str) -> list[Action]:
    """Every action a clause names, in printed order."""
    hits = sorted((words.find(stem), action) for stem, action in _ACTIONS if stem in words)
    return list(dict.fromkeys(action for _, action in hits))


def parse_note(line: str, default_part: Part = "article") -> tuple[AmendmentEvent, ...] | None:
    """The events of one note line, or None when the line is not an amendment note.

    A line is a note only when it is made of clauses "<words> DOF <dates>" and punctuation
    and nothing else, so an article's text that mentions the gazette is never taken for one.
    A clause that names no part ("Reformado DOF …" after "Fracción adicionada DOF …") concerns
    the part named before it.
    """
    text = " ".join(line.split())
    remark = _REFORM_REMARK.match(text)
    if remark:
        words = remark.group("words").lower()
        actions = _actions(words) or ["amended"]
        # "Derogó del artículo el entonces párrafo cuarto": the part is what "entonces" names
        part = _first(_PARTS, words.partition("entonces")[2]) or _first(_PARTS, words) or default_part
        return tuple(
            AmendmentEvent(iso_date(remark.group("date")), remark.group("gazette"), a, part, text) for a in actions
        )
    if not _LEAD.match(text) or "DOF" not in text:
        return None
    events: list[AmendmentEvent] = []
    part: Part = default_part
    position = 0
    for clause in _CLAUSE.finditer(text):
        if text[position : clause.start()].strip(" .,;") or not clause.group("words").strip():
            return None  # something other than clauses: not a note
        words = clause.group("words").strip().lower()
        actions = _actions(words)
        if not actions:
            return None
        named = _first(_PARTS, words.replace("fe de erratas", ""))
        if named is not None:
            part = named
        for printed in re.split(r"\s*,\s*", clause.group("dates")):
            events.extend(AmendmentEvent(iso_date(printed), clause.group("gazette"), a, part, text) for a in actions)
        position = clause.end()
    if not events or text[position:].strip(" .,;"):
        return None
    return tuple(events)


_LINE = re.compile(r"[^\n]*")


def find_notes(text: str) -> list[AmendmentNote]:
    """Every amendment note in ``text``, in order. A line that starts with an action
    ("Derogado DOF 01-05-2019") right under a note continues it (the PDF wrapped it)."""
    notes: list[AmendmentNote] = []
    previous_end = -2
    for match in _LINE.finditer(text):
        line = match.group()
        stripped = line.strip()
        if not stripped:
            continue
        start = match.start() + (len(line) - len(line.lstrip()))
        end = match.start() + len(line.rstrip())
        continues = bool(notes) and text[previous_end:start].count("\n") == 1 and _ACTION_FIRST.match(stripped)
        default = notes[-1].events[-1].part if continues else "article"
        events = parse_note(stripped, default)
        if events is None:
            continue
        if continues:
            last = notes[-1]
            joined = f"{last.text} {stripped}"
            events = tuple(AmendmentEvent(e.date, e.gazette, e.action, e.part, joined) for e in events)
            earlier = tuple(AmendmentEvent(e.date, e.gazette, e.action, e.part, joined) for e in last.events)
            notes[-1] = AmendmentNote(last.start, end, joined, earlier + events)
        else:
            notes.append(AmendmentNote(start, end, stripped, events))
        previous_end = end
    return notes


def attach_notes(notes: Sequence[AmendmentNote], spans: Sequence[tuple[int, int]]) -> list[list[AmendmentNote]]:
    """Notes per provision (``spans`` are the provisions' ``[start, end)`` in document order).

    Each note goes to exactly one provision: the one holding it, else the next one (a note
    under a heading concerns what the heading governs), else the last one.
    """
    attached: list[list[AmendmentNote]] = [[] for _ in spans]
    if not spans:
        return attached
    starts = [s for s, _ in spans]
    for note in notes:
        i = bisect.bisect_right(starts, note.start) - 1
        if i >= 0 and spans[i][0] <= note.start < spans[i][1]:
            attached[i].append(note)
        else:
            attached[min(i + 1, len(spans) - 1)].append(note)
    return attached


def strip_notes(text: str) -> str:
    """``text`` without its amendment note lines (what snippets, BM25 and the model see)."""
    notes = find_notes(text)
    if not notes:
        return text
    pieces: list[str] = []
    cursor = 0
    for note in notes:
        pieces.append(text[cursor : note.start])
        cursor = note.end
    pieces.append(text[cursor:])
    kept = "".join(pieces)
    return re.sub(r"\n[ \t]*(?:\n[ \t]*)+", "\n\n", kept).strip() or text


@dataclass(frozen=True, slots=True)
class ProvisionHistory:
    """What the events say about a provision as a whole, flat, for filters and badges.

    ``added_on``: when the provision (as it now stands) entered the law; None for the
    original text. ``repealed_on``: when it was repealed, if it stands repealed now.
    ``amended_on``: the last change of any kind. ``dates``: every event date (the
    ``amended_after``/``amended_before`` range filters look for one inside the range).
    """

    events: tuple[AmendmentEvent, ...]
    added_on: str | None
    repealed_on: str | None
    amended_on: str | None
    dates: tuple[str, ...]

    @property
    def repealed(self) -> bool:
        return self.repealed_on is not None

    def to_meta(self) -> dict[str, Any]:
        """The passage meta fields (the same on every passage of the provision)."""
        return {
            "amendments": [e.to_dict() for e in self.events],
            "added_on": self.added_on,
            "repealed_on": self.repealed_on,
            "repealed": self.repealed,
            "amended_on": self.amended_on,
            "amendment_dates": list(self.dates),
        }


def provision_history(events: Sequence[AmendmentEvent], added_on: str | None = None) -> ProvisionHistory:
    """Fold events (any order) into a history; ``added_on`` is a known start (an instrument's date)."""
    ordered = tuple(sorted(events, key=lambda e: e.date))
    repealed_on: str | None = None
    for event in ordered:  # the article's own additions and repeals decide whether it stands
        if event.part != "article":
            continue
        if event.action == "added":
            added_on, repealed_on = event.date, None
        elif event.action == "repealed":
            repealed_on = event.date
    dates = tuple(sorted({e.date for e in ordered}))
    return ProvisionHistory(ordered, added_on, repealed_on, dates[-1] if dates else None, dates)


_DECREE_DATE = re.compile(rf"\bDOF\s+(?P<date>{_DATE})")


def decree_date(label: str) -> str | None:
    """A reform decree's transitional articles are labelled with the decree's date
    ("Transitorio 1 (DOF 30-11-2012)", "Decreto DOF 01-05-2019 Artículo 1"): they did not
    exist before it."""
    match = _DECREE_DATE.search(label)
    return iso_date(match.group("date")) if match else None


def instrument_start(date: str | None, kind: str | None) -> str | None:
    """The day a convention, treaty or ruling came to be, from the manifest's date ("1930",
    "2018-04", "2018-04-02"), taken at the earliest the date allows. A statute's manifest date
    is the date of its version, not of its birth, so it gives none."""
    if not date or kind not in ("convention", "treaty", "case_law", "case_law_index"):
        return None
    match = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", date.strip())
    if not match:
        return None
    return f"{match.group(1)}-{match.group(2) or '01'}-{match.group(3) or '01'}"
