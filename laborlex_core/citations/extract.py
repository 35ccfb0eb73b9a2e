"""Find the citations in a passage and resolve each to a provision of the corpus.

Matching is in three layers, all driven by ``patterns.json``: article references (with the
words around them that say whose article it is: "de esta Ley", "ამ კანონის", "of this
title"), references to a part of the citing article itself ("ამ მუხლის მე-2 პუნქტით"), and
instruments or rulings named alone ("Convenio 182", "tesis 2a./J. 30/2004", "FLSA").
Where matches overlap, article references win and the earlier, longer match wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from laborlex_core.citations.aliases import AliasTable, load_aliases
from laborlex_core.citations.patterns import (
    LanguagePatterns,
    NamedPattern,
    load_patterns,
)
from laborlex_core.schema import RULING_KINDS, Citation

# Kinds of document where an article cited without an instrument is the document's own.
SELF_CITING_KINDS: frozenset[str | None] = frozenset({"statute", "convention", "treaty", None})
MAX_RANGE = 30  # "artículos 66 a 68" is expanded; a longer range keeps its two ends only
SCOPE_LOOKBEHIND = 220  # characters before a reference searched for its instrument
_CONNECTORS = {"del", "de", "la", "las", "los", "y", "para", "sobre", "el", "en"}
_SUFFIX_WORDS = {"bis": "Bis", "ter": "Ter", "quater": "Quáter", "quáter": "Quáter", "quinquies": "Quinquies", "sexies": "Sexies"}
_CONVENTION_NAME = re.compile(r"(?:Convenio|Convention)\D{0,12}?(\d{1,3})\b")
_HEADING_PREFIX = " \t#*>"
_HEADING_END = re.compile(r"\s*(?:[.:–—-]|$)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class CitingContext:
    """Who cites: the passage's document, article, language, jurisdiction and kind."""

    doc_id: str
    article: str
    language: str | None
    jurisdiction: str | None = None
    kind: str | None = None


@dataclass(slots=True)
class _Target:
    doc: str | None
    instrument: str | None
    article: str | None = None  # when the instrument numbers its articles otherwise than the corpus


@dataclass(slots=True)
class _Group:
    """The citations of one match, and the stretch of text they claim."""

    start: int
    end: int
    priority: int
    citations: list[Citation]


def extract_citations(
    text: str,
    context: CitingContext,
    patterns: dict[str, LanguagePatterns] | None = None,
    aliases: AliasTable | None = None,
) -> list[Citation]:
    """Citations in ``text`` in reading order, resolved where the corpus holds the target."""
    patterns = patterns or load_patterns()
    aliases = aliases or load_aliases()
    spec = patterns.get(context.language or "")
    if spec is None or not text:
        return []
    groups: list[_Group] = []
    for pattern in spec.references:
        for match in pattern.regex.finditer(text):
            group = _reference_group(text, match, pattern, spec, context, aliases)
            if group is not None:
                groups.append(group)
    for pattern in spec.self_article:
        for match in pattern.regex.finditer(text):
            citation = Citation(
                text=match.group(0), start=match.start(), end=match.end(), kind="provision",
                target_doc=context.doc_id, target_article=context.article, detail=_clean(match.group("part")),
            )
            groups.append(_Group(match.start(), match.end(), 0, [citation]))
    for pattern in spec.instruments:
        for match in pattern.regex.finditer(text):
            citation = _instrument_citation(match, pattern, context, aliases)
            if citation is not None:
                groups.append(_Group(match.start(), match.end(), 1, [citation]))
    for regex in aliases.mention_patterns:
        for match in regex.finditer(text):
            instrument = aliases.instrument(match.group(0), context.jurisdiction)
            if instrument is None:
                continue
            citation = Citation(
                text=match.group(0), start=match.start(), end=match.end(), kind="instrument",
                target_doc=instrument.doc_for(context.language), instrument=instrument.name,
            )
            groups.append(_Group(match.start(), match.end(), 2, [citation]))
    kept = _without_overlaps(groups)
    citations = [c for g in kept for c in g.citations if not _cites_itself(c, context)]
    return sorted(citations, key=lambda c: (c.start, c.end))


