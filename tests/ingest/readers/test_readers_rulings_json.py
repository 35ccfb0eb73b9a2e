"""The SJF ruling-title JSON: rendering contract with the structure splitter, and bad shapes."""

from __future__ import annotations

import json
import re

import pytest

from ingest.readers import ENTRY_PREFIX, read_source
from laborlex_core.schema import IngestError

ENTRY = re.compile(r"^Registro digital: (\d+)\n(.+)$")


def test_real_sjf_file_renders_one_paragraph_per_entry(corpus_dir, meta, settings):
    path = corpus_dir / "docs" / "mx-sjf-semanal-2026-05-15-rubros.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    expected = [(e["registro_digital"], e["rubro"].strip()) for key in ("tesisPrioritarias", "tesisReferencia") for e in data[key]]

    text = read_source(path, meta, settings).text
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == len(expected) == 26
    parsed = [ENTRY.match(p).groups() for p in paragraphs]  # type: ignore[union-attr]
    assert parsed == expected
    assert "Registro digital: 2032120\nCOMPETENCIA POR TERRITORIO PARA CONOCER DEL AMPARO DIRECTO" in text
    assert "fecha_publicacion" not in text  # metadata is not ruling text


def test_top_level_list_and_duplicates(tmp_path, meta, settings):
    path = tmp_path / "rubros.json"
    entries = [
        {"registro_digital": 2032124, "rubro": "  TRABAJADORES DE CONFIANZA.\n  SU DESPIDO. "},
        {"registro_digital": "2032124", "rubro": "DUPLICADO"},
        {"registro_digital": "2032133", "rubro": "SALARIOS CAÍDOS."},
    ]
    path.write_text(json.dumps(entries), encoding="utf-8")
    assert read_source(path, meta, settings).text == (
        f"{ENTRY_PREFIX}2032124\nTRABAJADORES DE CONFIANZA. SU DESPIDO.\n\n{ENTRY_PREFIX}2032133\nSALARIOS CAÍDOS."
    )


@pytest.mark.parametrize(
    "payload",
    [
        {"rows": [{"id": 1, "text": "x"}]},
        [1, 2, 3],
        "just a string",
        {"metadata": {"total_tesis": 0}},
    ],
)
def test_unknown_shape_says_what_was_expected(tmp_path, meta, settings, payload):
    path = tmp_path / "other.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(IngestError) as err:
        read_source(path, meta, settings)
    assert str(path) in str(err.value)
    assert "unrecognized JSON shape" in err.value.reason
    assert "registro_digital" in err.value.reason and "rubro" in err.value.reason


def test_manifest_passed_as_document_gets_a_hint(tmp_path, meta, settings):
    path = tmp_path / "corpus.json"
    path.write_text(json.dumps([{"id": "a", "file": "a.txt"}]), encoding="utf-8")
    with pytest.raises(IngestError, match="looks like a corpus manifest"):
        read_source(path, meta, settings)


def test_entries_without_rubro_only(tmp_path, meta, settings):
    path = tmp_path / "empty-rubros.json"
    path.write_text(json.dumps({"tesis": [{"registro_digital": "1", "rubro": ""}]}), encoding="utf-8")
    with pytest.raises(IngestError, match="no ruling entry has both"):
        read_source(path, meta, settings)


def test_invalid_json(tmp_path, meta, settings):
    path = tmp_path / "broken.json"
    path.write_text('{"tesis": [ {"registro_digital": "1", ', encoding="utf-8")
    with pytest.raises(IngestError) as err:
        read_source(path, meta, settings)
    assert str(path) in str(err.value)
    assert "not valid JSON (line 1" in err.value.reason
