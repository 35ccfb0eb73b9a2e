"""Citation patterns, loaded from ``patterns.json`` and compiled once.

The regular expressions are data so that a lawyer-reviewer can read and extend them next to
their tests (tests/laborlex_core/citations), without touching the extraction code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

PATTERNS_PATH = Path(__file__).with_name("patterns.json")
_MACRO = re.compile(r"<<([A-Z_]+)>>")


@dataclass(frozen=True, slots=True)
class NamedPattern:
    """One compiled pattern and what a match means (``scope``, a fixed ``instrument``, a ``lookup``)."""

    name: str
    regex: re.Pattern[str]
    scope: str | None = None
    instrument: str | None = None
    lookup: str | None = None


@dataclass(frozen=True, slots=True)
class LanguagePatterns:
    references: tuple[NamedPattern, ...]
    self_article: tuple[NamedPattern, ...]
    number: re.Pattern[str]
    range_separator: re.Pattern[str]
    scopes_after: tuple[NamedPattern, ...]
    scopes_before: tuple[NamedPattern, ...]
    instruments: tuple[NamedPattern, ...]


def expand(regex: str, macros: dict[str, str]) -> str:
    """Replace ``<<NAME>>`` by its macro, repeatedly (macros may use macros)."""
    for _ in range(10):
        expanded = _MACRO.sub(lambda m: macros[m.group(1)], regex)
        if expanded == regex:
            return expanded
        regex = expanded
    raise ValueError(f"macros nest too deeply in {regex[:80]!r}")


def _compile_list(entries: list[dict[str, Any]], macros: dict[str, str]) -> tuple[NamedPattern, ...]:
    return tuple(
        NamedPattern(
            name=e["name"],
            regex=re.compile(expand(e["regex"], macros)),
            scope=e.get("scope"),
            instrument=e.get("instrument"),
            lookup=e.get("lookup"),
        )
        for e in entries
    )


def compile_patterns(data: dict[str, Any]) -> dict[str, LanguagePatterns]:
    macros: dict[str, str] = data["macros"]
    compiled: dict[str, LanguagePatterns] = {}
    for language, spec in data["languages"].items():
        compiled[language] = LanguagePatterns(
            references=_compile_list(spec["references"], macros),
            self_article=_compile_list(spec.get("self_article", []), macros),
            number=re.compile(expand(spec["number"], macros)),
            range_separator=re.compile(expand(spec["range_separator"], macros)),
            scopes_after=_compile_list(spec.get("scopes_after", []), macros),
            scopes_before=_compile_list(spec.get("scopes_before", []), macros),
            instruments=_compile_list(spec.get("instruments", []), macros),
        )
    return compiled


@lru_cache(maxsize=4)
def load_patterns(path: Path = PATTERNS_PATH) -> dict[str, LanguagePatterns]:
    """Compiled patterns per language ("es", "ka", "en")."""
    return compile_patterns(json.loads(path.read_text(encoding="utf-8")))