# ---- article references --------------------------------------------------------------------


def _reference_group(
    text: str, match: re.Match[str], pattern: NamedPattern, spec: LanguagePatterns, context: CitingContext, aliases: AliasTable
) -> _Group | None:
    if _is_heading(text, match, spec, context):
        return None
    start, end = match.start(), match.end()
    scope, scope_name, title = pattern.scope, None, _group(match, "title")
    fixed: str | None = None
    if scope is None:
        for after in spec.scopes_after:
            found = after.regex.match(text, end)
            if found:
                scope, scope_name, fixed = after.scope, _group(found, "name"), after.instrument
                title = _group(found, "title") or title
                if scope == "named" and scope_name and _bare_instrument_word(scope_name):
                    continue  # "de la Ley de la materia": no name, look further
                end = found.end()
                if scope_name:
                    scope_name = _name_for(scope_name, aliases, context.jurisdiction)
                    end = _end_of_words(found, "name", len(scope_name.split()))
                break
    if scope is None:
        window_start = max(0, start - SCOPE_LOOKBEHIND)
        before = text[window_start:start]
        for prior in spec.scopes_before:
            found = prior.regex.search(before)
            if found:
                scope, scope_name, fixed = prior.scope, _group(found, "name"), prior.instrument
                title = _group(found, "title") or title
                start = window_start + found.start()
                break
    numbers = _numbers(match, spec)
    if not numbers:
        return None
    detail = " ".join(p for p in (_part(_group(match, "pre")), _part(_group(match, "post"))) if p) or None
    citations: list[Citation] = []
    for i, (label, sub, n_start, n_end) in enumerate(numbers):
        target = _resolve_article(label, scope, scope_name or fixed, title, context, aliases)
        c_start = start if i == 0 else _with_section_sign(text, n_start)
        c_end = end if i == len(numbers) - 1 else n_end
        if len(numbers) == 1:
            c_start, c_end = start, end
        part = detail if len(numbers) == 1 else None
        if sub:
            part = _clean(" ".join(p for p in (part, sub) if p))
        citations.append(
            Citation(
                text=text[c_start:c_end], start=c_start, end=c_end, kind="provision",
                target_doc=target.doc, target_article=(target.article or label) if target.doc else None,
                instrument=target.instrument, detail=part or None,
            )
        )
    return _Group(start, end, 0, citations)


def _numbers(match: re.Match[str], spec: LanguagePatterns) -> list[tuple[str, str, int, int]]:
    """(label, sub-division, start, end) per article of the reference, ranges expanded."""
    nums_text, offset = match.group("nums"), match.start("nums")
    found = list(spec.number.finditer(nums_text))
    result: list[tuple[str, str, int, int]] = []
    previous: re.Match[str] | None = None
    for m in found:
        label, sub = _label(m)
        if label is None:
            continue
        if previous is not None and spec.range_separator.match(nums_text[previous.end() : m.start()]):
            low, high = _label(previous)[0], label
            if low and low.isdigit() and high.isdigit() and 0 < int(high) - int(low) <= MAX_RANGE:
                for n in range(int(low) + 1, int(high)):
                    result.append((str(n), "", offset + previous.start(), offset + m.end()))
        result.append((label, sub, offset + m.start(), offset + m.end()))
        previous = m
    return result


