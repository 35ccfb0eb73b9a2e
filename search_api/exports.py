"""Result lists to take away: CSV for spreadsheets, CSL-JSON for reference managers.

CSL-JSON is the citation data format of the Citation Style Language (schema:
https://github.com/citation-style-language/schema, ``schemas/input/csl-data.json``), which
Zotero, Mendeley, Pandoc and citeproc read. Statutes, conventions and treaties are
``legislation`` (a treaty ``treaty``), rulings ``legal_case``; the provision goes in ``section``,
the practitioners' citation in ``note``, the snippet in ``abstract``, the permanent link in
``URL``. Every row and item carries a link back to the provision (docs/api.md: stable links).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from search_api.search import SearchHit

FORMATS: tuple[str, ...] = ("json", "csv", "csl-json")
MEDIA_TYPES: dict[str, str] = {"csv": "text/csv; charset=utf-8", "csl-json": "application/vnd.citationstyles.csl+json"}
CSV_COLUMNS: tuple[str, ...] = (
    "rank", "citation", "short_citation", "title", "doc_id", "article", "jurisdiction", "language", "kind", "date",
    "snippet", "score", "link", "ui_link", "column",
)
_CSL_TYPES: dict[str, str] = {
    "statute": "legislation", "convention": "legislation", "treaty": "treaty", "case_law": "legal_case",
    "case_law_index": "legal_case",
}
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def provision_path(doc_id: str, article: str) -> str:
    """The API's permanent path of a provision (the article URL-encoded: "22%20Bis")."""
    return f"/documents/{quote(doc_id, safe='')}/provisions/{quote(article, safe='')}"


def ui_path(doc_id: str, article: str) -> str:
    """The query string the Streamlit interface opens a provision from (ui.state)."""
    return "?" + urlencode({"doc": doc_id, "article": article})


def _field(hit: SearchHit | dict[str, Any], name: str) -> Any:
    return hit.get(name) if isinstance(hit, dict) else getattr(hit, name)


def hit_record(hit: SearchHit | dict[str, Any], rank: int, base_url: str, ui_url: str | None, column: str = "") -> dict[str, Any]:
    """One result as a flat record: what a citation, a spreadsheet row and a link back need."""
    doc_id, article = str(_field(hit, "doc_id")), str(_field(hit, "article"))
    return {
        "rank": rank,
        "citation": _field(hit, "formal_citation") or _field(hit, "citation"),
        "short_citation": _field(hit, "citation"),
        "title": _field(hit, "title"),
        "doc_id": doc_id,
        "article": article,
        "jurisdiction": _field(hit, "jurisdiction") or "",
        "language": _field(hit, "language") or "",
        "kind": _field(hit, "kind") or "",
        "date": _field(hit, "date") or "",
        "snippet": " ".join(str(_field(hit, "snippet") or "").split()),
        "score": round(float(_field(hit, "score") or 0.0), 6),
        "link": base_url.rstrip("/") + provision_path(doc_id, article),
        "ui_link": (ui_url.rstrip("/") + "/" + ui_path(doc_id, article)) if ui_url else ui_path(doc_id, article),
        "column": column,
    }


def to_csv(records: Iterable[dict[str, Any]]) -> str:
    """RFC 4180 CSV (csv module quoting; line breaks inside snippets stay quoted)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(CSV_COLUMNS), extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()


def _date_parts(raw: str) -> dict[str, Any] | None:
    match = _DATE.match(raw or "")
    if not match:
        return None
    return {"date-parts": [[int(part) for part in match.groups() if part]]}


def csl_item(record: dict[str, Any]) -> dict[str, Any]:
    """One record as a CSL-JSON item (only variables of csl-data.json)."""
    item: dict[str, Any] = {
        "id": f"{record['doc_id']}:{record['article']}",
        "type": _CSL_TYPES.get(record["kind"], "legislation"),
        "title": record["citation"],
        "container-title": record["title"],
        "section": record["article"],
        "jurisdiction": record["jurisdiction"],
        "language": record["language"],
        "abstract": record["snippet"],
        "note": f"{record['short_citation']}; laborlex rank {record['rank']}" + (f"; {record['column']}" if record["column"] else ""),
        "URL": record["link"],
    }
    issued = _date_parts(record["date"])
    if issued:
        item["issued"] = issued
    return {key: value for key, value in item.items() if value not in ("", None)}


def to_csl_json(records: Iterable[dict[str, Any]]) -> str:
    return json.dumps([csl_item(r) for r in records], ensure_ascii=False, indent=1)


def search_records(hits: Sequence[SearchHit | dict[str, Any]], base_url: str, ui_url: str | None, offset: int = 0) -> list[dict[str, Any]]:
    return [hit_record(hit, offset + i, base_url, ui_url) for i, hit in enumerate(hits, start=1)]


def compare_records(
    columns: Sequence[tuple[str, Sequence[SearchHit | dict[str, Any]]]], base_url: str, ui_url: str | None
) -> list[dict[str, Any]]:
    """The compare view: each column's results, ranked within their column."""
    return [hit_record(hit, i, base_url, ui_url, column) for column, hits in columns for i, hit in enumerate(hits, start=1)]


def render(records: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "csv":
        return to_csv(records)
    if fmt == "csl-json":
        return to_csl_json(records)
    raise ValueError(f"unknown export format {fmt!r}")
