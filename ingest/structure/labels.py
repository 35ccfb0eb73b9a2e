"""Turn a heading match into the article label users and judgments cite.

Labels follow how the law is cited, not how a line happens to be typeset: "Artículo 3o.
Bis.-" is cited as "3 Bis", "Artículo 1o.-" as "1", "ARTÍCULO 330-A.-" as "330-A".
Georgian "მუხლი 52^1" and US "§ 216b" are kept as printed.
"""

from __future__ import annotations

import re
import unicodedata

from ingest.structure.patterns import TransitionalRules

_SUFFIX_PIECE = re.compile(r"-\s*([A-ZÑ])|([^\W\d_]+)")


def article_label(match: re.Match[str], suffix_words: dict[str, str]) -> str:
    """Label from an article-pattern match: number plus normalised Bis/Ter/-A suffixes.

    The ordinal indicator ("1o", "1º") and a convention's paragraph number ("Artículo 2.1.-"
    is article 2, paragraph 1) are not part of the article's identity and are dropped.
    """
    label = match.group("num")
    suffix = group(match, "letters") + group(match, "suffix")
    for letter, word in _SUFFIX_PIECE.findall(suffix):
        if letter:
            label += f"-{letter}"
        else:
            label += " " + suffix_words.get(word.lower(), word.capitalize())
    return label


def leading_number(label: str) -> int | None:
    m = re.match(r"\d+", label)
    return int(m.group()) if m else None


def fold(word: str) -> str:
    """Lower case without accents, so 'CUADRÁGESIMO' and 'cuadragésimo' compare equal."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def ordinal_value(words: str, rules: TransitionalRules) -> str | None:
    """'Décimo Primero' → '11', 'ÚNICO' → 'Único'; None when the words are not an ordinal.

    Transitional articles are numbered with ordinal words; numbers make the labels of the
    "Artículo 1o.-" and "Primero.-" styles uniform.
    """
    tokens = [fold(t) for t in words.split()]
    tokens = [t for t in tokens if t not in rules.ordinal_ignore]
    if not tokens:
        return None
    if len(tokens) == 1 and tokens[0] in rules.sole:
        return rules.sole[tokens[0]]
    if not all(t in rules.ordinals for t in tokens):
        return None
    return str(sum(rules.ordinals[t] for t in tokens))


def decree_date(text: str, rules: TransitionalRules) -> str | None:
    """'23 de enero de 1998' → '23-01-1998' (the DOF's own date style)."""
    m = rules.date.search(text)
    if not m:
        return None
    month = rules.months.get(fold(m.group("month")))
    if month is None:
        return None
    return f"{int(m.group('day')):02d}-{month:02d}-{m.group('year')}"


def group(match: re.Match[str], name: str) -> str:
    """A named group's text, '' when the pattern lacks the group or it did not take part."""
    try:
        return match.group(name) or ""
    except IndexError:
        return ""


def unique_labels(labels: list[str], template: str) -> list[str]:
    """Make labels unique in document order; repeats become e.g. '3 [2]'.

    Repeats happen in excerpt files where two fragments give the same article; the first
    keeps the printed label so citations still resolve to it.
    """
    seen: set[str] = set()
    out: list[str] = []
    for label in labels:
        candidate = label
        n = 2
        while candidate in seen:
            candidate = template.format(label=label, n=n)
            n += 1
        seen.add(candidate)
        out.append(candidate)
    return out