def _label(m: re.Match[str]) -> tuple[str | None, str]:
    """The article label as provisions are labelled ("22 Bis", "330-A", "3^1", "213") and any
    sub-division written after it ("(a)(1)")."""
    groups = m.groupdict()
    if groups.get("word"):
        return "1", ""
    number = groups.get("n") or groups.get("n2") or groups.get("n3")
    if not number:
        return None, ""
    if "." in number or not number.isdigit():  # "23.1", "216b"
        head = re.match(r"\d+", number)
        label = str(int(head.group())) + number[head.end() :] if head else number
    else:
        label = str(int(number))
    sup = groups.get("sup") or groups.get("sup2") or groups.get("sup3")
    if sup:
        label += f"^{sup}"
    label += groups.get("letters") or ""
    suffix = groups.get("suffix")
    if suffix:
        label += " " + _SUFFIX_WORDS.get(suffix.lower(), suffix.capitalize())
    return label, groups.get("sub") or ""


def _resolve_article(
    label: str, scope: str | None, name: str | None, title: str, context: CitingContext, aliases: AliasTable
) -> _Target:
    if scope == "self":
        own = context.kind not in RULING_KINDS
        return _Target(context.doc_id if own else None, None)
    if scope == "named":
        target = _named(name or "", context, aliases)
        offset = aliases.act_offset(target.doc)
        if offset is not None and label.isdigit() and int(label) < 100:
            # "section 7 of the Fair Labor Standards Act" is 29 U.S.C. § 207, as the corpus labels it
            target.article = str(offset + int(label))
        return target
    if scope == "unknown":  # "su artículo 12": the article of an instrument named before
        return _Target(None, None)
    if scope == "this_title":
        own_title = aliases.title_of(context.doc_id)
        if own_title is None:
            return _Target(None, None)
        return _Target(aliases.us_code(own_title, label), f"{own_title} U.S.C.")
    if scope == "us_code":
        return _Target(aliases.us_code(title, label), f"{title} U.S.C.")
    # No instrument said: the citing document's own article, except in rulings (whose
    # articles are always someone else's) and in US Code titles (sections are the title's).
    own_title = aliases.title_of(context.doc_id)
    if own_title is not None:
        return _Target(aliases.us_code(own_title, label), None)
    if context.kind in SELF_CITING_KINDS:
        return _Target(context.doc_id, None)
    return _Target(None, None)


def _name_for(name: str, aliases: AliasTable, jurisdiction: str | None) -> str:
    """The instrument's name without the words the pattern took after it."""
    name = _trim_name(name)
    if name.isupper():  # a rubro in capitals: the name ends where the sentence goes on
        name = _caps_name(name, aliases, jurisdiction)
    return name


def _end_of_words(match: re.Match[str], group: str, words: int) -> int:
    """Where the first ``words`` words of ``group`` end in the text."""
    pieces = list(re.finditer(r"\S+", match.group(group)))
    return match.start(group) + pieces[min(words, len(pieces)) - 1].end() if pieces else match.end()


def _named(name: str, context: CitingContext, aliases: AliasTable) -> _Target:
    name = _trim_name(name)
    convention = _CONVENTION_NAME.search(name)
    if convention:
        return _Target(aliases.convention(convention.group(1), context.language), f"C{int(convention.group(1)):03d}")
    instrument = aliases.instrument(name, context.jurisdiction)
    if instrument is None:
        return _Target(None, name)
    return _Target(instrument.doc_for(context.language), instrument.name)


# ---- instruments and rulings named alone -------------------------------------------------


def _instrument_citation(match: re.Match[str], pattern: NamedPattern, context: CitingContext, aliases: AliasTable) -> Citation | None:
    text, start, end = match.group(0), match.start(), match.end()
    if pattern.lookup == "convention":
        number = match.group("num")
        return Citation(text, start, end, "instrument", aliases.convention(number, context.language), None, f"C{int(number):03d}")
    if pattern.lookup == "tesis":
        identifier = _clean(match.group("id"))
        return Citation(text, start, end, "ruling", aliases.tesis(identifier), None, f"tesis {identifier}")
    if pattern.lookup == "registro":
        number = match.group("num").replace(",", "")
        found = aliases.registro(number)
        doc, article = found if found else (None, None)
        return Citation(text, start, end, "ruling", doc, article, f"registro {number}")
    if pattern.lookup == "alias":
        name = match.group("name")
        instrument = aliases.instrument(name, context.jurisdiction)
        if instrument is None:
            return Citation(text, start, end, "instrument", None, None, _clean(name))
        return Citation(text, start, end, "instrument", instrument.doc_for(context.language), None, instrument.name)
    return None


