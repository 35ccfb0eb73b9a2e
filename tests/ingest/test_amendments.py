"""Amendment notes of the Ley Federal del Trabajo: real lines in, events out; and every
note of the real text attached to exactly one provision."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.amendments import (
    AmendmentEvent,
    attach_notes,
    decree_date,
    find_notes,
    instrument_start,
    parse_note,
    provision_history,
    strip_notes,
)
from ingest.structure import split_provisions
from laborlex_core.schema import DocumentMeta, SourceText

# (line as printed in the LFT, [(date, action, part), ...]): every action and every part.
REAL_LINES: list[tuple[str, list[tuple[str, str, str]]]] = [
    ("Artículo reformado DOF 04-01-1980", [("1980-01-04", "amended", "article")]),
    ("Artículo reformado DOF 28-04-1978, 30-11-2012", [("1978-04-28", "amended", "article"), ("2012-11-30", "amended", "article")]),
    ("Artículo adicionado DOF 30-11-2012", [("2012-11-30", "added", "article")]),
    ("Artículo derogado DOF 30-11-2012", [("2012-11-30", "repealed", "article")]),
    (
        "Artículo adicionado DOF 30-11-2012. Derogado DOF 23-04-2021",
        [("2012-11-30", "added", "article"), ("2021-04-23", "repealed", "article")],
    ),
    (
        "Artículo derogado DOF 30-11-2012. Adicionado DOF 01-05-2019",
        [("2012-11-30", "repealed", "article"), ("2019-05-01", "added", "article")],
    ),
    ("Fracción reformada DOF 01-05-2019", [("2019-05-01", "amended", "fraction")]),
    ("Fracción adicionada DOF 01-05-2019", [("2019-05-01", "added", "fraction")]),
    ("Fracción derogada DOF 30-11-2012", [("2012-11-30", "repealed", "fraction")]),
    ("Fracción recorrida DOF 28-04-1978", [("1978-04-28", "moved", "fraction")]),
    ("Fracción reformada y recorrida DOF 30-11-2012", [("2012-11-30", "amended", "fraction"), ("2012-11-30", "moved", "fraction")]),
    (
        "Fracción adicionada DOF 30-11-2012. Reformada DOF 04-06-2019",
        [("2012-11-30", "added", "fraction"), ("2019-06-04", "amended", "fraction")],
    ),
    ("Párrafo adicionado DOF 30-11-2012", [("2012-11-30", "added", "paragraph")]),
    ("Párrafo reformado DOF 01-05-2019", [("2019-05-01", "amended", "paragraph")]),
    ("Párrafo con fracciones adicionado DOF 01-05-2019", [("2019-05-01", "added", "paragraph")]),
    (
        "Párrafo adicionado DOF 04-01-1980. Reformado DOF 30-11-2012, 01-05-2019",
        [("1980-01-04", "added", "paragraph"), ("2012-11-30", "amended", "paragraph"), ("2019-05-01", "amended", "paragraph")],
    ),
    ("Inciso reformado DOF 30-11-2012, 01-05-2019", [("2012-11-30", "amended", "subsection"), ("2019-05-01", "amended", "subsection")]),
    ("Inciso derogado DOF 01-05-2019", [("2019-05-01", "repealed", "subsection")]),
    ("Numeral reformado DOF 01-05-2019", [("2019-05-01", "amended", "numeral")]),
    ("Sección adicionada DOF 04-01-1980", [("1980-01-04", "added", "section")]),
    ("Capítulo adicionado DOF 11-01-2021", [("2021-01-11", "added", "chapter")]),
    ("Capítulo derogado DOF 30-11-2012", [("2012-11-30", "repealed", "chapter")]),
    ("Capítulo reubicado y denominación reformada DOF 04-01-1980", [("1980-01-04", "moved", "chapter"), ("1980-01-04", "amended", "chapter")]),
    ("Título adicionado DOF 31-12-1974", [("1974-12-31", "added", "title")]),
    ("Denominación del Capítulo reformada DOF 21-01-1988", [("1988-01-21", "amended", "heading")]),
    ("Fe de erratas al artículo DOF 30-04-1970", [("1970-04-30", "corrected", "article")]),
    ("Fe de erratas a la fracción DOF 30-01-1980", [("1980-01-30", "corrected", "fraction")]),
    ("Fe de erratas al párrafo DOF 30-01-1980", [("1980-01-30", "corrected", "paragraph")]),
    ("Fe de erratas al inciso DOF 30-01-1980", [("1980-01-30", "corrected", "subsection")]),
    (
        "Fe de erratas al artículo DOF 30-04-1970. Reformado DOF 23-04-2021",
        [("1970-04-30", "corrected", "article"), ("2021-04-23", "amended", "article")],
    ),
    (
        "Artículo reformado DOF 28-04-1978, 04-01-1980. Fe de erratas DOF 30-01-1980, Reformado DOF 30-11-2012.",
        [
            ("1978-04-28", "amended", "article"),
            ("1980-01-04", "amended", "article"),
            ("1980-01-30", "corrected", "article"),
            ("2012-11-30", "amended", "article"),
        ],
    ),
    ("Reforma DOF 30-11-2012: Derogó del artículo el entonces párrafo cuarto", [("2012-11-30", "repealed", "paragraph")]),
    (
        "Reforma DOF 31-12-1974: Suprimió de este Título los entonces Capítulos I “Trabajo de las Mujeres” y II “Trabajo de los Menores”",
        [("1974-12-31", "repealed", "chapter")],
    ),
]

NOT_NOTES = [
    "Nota de vigencia: La adición de la fracción IV al artículo 337, publicada por Decreto DOF 01-05-2019, entrará",
    "VII. La Falta (sic DOF 04-06-2019) de los documentos que exijan las Leyes y reglamentos,",
    "Nota: El decreto de reforma DOF 01-05-2019 no derogó el artículo 641-A de esta Ley.",
    "Artículo 47.- Son causas de rescisión de la relación de trabajo, sin responsabilidad para el patrón:",
    "Artículo reformado",
    "",
]


@pytest.mark.parametrize(("line", "expected"), REAL_LINES, ids=[line[:60] for line, _ in REAL_LINES])
def test_real_lft_notes_become_events(line: str, expected: list[tuple[str, str, str]]) -> None:
    events = parse_note(line)
    assert events is not None
    assert [(e.date, e.action, e.part) for e in events] == expected
    assert all(e.gazette == "DOF" and e.note == " ".join(line.split()) for e in events)


@pytest.mark.parametrize("line", NOT_NOTES)
def test_text_mentioning_the_gazette_is_not_a_note(line: str) -> None:
    assert parse_note(line) is None


def test_a_wrapped_note_continues_on_the_next_line() -> None:
    text = (
        "Artículo 878.- Se deroga.\n"
        "Artículo reformado DOF 24-12-1974, 28-04-1978, 04-01-1980. Fe de erratas DOF 30-01-1980. Reformado DOF 30-11-2012.\n"
        "Derogado DOF 01-05-2019\n\n"
        "Artículo 879.- La audiencia se celebrará aun cuando no concurran las partes.\n"
        "Fracción reformada DOF 01-05-2019\n"
        "Fe de erratas al artículo DOF 30-04-1970\n"
    )
    notes = find_notes(text)
    assert len(notes) == 3  # the wrapped "Derogado" joins its note; a new subject starts a new one
    assert [(e.date, e.action, e.part) for e in notes[0].events][-1] == ("2019-05-01", "repealed", "article")
    assert notes[0].text.endswith("Derogado DOF 01-05-2019")
    assert notes[2].events[0].part == "article"
    history = provision_history(notes[0].events)
    assert (history.repealed, history.repealed_on, history.amended_on) == (True, "2019-05-01", "2019-05-01")
    assert strip_notes(text).split("\n\n") == [
        "Artículo 878.- Se deroga.",
        "Artículo 879.- La audiencia se celebrará aun cuando no concurran las partes.",
    ]


def test_history_of_a_provision() -> None:
    def event(d: str, action: str, part: str = "article") -> AmendmentEvent:
        return AmendmentEvent(d, "DOF", action, part, "")  # type: ignore[arg-type]

    added_then_repealed = provision_history([event("2021-04-23", "repealed"), event("2012-11-30", "added")])
    assert (added_then_repealed.added_on, added_then_repealed.repealed_on) == ("2012-11-30", "2021-04-23")
    assert added_then_repealed.dates == ("2012-11-30", "2021-04-23")
    readded = provision_history([event("2012-11-30", "repealed"), event("2019-05-01", "added")])
    assert (readded.added_on, readded.repealed_on, readded.repealed) == ("2019-05-01", None, False)
    fraction_repealed = provision_history([event("2012-11-30", "repealed", "fraction")])
    assert not fraction_repealed.repealed  # a repealed fraction leaves the article in force
    original = provision_history([], added_on=None)
    assert original.to_meta() == {
        "amendments": [], "added_on": None, "repealed_on": None, "repealed": False, "amended_on": None, "amendment_dates": []
    }


@pytest.mark.parametrize(
    ("label", "expected"),
    [("Transitorio 1 (DOF 30-11-2012)", "2012-11-30"), ("Decreto DOF 01-05-2019 Artículo 1", "2019-05-01"), ("47", None), ("Transitorio 3", None)],
)
def test_decree_articles_start_with_their_decree(label: str, expected: str | None) -> None:
    assert decree_date(label) == expected


@pytest.mark.parametrize(
    ("date", "kind", "expected"),
    [("1930", "convention", "1930-01-01"), ("2018-04-02", "case_law", "2018-04-02"), ("2020-07-01", "treaty", "2020-07-01"),
     ("2019-02-19", "statute", None), (None, "convention", None)],
)
def test_instruments_start_at_their_manifest_date(date: str | None, kind: str, expected: str | None) -> None:
    assert instrument_start(date, kind) == expected


GAZETTE_DATE = re.compile(r"DOF \d{2}-\d{2}-\d{4}")
EDITORIAL = ("Nota de vigencia:", "Nota:", "(sic DOF")  # lines naming the gazette that are not amendment notes


def check_every_note_attached_once(text: str, spans: list[tuple[int, int]]) -> int:
    """Every line naming a DOF date is an amendment note (or one of three editorial lines),
    and every note goes to exactly one provision: the one holding it where one does."""
    notes = find_notes(text)
    noted = {(n.start, n.end) for n in notes}
    lines = [(m.start(), m.group()) for m in re.finditer(r"[^\n]+", text) if GAZETTE_DATE.search(m.group())]
    outside = [line for start, line in lines if not any(a <= start + len(line) - len(line.lstrip()) < b for a, b in noted)]
    assert len(outside) == 3 and all(any(mark in line for mark in EDITORIAL) for line in outside), outside
    attached = attach_notes(notes, spans)
    flat = [(n.start, n.end) for group in attached for n in group]
    assert sorted(flat) == sorted(noted) and len(flat) == len(set(flat))  # each note exactly once
    for (start, end), group in zip(spans, attached):
        for note in group:
            holder = next((s for s in spans if s[0] <= note.start < s[1]), None)
            assert holder in (None, (start, end))  # inside a provision: that one
    return len(notes)


def test_every_note_of_the_lft_text_goes_to_exactly_one_provision(corpus_dir: Path, manifest_entries: dict[str, dict]) -> None:
    """On the pdftotext rendering (fast); the real PDF reader's text: test_structure_real_readers."""
    entry = manifest_entries["mx-lft-es"]
    text = (corpus_dir / "pdf-text" / "mx-lft-es.txt").read_text(encoding="utf-8")
    meta = DocumentMeta(doc_id="mx-lft-es", title=entry["title"], language="es", jurisdiction="MX", kind="statute")
    provisions = split_provisions(SourceText(meta, text))
    assert check_every_note_attached_once(text, [(p.start, p.end) for p in provisions]) == 1542
