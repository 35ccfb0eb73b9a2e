"""The alias table: how a named instrument, a convention number, a US Code section, a tesis or
a registry number becomes a document of the corpus. The table is data (``aliases.json``)."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

ALIASES_PATH = Path(__file__).with_name("aliases.json")
_GEORGIAN = re.compile(r"[\u10D0-\u10FF]")


def normalize_name(name: str) -> str:
    """Case-, accent- and spacing-insensitive form of an instrument name."""
    decomposed = unicodedata.normalize("NFD", name.casefold())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(folded.replace("’", "'").split())


@dataclass(frozen=True, slots=True)
class Instrument:
    """An instrument of the alias table: its canonical name and where the corpus holds it."""

    id: str
    name: str
    docs: dict[str, str]
    primary: str | None
    mention: bool
    jurisdictions: tuple[str, ...]

    def applies_in(self, jurisdiction: str | None) -> bool:
        return not self.jurisdictions or jurisdiction in self.jurisdictions

    def doc_for(self, language: str | None) -> str | None:
        if language in self.docs:
            return self.docs[language]
        if self.primary in self.docs:
            return self.docs[self.primary]
        return next(iter(self.docs.values()), None)


class AliasTable:
    """Lookups over ``aliases.json``; every method answers None for what the corpus lacks."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.instruments = [
            Instrument(
                id=e["id"],
                name=e["names"][0],
                docs=dict(e.get("docs") or {}),
                primary=e.get("primary"),
                mention=bool(e.get("mention", True)),
                jurisdictions=tuple(e.get("jurisdictions") or ()),
            )
            for e in data["instruments"]
        ]
        self._names: list[tuple[str, Instrument]] = [
            (normalize_name(name), instrument)
            for entry, instrument in zip(data["instruments"], self.instruments)
            for name in entry["names"]
        ]
        self._entry_names: dict[str, list[str]] = {e["id"]: list(e["names"]) for e in data["instruments"]}
        self.conventions: dict[str, dict[str, str]] = data.get("ilo_conventions", {})
        self.preference: list[str] = data.get("language_preference", ["es", "en", "ka"])
        self.us_code_ranges: dict[str, list[dict[str, Any]]] = data.get("us_code", {})
        self.us_code_titles: dict[str, str] = data.get("us_code_titles", {})
        self.act_offsets: dict[str, int] = data.get("act_section_offsets", {})
        rulings = data.get("rulings", {})
        self.tesis_docs = {normalize_tesis(k): v for k, v in rulings.get("tesis", {}).items()}
        self.registro_docs: dict[str, str] = rulings.get("registro", {})
        self.registro_entries: list[dict[str, Any]] = rulings.get("registro_entries", [])

    # ---- names -----------------------------------------------------------------------

    def instrument(self, name: str, jurisdiction: str | None = None) -> Instrument | None:
        """The instrument a name designates where it is cited (a name may differ per jurisdiction)."""
        key = normalize_name(name)
        candidates = [i for n, i in self._names if n == key and i.applies_in(jurisdiction)]
        if not candidates and _GEORGIAN.search(name):
            # Georgian names are declined: "შრომის კოდექსის" is the genitive of "შრომის კოდექსი".
            candidates = [
                i
                for n, i in self._names
                if _GEORGIAN.search(n) and _declined(key, _stem_ka(n)) and i.applies_in(jurisdiction)
            ]
        return candidates[0] if candidates else None

    @cached_property
    def mention_patterns(self) -> tuple[re.Pattern[str], re.Pattern[str]]:
        """Two regexes over every name that may be cited alone: exact-case abbreviations, and
        the rest case-insensitively; words may be split by any whitespace, Georgian ones declined."""
        exact: list[str] = []
        loose: list[str] = []
        seen: set[str] = set()
        names = sorted(
            {(name, inst.mention) for inst in self.instruments for name in self._entry_names[inst.id]}, key=lambda x: -len(x[0])
        )
        for name, mention in names:
            if not mention or name in seen:
                continue
            seen.add(name)
            body = r"\s+".join(re.escape(word) for word in (_stem_ka(name) if _GEORGIAN.search(name) else name).split())
            if _GEORGIAN.search(name):
                body += r"[ა-ჰ]{0,5}"
            (exact if name.isupper() else loose).append(body)
        def build(parts: list[str], flags: int) -> re.Pattern[str]:
            return re.compile(r"(?<![\w-])(?:" + ("|".join(parts) or r"(?!)") + r")(?![\w-])", flags)
        return build(exact, 0), build(loose, re.IGNORECASE)

    # ---- numbers -----------------------------------------------------------------------

    def convention(self, number: str, language: str | None) -> str | None:
        """The corpus document of ILO convention ``number``, in the citing language if held."""
        docs = self.conventions.get(str(int(number))) if number.isdigit() else None
        if not docs:
            return None
        if language in docs:
            return docs[language]
        return next((docs[lang] for lang in self.preference if lang in docs), None)

    def us_code(self, title: str, section: str) -> str | None:
        """The document holding ``title`` U.S.C. § ``section`` ("207", "216b", "158a")."""
        digits = re.match(r"\d+", section)
        if digits is None:
            return None
        number = int(digits.group())
        for span in self.us_code_ranges.get(str(int(title)) if title.isdigit() else title, []):
            if span["first"] <= number <= span["last"]:
                return str(span["doc"])
        return None

    def title_of(self, doc_id: str) -> str | None:
        """The US Code title a document is part of ("this title" in its sections)."""
        return self.us_code_titles.get(doc_id)

    def act_offset(self, doc_id: str | None) -> int | None:
        """For an Act codified in the US Code, what to add to its own section numbers."""
        return self.act_offsets.get(doc_id or "")

    def tesis(self, identifier: str) -> str | None:
        return self.tesis_docs.get(normalize_tesis(identifier))

    def registro(self, number: str) -> tuple[str, str | None] | None:
        """(document, entry article or None) of a registry number the corpus holds."""
        digits = number.replace(",", "").replace(".", "")
        if digits in self.registro_docs:
            return self.registro_docs[digits], None
        if digits.isdigit():
            for span in self.registro_entries:
                if span["first"] <= int(digits) <= span["last"]:
                    return str(span["doc"]), digits
        return None


def normalize_tesis(identifier: str) -> str:
    """'2a./J.  30/2004' and '2a./J. 30/2004' are the same tesis."""
    return re.sub(r"\s+", "", identifier)


def _declined(word: str, stem: str) -> bool:
    """``word`` is ``stem`` with at most a case ending ("კოდექს" + "ის")."""
    return word.startswith(stem) and len(word) - len(stem) <= 5 and bool(re.fullmatch(r"[ა-ჰ]*", word[len(stem) :]))


def _stem_ka(name: str) -> str:
    """A Georgian name without its nominative ending, so declined forms match."""
    return name.removesuffix("ი")


@lru_cache(maxsize=4)
def load_aliases(path: Path = ALIASES_PATH) -> AliasTable:
    data = json.loads(path.read_text(encoding="utf-8"))
    return AliasTable(data)