# ---- helpers -------------------------------------------------------------------------------


def _is_heading(text: str, match: re.Match[str], spec: LanguagePatterns, context: CitingContext) -> bool:
    """The provision's own heading ("Artículo 47.-", "#### § 207.", "Article 2 1.") is no citation."""
    keyword = _group(match, "kw").strip()
    if not keyword or not (keyword[0].isupper() or keyword.startswith("§")) or _group(match, "pre"):
        return False
    start = match.start("kw")
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip(_HEADING_PREFIX):
        return False
    if _HEADING_END.match(text, match.end("nums")):
        return True  # "Artículo 47.-", "§ 207. Maximum hours", "Article 3" alone on its line
    first = next(iter(_numbers(match, spec)), None)
    return first is not None and first[0] == context.article


def _cites_itself(citation: Citation, context: CitingContext) -> bool:
    """Naming the citing document itself ("el presente Convenio", "Registro digital" of the entry)."""
    if citation.kind == "provision" or citation.target_doc != context.doc_id:
        return False
    return citation.target_article in (None, context.article)


def _without_overlaps(groups: list[_Group]) -> list[_Group]:
    kept: list[_Group] = []
    for group in sorted(groups, key=lambda g: (g.priority, g.start, -(g.end - g.start))):
        if all(group.end <= k.start or group.start >= k.end for k in kept):
            kept.append(group)
    return kept


def _group(match: re.Match[str], name: str) -> str:
    try:
        return match.group(name) or ""
    except IndexError:
        return ""


def _clean(value: str | None) -> str:
    return " ".join((value or "").replace(",", " ").split()) if value else ""


_PART_EDGES = re.compile(r"^(?:(?:la|las|el)\s+)|\s+(?:del?|al)$", re.IGNORECASE)


def _part(value: str) -> str:
    """'la fracción III del' → 'fracción III'."""
    cleaned = _clean(value)
    while True:
        trimmed = _PART_EDGES.sub("", cleaned).strip()
        if trimmed == cleaned:
            return cleaned
        cleaned = trimmed


def _with_section_sign(text: str, start: int) -> int:
    """A listed section keeps its own '§' ("§ 207 and § 213")."""
    before = text[max(0, start - 3) : start]
    sign = before.rfind("§")
    return start - (len(before) - sign) if sign >= 0 else start


def _trim_name(name: str) -> str:
    words = name.split()
    while len(words) > 1 and words[-1].lower() in _CONNECTORS:
        words.pop()
    return " ".join(words)


_CAPS_STOP = {"ES", "NO", "SE", "EN", "PARA", "POR", "QUE", "CUANDO", "AL", "A", "SI", "LO", "LA", "EL", "SU", "ESTA", "AUN"}


def _caps_name(name: str, aliases: AliasTable, jurisdiction: str | None) -> str:
    """The longest known name at the start of a capitalised phrase, else the phrase up to the
    first word that cannot be part of a name ("LEY DE AMPARO ES INCONSTITUCIONAL")."""
    words = name.split()
    for n in range(len(words), 0, -1):
        if aliases.instrument(" ".join(words[:n]), jurisdiction) is not None:
            return " ".join(words[:n])
    kept: list[str] = []
    for word in words:
        if kept and word in _CAPS_STOP:
            break
        kept.append(word)
    return _trim_name(" ".join(kept))


def _bare_instrument_word(name: str) -> bool:
    """'Ley' or 'Código' followed only by connectors names nothing."""
    return len(_trim_name(name).split()) <= 1 and _trim_name(name).lower() in {"ley", "código", "codigo"}
