"""The evaluation report: chart, page and raw JSON from real evaluate() outputs."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image
import pytest
from typer.testing import CliRunner

from laborlex_core.settings import Settings, get_settings
from search_api.eval_report import matches, rank_class, write_report
from search_api.evaluation import Judged, evaluate

JUDGMENTS = [
    Judged("q1", "es", "horas extra", (("lft", "67"),)),
    Judged("q2", "en", "overtime <script>alert(1)</script>", (("lft", "67"), ("flsa", "207"))),
    Judged("q3", "ka", "ზეგანაკვეთური სამუშაო", (("ruling", "*"),)),
    Judged("q4", "es", "nada", (("lft", "1"),)),
]
LANGS = {"lft": "es", "flsa": "en", "ruling": "es", "x": "en"}
# keyword mode: q1 first, q2 at rank 3, q3 missed, q4 returns nothing
BM25 = {
    "horas extra": [("lft", "67"), ("x", "1")],
    "overtime <script>alert(1)</script>": [("x", "1"), ("x", "2"), ("flsa", "207")],
    "ზეგანაკვეთური სამუშაო": [("x", "9")],
    "nada": [],
}
# meaning mode: q3 found first through the wildcard judgment, q1 missed beyond rank 10
DENSE = {
    "horas extra": [("x", str(i)) for i in range(12)] + [("lft", "67")],
    "overtime <script>alert(1)</script>": [("flsa", "207")],
    "ზეგანაკვეთური სამუშაო": [("ruling", "4"), ("ruling", "2")],
    "nada": [],
}


@pytest.fixture(scope="module")
def reports() -> dict[str, dict]:
    return {
        "bm25": evaluate(JUDGMENTS, lambda q: BM25[q], LANGS),
        "dense": evaluate(JUDGMENTS, lambda q: DENSE[q], LANGS),
    }


class Cells(HTMLParser):
    """Collects the query table: per row, each cell's text and the rank spans' classes."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self.in_queries = False
        self.cell: list[str] | None = None
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        classes = (dict(attrs).get("class") or "").split()
        if tag == "li" and self.cell is not None:
            self.cell.append(" ")
        if tag == "table":
            self.in_queries = "queries" in classes
        elif self.in_queries and tag == "tr" and "data-missed" in dict(attrs):
            self.rows.append({"cells": [], "ranks": [], "rel": [], "missed": dict(attrs)["data-missed"]})
        elif self.in_queries and self.rows and tag == "td":
            self.cell = []
        elif self.in_queries and self.rows and tag == "span" and "rank" in classes:
            self.rows[-1]["ranks"].append(next(c for c in classes if c != "rank"))
        elif self.in_queries and self.rows and tag == "li" and "rel" in classes:
            self.rows[-1]["rel"].append(len(self.rows[-1]["cells"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.cell is not None:
            self.rows[-1]["cells"].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table":
            self.in_queries = False

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def test_writes_the_three_files(reports: dict[str, dict], tmp_path: Path) -> None:
    out = tmp_path / "new" / "report"
    written = write_report(reports, out, title="dev <set>")
    assert [p.name for p in written] == ["metrics.png", "index.html", "report.json"]
    assert all(p.parent == out and p.stat().st_size > 0 for p in written)
    png = (out / "metrics.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    pixels = matplotlib.image.imread(out / "metrics.png")
    height, width = pixels.shape[:2]
    assert 600 <= width <= 3000 and 400 <= height <= 2000
    assert json.loads((out / "report.json").read_text("utf-8")) == reports


def test_page_lists_every_query_escaped_with_hits_and_misses(reports: dict[str, dict], tmp_path: Path) -> None:
    write_report(reports, tmp_path, title="dev <set>")
    page = (tmp_path / "index.html").read_text("utf-8")
    assert '<meta charset="utf-8">' in page
    assert '<img src="metrics.png"' in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<title>dev &lt;set&gt;</title>" in page
    parser = Cells()
    parser.feed(page)
    parser.close()
    rows = {row["cells"][0]: row for row in parser.rows}
    assert list(rows) == ["q1", "q2", "q3", "q4"]
    # cells: id, lang, query, expected, bm25, dense
    assert rows["q3"]["cells"][1:3] == ["ka", "ზეგანაკვეთური სამუშაო"]
    assert rows["q2"]["cells"][2] == "overtime <script>alert(1)</script>"
    assert rows["q2"]["cells"][3].split() == ["flsa::207", "lft::67"]
    assert {q: r["ranks"] for q, r in rows.items()} == {
        "q1": ["hit1", "miss"],  # dense finds it at 13: a miss for @10
        "q2": ["hit10", "hit1"],
        "q3": ["miss", "hit1"],  # any passage of the ruling counts
        "q4": ["miss", "miss"],
    }
    assert rows["q1"]["cells"][4].startswith("#1") and rows["q1"]["cells"][5].startswith("#13")
    assert rows["q4"]["cells"][4].split() == ["not", "found", "no", "results"]
    # expected results among the top 3 are marked, in the mode's cell (index 4 = bm25, 5 = dense)
    assert rows["q1"]["rel"] == [4] and rows["q3"]["rel"] == [5, 5] and rows["q4"]["rel"] == []
    assert {q: r["missed"] for q, r in rows.items()} == {"q1": "1", "q2": "0", "q3": "1", "q4": "1"}


def test_one_mode_and_summary(reports: dict[str, dict], tmp_path: Path) -> None:
    write_report({"bm25": reports["bm25"]}, tmp_path)
    page = (tmp_path / "index.html").read_text("utf-8")
    for slice_name in ("overall", "es", "en", "ka", "cross-lingual"):
        assert f'<th class="slice">{slice_name}</th>' in page
    assert f'{reports["bm25"]["overall"]["ndcg@10"]:.3f}' in page
    assert "1 first" in page and "1 in top 10" in page and "2 missed" in page


def test_helpers() -> None:
    assert matches("ruling::4", ["ruling::*"]) and matches("lft::67", ["lft::67"]) and not matches("lft::6", ["lft::67"])
    assert [rank_class(r) for r in (1, 2, 10, 11, None)] == ["hit1", "hit10", "hit10", "miss", "miss"]
    with pytest.raises(ValueError):
        write_report({}, Path("unused"))


def test_cli_report_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`laborlex eval --report` over a tiny real index of two short documents."""
    from ingest.pipeline import ingest_path
    from laborlex.cli import app
    from laborlex_core.store.embedded import EmbeddedDocumentStore
    from tests.conftest import CORPUS_DIR, MANIFEST_PATH, shared_model_dir

    if not MANIFEST_PATH.exists():
        pytest.skip(f"real corpus not found at {CORPUS_DIR}")
    entries = {e["id"]: e for e in json.loads(MANIFEST_PATH.read_text("utf-8"))}
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps([{**entries[i], "file": str(CORPUS_DIR / entries[i]["file"])} for i in ("ilo-c182-en", "ilo-c182-ka")]),
        "utf-8",
    )
    settings = Settings(data_dir=tmp_path / "data", model_dir=shared_model_dir())
    assert not ingest_path(manifest, settings, EmbeddedDocumentStore(settings.store_path)).failures
    qrels = tmp_path / "q.jsonl"
    qrels.write_text(
        '{"id": "w1", "lang": "en", "query": "worst forms of child labour", '
        '"relevant": [{"doc": "ilo-c182-en", "article": "*"}]}\n',
        "utf-8",
    )
    monkeypatch.setenv("LABORLEX_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LABORLEX_MODEL_DIR", str(settings.resolved_model_dir))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    get_settings.cache_clear()
    try:
        out = tmp_path / "report"
        result = CliRunner().invoke(app, ["eval", "--qrels", str(qrels), "--mode", "bm25", "--report", str(out)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert f"wrote report to {out}" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "metrics.png", "report.json"]
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert set(report) == {"bm25"} and report["bm25"]["per_query"][0]["first_relevant_rank"] == 1
    assert "worst forms of child labour" in (out / "index.html").read_text("utf-8")
