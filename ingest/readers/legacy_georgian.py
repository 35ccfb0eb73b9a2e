"""Georgian typed in legacy fonts (AcadNusx family): Latin code points standing for Mkhedruli.

Before Unicode was common, Georgian was typed with fonts that draw Georgian letters on Latin
keys, so the text extracted from such files reads "saqarTvelos Sromis kodeqsi". The mapping
is data (``data/acadnusx.json``, which names its source); conversion is one ``str.translate``
per run of text, so offsets and lengths never change.

Two ways to know a run is legacy Georgian:

* **the font** (PDF glyphs, Word runs): a font whose name is of the family converts every
  letter drawn in it, and nothing else;
* **letter patterns** when the font is unknown (plain text, a PDF whose fonts were renamed):
  each line is weighed for evidence of Georgian words (a capital inside a word, as in
  ``saqarTvelos``; ``q`` not followed by ``u``; the Georgian function words) against evidence
  of English or Spanish (accents, digraphs Georgian cannot form such as ``th``/``ch``/``sh``,
  capitals that are no Georgian letter, English and Spanish function words). Only a text with
  clear Georgian evidence overall is touched, only lines not outweighed by Latin evidence are
  converted, and inside them URLs, e-mail addresses, roman numerals and words holding a
  capital that is no Georgian letter ("ILO", "U.S.C.") stay as they are.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_DATA = "acadnusx.json"

# Evidence of legacy Georgian words.
_INNER_LEGACY_CAPITAL = re.compile(r"[a-z][TJRSCZW]")
_Q_NOT_U = re.compile(r"q(?!u)")
# Letter pairs frequent in Georgian typed in the legacy encoding and absent from the corpus's
# English and Spanish texts (counted on ../shared/corpus: e.g. "md" in "momdevno", "gv" in "gvari").
_GEORGIAN_PAIR = re.compile(r"md|vr|xl|vn|sx|yv|nx|kv|gv|xm|xd|zr|wv|zn|mw|wm|bg")
_GEORGIAN_ENDING = re.compile(r"(?:ebi|ebis|eba|ebs|uri|obis|oba|Tvis|Si|ze|Ta|iT|isa)$")
_GEORGIAN_WORDS = frozenset(
    "da rom an ar aris unda mier Tu an ara mxolod Tavis sxva xolo Tu rogorc ase iseve aseve Tan Soris Sesaxeb"
    " SemTxvevaSi muxli muxlis kanonis kanoni Sromis mier dasaqmebuli damsaqmebeli xelSekruleba".split()
)
# Evidence of English or Spanish.
_IMPOSSIBLE_IN_GEORGIAN = re.compile(r"th|sh|ch|ph|wh|ck|ll|y\b|ing\b|tion", re.IGNORECASE)
_NON_LEGACY_CAPITAL = re.compile(r"[ABDEFGHIKLMNOPQUVXY]")
_LATIN_ENDING = re.compile(r"(?:mente|cion|ciones|dad|dades|ados|idos|adas|idas|ment|ness|ous|ed|able|ible|ing)$")
_QU = re.compile(r"qu")
_ROMAN = re.compile(r"^[IVXLM]{1,6}$")
_ACCENTED = re.compile(r"[áéíóúñüÁÉÍÓÚÑÜàèçãõâêô]")
_LATIN_WORDS = frozenset(
    "the of and to in for by with on or are be shall that this which any from as not at"
    " de la el que y en los del se las por un una para con no su al lo como más o ley"
    " artículo trabajo trabajador trabajadores article convention".split()
)
_ASCII_WORD = re.compile(r"[A-Za-zÀ-ÿ]+")

# Runs never converted inside a converted line.
_KEEP = re.compile(
    r"(?:https?://|www\.)\S+"  # URLs
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|\b[IVXLM]{1,6}\b"  # roman numerals (chapter numbers)
    r"|\b(?=(?:[A-Z]\.)*[ABDEFGHIKLMNOPQUVXY]\.)(?:[A-Z]\.){2,}"  # initials such as "U.S.C." (not "T.S.")
    r"|\b[A-Za-z]*[ABDEFGHIKLMNOPQUVXY][A-Za-z]*\b"  # a word with a capital that is no Georgian letter
)

_ANY_LATIN = re.compile(r"[A-Za-z]")

MIN_EVIDENCE = 4  # Georgian-word evidence a text needs before anything in it is converted


@dataclass(frozen=True, slots=True)
class LegacyTable:
    """The mapping, the font names it applies to, and where it comes from."""

    name: str
    source: str
    font_patterns: tuple[str, ...]
    translate: dict[int, str]

    def font_is_legacy(self, fontname: str | None) -> bool:
        """True for a font of the family: 'ABCDEF+AcadNusx-Bold', 'Acad Nusx', 'LitNusx'."""
        if not fontname:
            return False
        bare = re.sub(r"[^a-z]", "", fontname.split("+", 1)[-1].lower())
        return any(pattern in bare for pattern in self.font_patterns)


@lru_cache(maxsize=1)
def table() -> LegacyTable:
    raw = json.loads(resources.files("ingest.readers").joinpath("data", _DATA).read_text(encoding="utf-8"))
    return LegacyTable(
        name=raw["name"],
        source=raw["source"],
        font_patterns=tuple(raw["font_name_patterns"]),
        translate={ord(latin): georgian for latin, georgian in raw["map"].items()},
    )


def to_unicode(text: str) -> str:
    """Every mapped letter of ``text`` as Mkhedruli: for runs known to be in a legacy font."""
    return text.translate(table().translate)


def to_legacy(text: str) -> str:
    """The inverse: Mkhedruli typed as in a legacy font (for building test files)."""
    inverse = {ord(georgian): latin for latin, georgian in ((chr(k), v) for k, v in table().translate.items())}
    return text.translate(inverse)


def _evidence(text: str) -> tuple[int, int]:
    """(Georgian-legacy evidence, English/Spanish evidence) of a piece of text."""
    georgian = latin = 0
    for match in _ASCII_WORD.finditer(text):
        word = match.group()
        if _ACCENTED.search(word):
            latin += 2
            continue
        if len(word) < 2 or _ROMAN.match(word):
            continue
        if word in _GEORGIAN_WORDS:
            georgian += 1
        elif word.lower() in _LATIN_WORDS:
            latin += 1
        if _INNER_LEGACY_CAPITAL.search(word):
            georgian += 2
        if _Q_NOT_U.search(word):
            georgian += 2
        if _GEORGIAN_ENDING.search(word) or _GEORGIAN_PAIR.search(word):
            georgian += 1
        if _LATIN_ENDING.search(word) or _QU.search(word):
            latin += 1
        if _NON_LEGACY_CAPITAL.search(word):
            latin += 1 if word.isupper() and len(word) <= 5 else 2  # an acronym ("ILO") is often quoted in Georgian
        if _IMPOSSIBLE_IN_GEORGIAN.search(word):
            latin += 2
    return georgian, latin


def _georgian_weight(evidence: list[tuple[int, int]]) -> int:
    """Georgian evidence of the lines where it clearly wins (no English/Spanish line has any)."""
    return sum(georgian for georgian, latin in evidence if georgian > latin and georgian >= 2)


def looks_legacy(text: str) -> bool:
    """Whether ``text`` holds Georgian typed in a legacy font (by letter patterns alone).

    Judged line by line, not over the whole text, so that a Georgian document quoting long
    English passages is still recognized, and an English one with a few odd words is not.
    """
    return _georgian_weight([_evidence(line) for line in text.split("\n")]) >= MIN_EVIDENCE


def _convert_line(line: str) -> str:
    out: list[str] = []
    last = 0
    for keep in _KEEP.finditer(line):
        out.append(to_unicode(line[last:keep.start()]))
        out.append(keep.group())
        last = keep.end()
    out.append(to_unicode(line[last:]))
    return "".join(out)


def convert_by_patterns(text: str) -> tuple[str, int]:
    """``text`` with its legacy-Georgian lines converted, and how many letters changed.

    Nothing changes unless the text looks legacy (``looks_legacy``); then each line is converted unless
    its English/Spanish evidence outweighs its Georgian evidence. Length is preserved.
    """
    lines = text.split("\n")
    evidence = [_evidence(line) for line in lines]
    if _georgian_weight(evidence) < MIN_EVIDENCE:
        return text, 0
    decisions: list[bool | None] = [None if g == l == 0 else g > l for g, l in evidence]
    # A line without evidence either way ("muxli 5.", "Convenio.") goes with its nearest
    # neighbour that has some: the previous one, else the next one; a text with none is Georgian.
    previous: bool | None = None
    for i, decision in enumerate(decisions):
        if decision is None:
            decisions[i] = previous
        else:
            previous = decision
    following: bool | None = True
    for i in range(len(decisions) - 1, -1, -1):
        if decisions[i] is None:
            decisions[i] = following
        else:
            following = decisions[i]
    changed = 0
    for i, line in enumerate(lines):
        if not decisions[i] or not _ANY_LATIN.search(line):
            continue
        converted = _convert_line(line)
        changed += sum(a != b for a, b in zip(line, converted))
        lines[i] = converted
    return "\n".join(lines), changed


def converted_with_notes(text: str, fonts: Iterable[str] = (), letters: int = 0) -> tuple[str, dict[str, Any]]:
    """A reader's text and what it says about legacy Georgian, one rule for every format: where
    the file named the fonts, the reader converted exactly that text (``letters`` letters);
    otherwise the text is converted by letter patterns here."""
    if letters:
        return text, {"legacy_font": ", ".join(sorted(set(fonts))), "legacy_letters": letters}
    text, changed = convert_by_patterns(text)
    if not changed:
        return text, {}
    return text, {"legacy_font": f"{table().name} (by letter patterns)", "legacy_letters": changed}
