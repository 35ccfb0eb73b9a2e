"""discover on the real corpus, on bare folders and on single files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.readers import discover, read_source, slugify
from laborlex_core.schema import IngestError
from laborlex_core.settings import Settings


def test_real_corpus_folder_uses_its_manifest(corpus_dir, manifest_entries, settings):
    found, failures = discover(corpus_dir, settings)
    assert failures == []
    assert len(found) == 40
    assert {meta.doc_id for _, meta in found} == set(manifest_entries)
    assert all(path.parent == corpus_dir / "docs" for path, _ in found)  # nothing from pdf-text/
    by_id = {meta.doc_id: meta for _, meta in found}
    lft = by_id["mx-lft-es"]
    assert (lft.title, lft.language, lft.jurisdiction, lft.kind, lft.date) == (
        "Ley Federal del Trabajo", "es", "MX", "statute", "2022-12-27")
    assert discover(corpus_dir / "manifest.json", settings)[0] == found


def test_bare_folder_detects_languages(corpus_dir, tmp_path, settings):
    docs = corpus_dir / "docs"
    bare = tmp_path / "bare"
    (bare / "sub").mkdir(parents=True)
    shutil.copy(docs / "ilo-c182-es.pdf", bare / "Convenio C182 (español).pdf")
    shutil.copy(docs / "ilo-c182-ka.txt", bare / "sub" / "ilo-c182-ka.txt")
    shutil.copy(docs / "us-nlra-en.txt", bare / "us-nlra-en.md")
    shutil.copy(docs / "mx-sjf-semanal-2026-05-15-rubros.json", bare / "rubros.json")
    (bare / "notes.odt").write_bytes(b"PK")  # unsupported: reported, the rest goes on
    (bare / ".hidden.txt").write_text("ignored", encoding="utf-8")

    found, failures = discover(bare, settings)
    assert [(Path(f.path).name, f.reason) for f in failures] == [("notes.odt", "unsupported file type '.odt'")]
    metas = {meta.doc_id: meta for _, meta in found}
    assert set(metas) == {"convenio-c182-espanol", "ilo-c182-ka", "us-nlra-en", "rubros"}
    assert {k: m.language for k, m in metas.items()} == {
        "convenio-c182-espanol": "es", "ilo-c182-ka": "ka", "us-nlra-en": "en", "rubros": "es"}
    assert metas["convenio-c182-espanol"].title == "CONVENIO SOBRE LAS PEORES FORMAS DE TRABAJO"
    assert metas["us-nlra-en"].title == "Title 29— LABOR"
    assert metas["ilo-c182-ka"].title.startswith("კონვენცია ბავშვთა შრომის")
    assert (metas["rubros"].kind, metas["rubros"].jurisdiction) == ("case_law_index", "MX")
    assert all(m.jurisdiction is None and m.kind is None and m.date is None
               for k, m in metas.items() if k != "rubros")
    for path, meta in found:  # what discover found, read_source reads
        assert read_source(path, meta, settings).text


def test_bare_folder_bad_file_does_not_stop_the_rest(tmp_path, settings):
    (tmp_path / "good.txt").write_text("The employer shall pay overtime for every hour worked.", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n garbage")
    found, failures = discover(tmp_path, settings)
    assert [m.doc_id for _, m in found] == ["good"]
    assert {(f.doc_id, f.path) for f in failures} == {
        ("broken", str(tmp_path / "broken.pdf")), ("empty", str(tmp_path / "empty.txt"))}
    assert all(f.reason for f in failures)


def test_bare_folder_respects_size_limit(tmp_path):
    (tmp_path / "big.txt").write_text("word " * 5000, encoding="utf-8")
    found, [failure] = discover(tmp_path, Settings(data_dir=tmp_path / "d", max_file_mb=0.001))
    assert found == [] and "over the limit" in failure.reason


def test_clashing_stems_get_path_ids(tmp_path, settings):
    for name in ("a/ley.txt", "b/ley.txt", "b/ley.md"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("La ley del trabajo se aplica en toda la República.", encoding="utf-8")
    found, _ = discover(tmp_path, settings)
    assert sorted(m.doc_id for _, m in found) == ["a-ley", "b-ley-md", "b-ley-txt"]


def test_single_file(corpus_dir, settings):
    path = corpus_dir / "docs" / "ilo-c087-en.txt"
    [(found_path, meta)], failures = discover(path, settings)
    assert failures == [] and found_path == path
    assert (meta.doc_id, meta.language) == ("ilo-c087-en", "en")
    assert meta.title == "International Labor Organization Convention (ILO)"  # the [Source note] is skipped


def test_single_unsupported_file_is_a_failure(tmp_path, settings):
    path = tmp_path / "contrato.docx"
    path.write_bytes(b"PK")  # named as Word, but not a Word package
    found, [failure] = discover(path, settings)
    assert found == [] and "unsupported file type '.docx'" in failure.reason and "not a Word document" in failure.reason


def test_missing_path(tmp_path, settings):
    with pytest.raises(IngestError, match="no such file or folder"):
        discover(tmp_path / "nowhere", settings)


@pytest.mark.parametrize(
    ("name", "slug"),
    [("Convenio C182 (español)", "convenio-c182-espanol"), ("mx_lft__ES", "mx-lft-es"),
     ("შრომის კოდექსი", "შრომის-კოდექსი"), ("---", "document")],
)
def test_slugify(name, slug):
    assert slugify(name) == slug
