"""The README's commands, run as a user runs them: ingest, search, eval, bad input.

These start `laborlex` as a process with its own data dir, on real files and the real
model; the whole-corpus ones are marked slow.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import DEV_QRELS, DOCS_DIR
from tests.e2e.conftest import run_cli

SLICE = ["ilo-c182-es", "ilo-c182-ka", "ilo-c182-en", "usmca-ch23-en", "hn-codigo-trabajo-es"]


@pytest.fixture(scope="module")
def slice_index(tmp_path_factory: pytest.TempPathFactory, write_manifest_slice: Callable[[list[str]], Path]) -> Path:
    data_dir = tmp_path_factory.mktemp("slice-index")
    result = run_cli(data_dir, "ingest", str(write_manifest_slice(SLICE)))
    assert result.returncode == 0, result.stderr
    for doc_id in SLICE:
        assert doc_id in result.stdout
    return data_dir


def test_search_finds_the_provision_across_languages(slice_index: Path) -> None:
    result = run_cli(slice_index, "search", "worst forms of child labour", "--json", "--limit", "5")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    top = {(h["doc_id"], h["article"]) for h in hits}
    assert ("ilo-c182-en", "3") in top or ("ilo-c182-es", "3") in top or ("ilo-c182-ka", "3") in top
    first = hits[0]
    assert first["citation"] and first["snippet"] and first["ranks"]


def test_search_filters_and_modes(slice_index: Path) -> None:
    for mode in ("bm25", "dense", "hybrid"):
        result = run_cli(slice_index, "search", "jornada diurna", "--mode", mode, "--jurisdiction", "HN", "--json")
        assert result.returncode == 0, result.stderr
        hits = json.loads(result.stdout)
        assert hits, mode
        assert {h["jurisdiction"] for h in hits} == {"HN"}
    human = run_cli(slice_index, "search", "jornada diurna de ocho horas", "--language", "es")
    assert "Código del Trabajo de Honduras" in human.stdout


def test_search_explain_says_why_and_cites(slice_index: Path) -> None:
    human = run_cli(slice_index, "search", "peores formas de trabajo infantil", "--explain", "--limit", "3")
    assert human.returncode == 0, human.stderr
    assert "why: fused score" in human.stdout and "why: words:" in human.stdout and "why: meaning: cosine" in human.stdout
    assert "cite: Convenio sobre las peores formas de trabajo infantil, 1999 (núm. 182), artículo" in human.stdout


def test_bad_mode_is_refused(slice_index: Path) -> None:
    result = run_cli(slice_index, "search", "x", "--mode", "fuzzy")
    assert result.returncode == 2
    assert "--mode" in result.stderr


def test_bad_files_are_reported_and_nothing_indexed_is_lost(
    tmp_path: Path, write_manifest_slice: Callable[[list[str]], Path]
) -> None:
    data_dir = tmp_path / "data"
    good = tmp_path / "docs"
    good.mkdir()
    shutil.copy(DOCS_DIR / "ilo-c182-en.txt", good / "c182.txt")
    assert run_cli(data_dir, "ingest", str(good)).returncode == 0
    # second ingest: the same document now corrupt, plus other bad files
    (good / "c182.txt").write_bytes(bytes(range(128, 256)) * 20)  # neither UTF-8 nor a legacy encoding
    (good / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (good / "empty.txt").write_text("")
    (good / "notes.docx").write_bytes(b"PK\x03\x04")
    result = run_cli(data_dir, "ingest", str(good))
    assert result.returncode == 1
    for name in ("c182.txt", "broken.pdf", "empty.txt", "notes.docx"):
        assert name in result.stderr, name
    search = run_cli(data_dir, "search", "worst forms of child labour", "--json")
    assert any(h["doc_id"] == "c182" for h in json.loads(search.stdout))


def write_few_judgments(path: Path, per_language: int = 2) -> Path:
    """The first few real judgments of each language, for checks of a report's shape."""
    by_language: dict[str, list[str]] = {}
    for line in DEV_QRELS.read_text("utf-8").splitlines():
        if line.strip():
            by_language.setdefault(json.loads(line)["lang"], []).append(line)
    path.write_text("\n".join(line for group in by_language.values() for line in group[:per_language]) + "\n", "utf-8")
    return path


@pytest.mark.slow
def test_whole_corpus_is_indexed(full_index: tuple[Path, object]) -> None:
    _, result = full_index
    assert result.returncode == 0, result.stderr[-3000:]
    listed = [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")]
    assert len(listed) == 40
    assert "40 documents" in result.stdout


@pytest.mark.slow
def test_eval_runs_in_all_modes(full_index: tuple[Path, object], tmp_path: Path) -> None:
    data_dir, _ = full_index
    out = tmp_path / "eval.json"
    result = run_cli(data_dir, "eval", "--qrels", str(DEV_QRELS), "--mode", "all", "--json", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    reports = json.loads(out.read_text("utf-8"))["modes"]
    assert set(reports) == {"hybrid", "bm25", "dense"}
    judged = sum(1 for line in DEV_QRELS.read_text("utf-8").splitlines() if line.strip())
    for report in reports.values():
        assert report["n_queries"] == judged
        assert set(report["by_lang"]) == {"es", "en", "ka"}
        for section in (report["overall"], report["cross_lingual"], *report["by_lang"].values()):
            assert set(section) == {"ndcg@10", "recall@10", "recall@100", "mrr@10"}
            assert 0.0 <= section["ndcg@10"] <= 1.0
        # a working system finds most judged provisions somewhere in the first 100
        assert report["overall"]["recall@100"] > 0.5
    # the single-mode report's shape (default mode) needs no second pass over every judgment
    few = write_few_judgments(tmp_path / "few.jsonl")
    single = tmp_path / "hybrid.json"
    assert run_cli(data_dir, "eval", "--qrels", str(few), "--json", str(single)).returncode == 0
    report = json.loads(single.read_text("utf-8"))
    assert set(report) >= {"overall", "by_lang", "cross_lingual", "n_queries"}
    assert report["n_queries"] == len(few.read_text("utf-8").splitlines()) and set(report["by_lang"]) == {"es", "en", "ka"}


@pytest.mark.slow
def test_eval_cross_validates_and_reports_both_figures(full_index: tuple[Path, object], tmp_path: Path) -> None:
    """`eval --cv` on a few real judgments: held-out and full-dev figures, the folds, the
    choice per fold, the ablations, and a report with both side by side."""
    data_dir, _ = full_index
    few = write_few_judgments(tmp_path / "few.jsonl")
    out, report_dir = tmp_path / "cv.json", tmp_path / "report"
    result = run_cli(
        data_dir, "eval", "--qrels", str(few), "--cv", "2", "--ablations", "--rerank", "--json", str(out), "--report", str(report_dir)
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "cross-validated (2 folds, seed 13)" in result.stdout and "without weight_terms" in result.stdout
    assert "without query_filler" in result.stdout and "learned re-ranker, cross-validated" in result.stdout
    payload = json.loads(out.read_text("utf-8"))
    assert set(payload["modes"]) == {"hybrid (cross-validated)", "hybrid + rerank (cross-validated)", "hybrid (full dev)"}
    cv = payload["cv"]["hybrid"]
    assert len(cv["folds"]) == 2 and sorted(q for fold in cv["folds"] for q in fold) == sorted(
        json.loads(line)["id"] for line in few.read_text("utf-8").splitlines()
    )
    assert len(cv["chosen"]) == 2 and cv["grid_size"] > 1
    assert "hybrid (cross-validated)" in (report_dir / "index.html").read_text("utf-8")
