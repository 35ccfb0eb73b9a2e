"""Zones after a law's body: its transitional articles and the reform decrees.

Their numbering restarts ("Artículo 1o.-", "Primero.-", "ARTÍCULO ÚNICO.-" in every decree),
so their labels carry the zone and the decree's publication date to stay unique and
citable ("Transitorio 1 (DOF 27-12-2022)").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from ingest.structure.labels import decree_date
from ingest.structure.lines import Line
from ingest.structure.patterns import TransitionalRules


class Zone(Enum):
    BODY = "body"
    LAW_TRANSITIONAL = "law_transitional"  # the law's own "TRANSITORIOS"
    DECREE_GROUP = "decree_group"  # "ARTÍCULOS TRANSITORIOS DE DECRETOS DE REFORMA"
    DECREE = "decree"  # a decree's own articles
    DECREE_TRANSITIONAL = "decree_transitional"  # a decree's "TRANSITORIOS"


@dataclass(frozen=True, slots=True)
class DecreeHeader:
    title: str  # the title lines joined, publication line included
    date: str | None  # "23-01-1998"
    last_line: int  # index of the header's last line


def read_decree_header(
    lines: list[Line], i: int, rules: TransitionalRules, stops: Callable[[str], bool]
) -> DecreeHeader:
    """The title of the decree starting at line ``i``: up to its 'Publicado en el DOF el …' line.

    Without a publication line within reach, only the first line is the title: better a
    short heading than swallowing the decree's first article.
    """
    title = [lines[i].text]
    for k in range(i, min(len(lines), i + rules.decree_title_max_lines + 1)):
        text = lines[k].text
        if k > i:
            if not text:
                continue
            if stops(text):
                break
            title.append(text)
        m = rules.decree_published.search(text)
        if m:
            return DecreeHeader(" ".join(title), decree_date(m.group("date"), rules), k)
    return DecreeHeader(lines[i].text, None, i)


def decree_key(date: str | None, seen: dict[str, int], rules: TransitionalRules) -> str:
    """'DOF 28-04-2022', then 'DOF 28-04-2022 #2' for a second decree of the same day.

    ``seen`` counts keys already given in this document and is updated.
    """
    labels = rules.labels
    base = labels["decree_key"].format(date=date) if date else labels["decree_key_undated"].format(index=len(seen) + 1)
    seen[base] = seen.get(base, 0) + 1
    return base if seen[base] == 1 else labels["decree_key_repeat"].format(key=base, n=seen[base])


def transitional_label(zone: Zone, number: str, key: str, rules: TransitionalRules) -> str:
    labels = rules.labels
    if zone is Zone.DECREE:
        return labels["decree_article"].format(key=key, n=number)
    if zone is Zone.DECREE_TRANSITIONAL:
        return labels["decree_transitional"].format(key=key, n=number)
    return labels["law"].format(n=number)
