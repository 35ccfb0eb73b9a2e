"""Manifests: entries resolved relative to the manifest, missing files, malformed manifests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.readers import discover
from laborlex_core.schema import IngestError

ES = "Artículo 1.- La presente ley rige las relaciones de trabajo entre patrones y trabajadores."


def _entry(doc_id: str, file: str, **extra: object) -> dict[str, object]:
    return {"id": doc_id, "file": file, "language": "es", "jurisdiction": "MX", "kind": "statute",
            "title": f"Título {doc_id}", "date": None, "completeness": "complete", **extra}


def _write(folder: Path, entries: object, name: str = "manifest.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(entries if isinstance(entries, str) else json.dumps(entries), encoding="utf-8")
    return path


def test_entries_resolve_relative_to_the_manifest(tmp_path, settings):
    (tmp_path / "c" / "docs").mkdir(parents=True)
    (tmp_path / "c" / "docs" / "ley.txt").write_text(ES, encoding="utf-8")
    manifest = _write(tmp_path / "c", [_entry("ley", "docs/ley.txt", date=1970)])
    found, failures = discover(manifest, settings)
    assert failures == []
    [(path, meta)] = found
    assert path == tmp_path / "c" / "docs" / "ley.txt"
    assert (meta.doc_id, meta.title, meta.language, meta.jurisdiction, meta.kind, meta.date, meta.completeness) == (
        "ley", "Título ley", "es", "MX", "statute", "1970", "complete")
    assert meta.source == str(path)


def test_missing_file_fails_only_its_entry(tmp_path, settings):
    (tmp_path / "a.txt").write_text(ES, encoding="utf-8")
    manifest = _write(tmp_path, [_entry("gone", "docs/gone.txt"), _entry("a", "a.txt")])
    found, failures = discover(tmp_path, settings)
    assert [meta.doc_id for _, meta in found] == ["a"]
    [failure] = failures
    assert failure.doc_id == "gone"
    assert failure.path == str(tmp_path / "docs" / "gone.txt")
    assert "not found" in failure.reason and str(manifest) in failure.reason


def test_missing_title_and_language_are_inferred(tmp_path, settings):
    (tmp_path / "ka.txt").write_text("შრომის კოდექსი\n\nმუხლი 1. მოქმედების სფერო", encoding="utf-8")
    manifest = _write(tmp_path, [{"id": "ka-law", "file": "ka.txt", "language": None}])
    [(_, meta)], _ = discover(manifest, settings)
    assert (meta.title, meta.language, meta.jurisdiction) == ("შრომის კოდექსი", "ka", None)


def test_undecodable_file_needing_inference_fails_its_entry(tmp_path, settings):
    (tmp_path / "bad.txt").write_bytes(b"\x81\x8d\x00\xff" * 10)
    (tmp_path / "ok.txt").write_text(ES, encoding="utf-8")
    found, failures = discover(_write(tmp_path, [{"id": "bad", "file": "bad.txt"}, _entry("ok", "ok.txt")]), settings)
    assert [m.doc_id for _, m in found] == ["ok"]
    assert failures[0].doc_id == "bad" and "cannot decode as UTF-8" in failures[0].reason


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('[{"id": "a", "file": "a.txt",}]', "not valid JSON (line 1"),
        ({"id": "a", "file": "a.txt"}, "must be a JSON list of entries, found a JSON dict"),
        (["docs/a.txt"], "entry 0 is not an object"),
        ([{"file": "a.txt"}], "entry 0: missing or empty 'id'"),
        ([_entry("a", "a.txt"), {"id": "b", "title": "B"}], "entry 1 ('b'): missing or empty 'file'"),
        ([_entry("a", "a.txt"), _entry("b", "b.txt"), _entry("a", "c.txt")], "duplicate id 'a' in entries 0 and 2"),
        ([_entry("a", "a.txt", language="fr")], "entry 0 ('a'): unknown language 'fr'"),
        ([_entry("a", "a.txt", language="Spanish")], "unknown language 'Spanish' (expected one of es, ka, en"),
        ([_entry("a", "a.txt", title=["x"])], "entry 0 ('a'): 'title' must be a string or null"),
    ],
)
def test_malformed_manifest_names_entry_and_field(tmp_path, settings, content, fragment):
    manifest = _write(tmp_path, content)
    with pytest.raises(IngestError) as err:
        discover(tmp_path, settings)
    assert err.value.path == str(manifest)
    assert fragment in err.value.reason


def test_manifest_under_another_name(tmp_path, settings):
    (tmp_path / "a.txt").write_text(ES, encoding="utf-8")
    manifest = _write(tmp_path, [_entry("a", "a.txt")], name="corpus-2024.json")
    found, failures = discover(manifest, settings)
    assert [m.doc_id for _, m in found] == ["a"] and failures == []
