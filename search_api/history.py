"""Amendment history at query time: the law as of a date, what a reform changed, a
provision's timeline.

The events were read at ingest (``ingest.amendments``) and travel as passage meta:
``added_on``, ``repealed_on``, ``amended_on`` and ``amendment_dates`` (plus the events). The
filters here are Haystack filter dictionaries, so both backends apply them with their
existing machinery (SQL / numpy masks in the embedded store, range queries in OpenSearch):

* ``as_of=D``: provisions added after D are left out, and so are provisions repealed on or
  before D; a provision amended (or repealed) after D stays, and its hit says so, because
  the text shown is the current one, not the one in force on D;
* ``amended_after=A`` / ``amended_before=B``: provisions with an amendment dated within
  [A, B] (either bound open), one range over all of a provision's dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from laborlex_core.passage_text import citation
from laborlex_core.store.base import SearchBackend
from laborlex_core.store.filters import AMENDMENT_DATES_FIELD, combine
from search_api.reading import provision_passages

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class HistoryParamError(ValueError):
    """A history parameter that cannot be read; ``field`` names it for the 4xx answer."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _calendar(field: str, raw: str, year: str, month: str | None, day: str | None) -> str | None:
    """The day, checked; a day past the month's end (``2021-02-30``) is the month's last day,
    as ``date_from``/``date_to`` read it, so one rule holds for every date parameter."""
    if not 1 <= int(month or 1) <= 12 or (day is not None and not 1 <= int(day) <= 31) or int(year) < 1:
        raise HistoryParamError(field, f"{raw!r} is not a calendar date")
    if day is not None and month is not None:
        return f"{min(int(day), _month_end(int(year), int(month))):02d}"
    return day


def parse_day(field: str, raw: str | None) -> str | None:
    """``as_of`` is one day: YYYY-MM-DD."""
    if raw is None or not raw.strip():
        return None
    value = raw.strip()
    if not _DAY.match(value):
        raise HistoryParamError(field, "expected a date as YYYY-MM-DD")
    year, month, day = value.split("-")
    return f"{year}-{month}-{_calendar(field, value, year, month, day)}"


def parse_bound(field: str, raw: str | None, upper: bool) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD; a period is taken whole (``amended_before=2019`` is up to
    2019-12-31, ``amended_after=2019`` from 2019-01-01), both bounds inclusive."""
    if raw is None or not raw.strip():
        return None
    value = raw.strip()
    match = _PERIOD.match(value)
    if not match:
        raise HistoryParamError(field, "expected a date as YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    day = _calendar(field, value, year, month, day)
    if upper:
        last = 31 if not month else _month_end(int(year), int(month))
        return f"{year}-{month or '12'}-{day or f'{last:02d}'}"
    return f"{year}-{month or '01'}-{day or '01'}"


def _month_end(year: int, month: int) -> int:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return (following.toordinal() - date(year, month, 1).toordinal())


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """The history parameters of one search, checked."""

    as_of: str | None = None
    amended_after: str | None = None
    amended_before: str | None = None

    @classmethod
    def parse(cls, as_of: str | None, amended_after: str | None, amended_before: str | None) -> HistoryQuery:
        query = cls(
            parse_day("as_of", as_of),
            parse_bound("amended_after", amended_after, upper=False),
            parse_bound("amended_before", amended_before, upper=True),
        )
        return query  # amended_after later than amended_before: an empty range, as with date_from/date_to

    @property
    def filter(self) -> dict[str, Any] | None:
        return combine(as_of_filter(self.as_of), amended_filter(self.amended_after, self.amended_before))


def as_of_filter(as_of: str | None) -> dict[str, Any] | None:
    """Provisions that existed on ``as_of``: added on or before it (or with the original
    text), and not repealed on or before it."""
    if not as_of:
        return None
    return {
        "operator": "AND",
        "conditions": [
            {
                "operator": "OR",
                "conditions": [
                    {"field": "meta.added_on", "operator": "==", "value": None},
                    {"field": "meta.added_on", "operator": "<=", "value": as_of},
                ],
            },
            {
                "operator": "OR",
                "conditions": [
                    {"field": "meta.repealed_on", "operator": "==", "value": None},
                    {"field": "meta.repealed_on", "operator": ">", "value": as_of},
                ],
            },
        ],
    }


def amended_filter(after: str | None, before: str | None) -> dict[str, Any] | None:
    """Provisions with an amendment dated within [after, before] (inclusive; one may be None)."""
    if not after and not before:
        return None
    return {"field": f"meta.{AMENDMENT_DATES_FIELD}", "operator": "between", "value": [after, before]}


def changed_since(hit: Any, as_of: str | None) -> list[str]:
    """Dates after ``as_of`` on which the provision (a ``SearchHit``) changed: the text shown
    is not the one in force on ``as_of``. A statute without notes counts its version's date
    from the manifest (a full date only: a year says too little)."""
    if not as_of:
        return []
    dates = [d for d in hit.amendment_dates if d > as_of]
    if hit.history_source == "manifest" and hit.kind == "statute":
        version = str(hit.date or "")
        if len(version) == 10 and version > as_of:
            dates.append(version)
    return sorted(set(dates))


def annotate(hits: list[Any], as_of: str | None) -> list[Any]:
    """Mark, on each hit, what changed after ``as_of`` (nothing without it)."""
    for hit in hits:
        hit.changed_after_as_of = changed_since(hit, as_of)
    return hits


def provision_history(store: SearchBackend, doc_id: str, article: str) -> dict[str, Any] | None:
    """A provision's timeline (oldest first) and where it stands, or None when it is not indexed."""
    passages = provision_passages(store, doc_id, article)
    if not passages:
        return None
    meta = passages[0].meta
    events = [dict(e) for e in meta.get("amendments") or []]
    return {
        "provision": {"doc_id": doc_id, "article": article, "citation": citation(meta)},
        "source": meta.get("history_source") or "none",
        "document_date": meta.get("date"),
        "added_on": meta.get("added_on"),
        "amended_on": meta.get("amended_on"),
        "repealed": bool(meta.get("repealed")),
        "repealed_on": meta.get("repealed_on"),
        "events": events,
    }
