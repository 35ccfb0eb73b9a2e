"""Load the per-language structure patterns from ``patterns.json``.

The patterns are data, not code, so that a new heading style seen in a corpus file is one
JSON line and a test-table row, not a change to the splitter's logic.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

PATTERNS_FILE = "patterns.json"


@dataclass(frozen=True, slots=True)
class UnitPattern:
    """A regex that marks the start of a citable unit, and the unit it starts."""

    name: str
    regex: re.Pattern[str]
    unit: str = "article"


@dataclass(frozen=True, slots=True)
class HeadingPattern:
    """A structural heading (book, title, chapter…); level orders them, -1 means markdown."""

    name: str
    level: int
    regex: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class WrapperRules:
    """How to name articles of a law that wraps an embedded instrument (a ratification law)."""

    titles: tuple[re.Pattern[str], ...]
    title_format: str
    default: str
    label: str


@dataclass(frozen=True, slots=True)
class TransitionalRules:
    """Zones after the body of a law: its own transitional articles and reform decrees."""

    law_transitional: re.Pattern[str]
    decree_group: re.Pattern[str]
    decree_start: re.Pattern[str]
    decree_published: re.Pattern[str]
    decree_title_max_lines: int
    ordinal_heading: re.Pattern[str]
    date: re.Pattern[str]
    months: dict[str, int]
    ordinals: dict[str, int]
    ordinal_ignore: frozenset[str]
    sole: dict[str, str]
    labels: dict[str, str]


@dataclass(frozen=True, slots=True)
class LanguagePatterns:
    code: str
    articles: tuple[UnitPattern, ...]
    headings: tuple[HeadingPattern, ...]
    quote_introducers: tuple[UnitPattern, ...] = ()
    inline_articles: tuple[UnitPattern, ...] = ()
    instrument_markers: tuple[re.Pattern[str], ...] = ()
    reject_rest: re.Pattern[str] | None = None
    reject_title: re.Pattern[str] | None = None
    heading_name_reject: re.Pattern[str] | None = None
    wrapper: WrapperRules | None = None
    suffix_words: dict[str, str] = field(default_factory=dict)
    transitional: TransitionalRules | None = None


@dataclass(frozen=True, slots=True)
class CommonPatterns:
    boundaries: tuple[re.Pattern[str], ...]
    furniture: tuple[re.Pattern[str], ...]
    furniture_min_repeats: int
    registry_entry: re.Pattern[str]
    orphan_min_chars: int
    heading_name_max_chars: int
    heading_name_max_blank_lines: int
    passage_min_chars: int
    passage_max_chars: int
    passage_tail_min_chars: int
    preamble_split_chars: int
    duplicate_label: str
    sentence_break: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class PatternSet:
    common: CommonPatterns
    languages: dict[str, LanguagePatterns]


def _expand(regex: str, macros: dict[str, str]) -> str:
    for name, value in macros.items():
        regex = regex.replace(f"<<{name}>>", value)
    return regex


def _optional(regex: str | None, macros: dict[str, str]) -> re.Pattern[str] | None:
    return re.compile(_expand(regex, macros)) if regex else None


def _units(items: list[dict[str, Any]], macros: dict[str, str]) -> tuple[UnitPattern, ...]:
    return tuple(
        UnitPattern(i["name"], re.compile(_expand(i["regex"], macros)), i.get("unit", "article"))
        for i in items
    )


def _transitional(raw: dict[str, Any], macros: dict[str, str]) -> TransitionalRules:
    def rx(key: str) -> re.Pattern[str]:
        return re.compile(_expand(raw[key], macros))

    return TransitionalRules(
        law_transitional=rx("law_transitional"),
        decree_group=rx("decree_group"),
        decree_start=rx("decree_start"),
        decree_published=rx("decree_published"),
        decree_title_max_lines=int(raw["decree_title_max_lines"]),
        ordinal_heading=rx("ordinal_heading"),
        date=rx("date"),
        months=dict(raw["months"]),
        ordinals=dict(raw["ordinals"]),
        ordinal_ignore=frozenset(raw.get("ordinal_ignore", ())),
        sole=dict(raw.get("sole", {})),
        labels=dict(raw["labels"]),
    )


def _language(code: str, raw: dict[str, Any], macros: dict[str, str]) -> LanguagePatterns:
    wrapper = raw.get("wrapper")
    return LanguagePatterns(
        code=code,
        articles=_units(raw["articles"], macros),
        headings=tuple(
            HeadingPattern(h["name"], int(h["level"]), re.compile(_expand(h["regex"], macros)))
            for h in raw.get("headings", ())
        ),
        quote_introducers=_units(raw.get("quote_introducers", []), macros),
        inline_articles=_units(raw.get("inline_articles", []), macros),
        instrument_markers=tuple(
            re.compile(_expand(m["regex"], macros)) for m in raw.get("instrument_markers", ())
        ),
        reject_rest=_optional(raw.get("reject_rest"), macros),
        reject_title=_optional(raw.get("reject_title"), macros),
        heading_name_reject=_optional(raw.get("heading_name_reject"), macros),
        wrapper=WrapperRules(
            titles=tuple(re.compile(_expand(t, macros)) for t in wrapper["titles"]),
            title_format=wrapper["title_format"],
            default=wrapper["default"],
            label=wrapper["label"],
        )
        if wrapper
        else None,
        suffix_words={k.lower(): v for k, v in raw.get("label", {}).get("suffix_words", {}).items()},
        transitional=_transitional(raw["transitional"], macros) if raw.get("transitional") else None,
    )


def parse_patterns(data: dict[str, Any]) -> PatternSet:
    """Compile a patterns document; separate from loading so tests can feed their own."""
    macros: dict[str, str] = data.get("macros", {})
    c = data["common"]
    common = CommonPatterns(
        boundaries=tuple(re.compile(_expand(b["regex"], macros)) for b in c["boundaries"]),
        furniture=tuple(re.compile(_expand(f, macros)) for f in c["furniture"]),
        furniture_min_repeats=int(c["furniture_min_repeats"]),
        registry_entry=re.compile(_expand(c["registry_entry"], macros)),
        orphan_min_chars=int(c["orphan_min_chars"]),
        heading_name_max_chars=int(c["heading_name_max_chars"]),
        heading_name_max_blank_lines=int(c["heading_name_max_blank_lines"]),
        passage_min_chars=int(c["passage_min_chars"]),
        passage_max_chars=int(c["passage_max_chars"]),
        passage_tail_min_chars=int(c["passage_tail_min_chars"]),
        preamble_split_chars=int(c["preamble_split_chars"]),
        duplicate_label=c["duplicate_label"],
        sentence_break=re.compile(c["sentence_break"]),
    )
    languages = {
        code: _language(code, raw, macros) for code, raw in data["languages"].items()
    }
    return PatternSet(common=common, languages=languages)


@lru_cache(maxsize=4)
def load_patterns(path: str | None = None) -> PatternSet:
    """The packaged pattern set (or one from ``path``), compiled once per process."""
    if path is not None:
        text = Path(path).read_text(encoding="utf-8")
    else:
        text = resources.files(__package__).joinpath(PATTERNS_FILE).read_text(encoding="utf-8")
    return parse_patterns(json.loads(text))
