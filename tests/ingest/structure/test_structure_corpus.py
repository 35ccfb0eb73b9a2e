"""The splitter on all 40 documents of the real corpus (text renderings; see conftest)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from laborlex_core.schema import Provision, SourceText

from ingest.structure import load_patterns
from ingest.structure.matchers import match_heading

EXPECTED_COUNTS = {
    "mx-lft-es": 1351,  # preamble + 1238 articles + 112 transitional/decree articles
    "mx-scjn-seleccion-jurisprudencial-laboral-es": 4,
    "mx-scjn-tesis-181711-es": 2,
    "mx-tcc-tesis-2005174-es": 3,
    "mx-scjn-ejecutoria-ct-201-2005-ss-es": 3,
    "mx-sjf-semanal-2026-05-15-rubros": 26,
    "hn-codigo-trabajo-es": 21,
    "hn-csj-casacion-cl1060-89-es": 3,
    "ge-labour-code-ka": 94,
    "ge-labour-inspection-law-ka": 24,
    "ge-occupational-safety-law-ka": 27,
    "ge-trade-unions-law-ka": 30,
    "ge-antidiscrimination-law-ka": 13,
    "ge-court-tbilisi-appeal-2b-7589-17-ka": 1,
    "ge-supremecourt-as-1502-1422-2017-ka": 1,
    "ge-labour-code-en": 3,
    "ilo-c029-es": 34,
    "ilo-c029-ka": 34,
    "ilo-c081-en": 4,
    "ilo-c087-en": 5,
    "ilo-c095-es": 28,
    "ilo-c098-ka": 17,
    "ilo-c100-es": 15,
    "ilo-c100-ka": 15,
    "ilo-c105-es": 11,
    "ilo-c105-ka": 11,
    "ilo-c106-es": 22,
    "ilo-c111-es": 15,
    "ilo-c111-ka": 15,
    "ilo-c131-es": 15,
    "ilo-c138-es": 19,
    "ilo-c148-es": 27,
    "ilo-c182-es": 19,
    "ilo-c182-ka": 17,
    "ilo-c182-en": 4,
    "usmca-ch23-en": 3,
    "us-flsa-en": 20,
    "us-nlra-en": 20,
    "us-scotus-encino-motorcars-v-navarro-2018-en": 3,
    "us-ca7-17-2400-fedex-order": 2,
}


def _numbers(n: int) -> list[str]:
    return [str(i) for i in range(1, n + 1)]


REQUIRED_LABELS = {
    "mx-lft-es": ["1", "3 Bis", "3 Ter", "22 Bis", "47", "48", "123", "153-F Bis", "279 Quáter", "330-A", "330-K",
                  "353-Ñ", "512-D Ter", "899-G", "1004-C", "1010", "Transitorio 1", "Transitorio 13",
                  "Decreto DOF 01-05-2019 Artículo 1", "Transitorio 28 (DOF 01-05-2019)",
                  "Transitorio Único (DOF 28-04-2022 #2)", "Transitorio 2 (DOF 27-12-2022)"],
    "ge-labour-code-ka": ["3^1", "14^1", "27", "47", "52^1", "52^4", "79", "87"],
    "ge-labour-inspection-law-ka": _numbers(23),
    "ge-occupational-safety-law-ka": _numbers(27),
    "ge-trade-unions-law-ka": _numbers(29),
    "ge-antidiscrimination-law-ka": ["1"] + [str(i) for i in range(3, 14)],
    "hn-codigo-trabajo-es": ["1", "2", "3", "4", "19", "20", "112", "116", "117", "118", "119", "120",
                             "318", "319", "320", "321", "322", "323", "326"],
    "ilo-c029-es": _numbers(33), "ilo-c029-ka": _numbers(33),
    "ilo-c095-es": _numbers(27), "ilo-c098-ka": _numbers(16),
    "ilo-c100-es": _numbers(14), "ilo-c100-ka": _numbers(14),
    "ilo-c105-es": _numbers(10), "ilo-c105-ka": _numbers(10),
    "ilo-c106-es": _numbers(21), "ilo-c111-es": _numbers(14), "ilo-c111-ka": _numbers(14),
    "ilo-c131-es": _numbers(14), "ilo-c138-es": _numbers(18),
    "ilo-c148-es": _numbers(24) + ["Ley 6550 Artículo 1"],
    "ilo-c182-es": _numbers(16), "ilo-c182-ka": _numbers(16), "ilo-c182-en": ["3", "4"],
    "ilo-c081-en": ["1", "2", "3"], "ilo-c087-en": ["2", "8", "9", "11"],
    "ge-labour-code-en": ["1", "2"],
    "usmca-ch23-en": ["23.1", "23.2"],
    "us-flsa-en": ["201", "206", "207", "211", "212", "213", "216", "216b", "218b", "218c", "219"],
    "us-nlra-en": ["151", "157", "158", "158a", "169"],
    "mx-sjf-semanal-2026-05-15-rubros": ["2032120", "2032121", "2032124", "2032133"],
}

RULINGS = [
    "mx-scjn-seleccion-jurisprudencial-laboral-es", "mx-scjn-tesis-181711-es", "mx-tcc-tesis-2005174-es",
    "mx-scjn-ejecutoria-ct-201-2005-ss-es", "hn-csj-casacion-cl1060-89-es", "ge-court-tbilisi-appeal-2b-7589-17-ka",
    "ge-supremecourt-as-1502-1422-2017-ka", "us-scotus-encino-motorcars-v-navarro-2018-en", "us-ca7-17-2400-fedex-order",
]


def test_every_manifest_document_has_an_expected_count(manifest_entries: dict[str, dict]) -> None:
    assert set(manifest_entries) == set(EXPECTED_COUNTS)


@pytest.mark.parametrize("doc_id", sorted(EXPECTED_COUNTS))
def test_provision_count(doc_id: str, corpus_provisions: dict[str, list[Provision]]) -> None:
    assert len(corpus_provisions[doc_id]) == EXPECTED_COUNTS[doc_id]


@pytest.mark.parametrize("doc_id", sorted(REQUIRED_LABELS))
def test_required_labels_present(doc_id: str, corpus_provisions: dict[str, list[Provision]]) -> None:
    found = {p.article for p in corpus_provisions[doc_id]}
    assert [label for label in REQUIRED_LABELS[doc_id] if label not in found] == []


@pytest.mark.parametrize("doc_id", sorted(EXPECTED_COUNTS))
def test_offsets_labels_and_ordinals_are_consistent(
    doc_id: str, corpus_sources: dict[str, SourceText], corpus_provisions: dict[str, list[Provision]]
) -> None:
    text = corpus_sources[doc_id].text
    provisions = corpus_provisions[doc_id]
    assert [p.ordinal for p in provisions] == list(range(len(provisions)))
    assert len({p.article for p in provisions}) == len(provisions), "duplicate labels"
    for p in provisions:
        assert p.text and p.text == text[p.start : p.end] == p.text.strip()
    assert all(a.end <= b.start for a, b in zip(provisions, provisions[1:]))


@pytest.mark.parametrize("doc_id", sorted(set(EXPECTED_COUNTS) - set(RULINGS) - {"mx-sjf-semanal-2026-05-15-rubros"}))
def test_no_structural_heading_inside_a_provision(
    doc_id: str, corpus_sources: dict[str, SourceText], corpus_provisions: dict[str, list[Provision]]
) -> None:
    """Chapter/title lines go to heading_path, never into the text of the article before them."""
    lang = load_patterns().languages[corpus_sources[doc_id].meta.language]
    for p in corpus_provisions[doc_id]:
        inner = [line.strip() for line in p.text.splitlines()[1:]]
        assert [line for line in inner if line and match_heading(line, lang)] == [], p.article


def test_every_article_cited_in_the_dev_judgments_exists(
    dev_judgments: list[tuple[str, str, str]], corpus_provisions: dict[str, list[Provision]]
) -> None:
    labels = {doc: {p.article for p in ps} for doc, ps in corpus_provisions.items()}
    missing = [(q, doc, art) for q, doc, art in dev_judgments if art not in labels.get(doc, set())]
    assert dev_judgments and missing == []


def test_lft_finds_exactly_the_article_headings_of_the_text(
    corpus_dir: Path, corpus_provisions: dict[str, list[Provision]]
) -> None:
    """Every article 1–1010 with its Bis/Ter/lettered articles, checked by an independent regex."""
    text = (corpus_dir / "pdf-text" / "mx-lft-es.txt").read_text(encoding="utf-8")
    body = text[: text.index("\nTRANSITORIOS\n")]
    heading = re.compile(r"(?m)^Art[íi]culo (\d+)[oº]?\.?((?: Bis| Ter| Quáter|-[A-ZÑ])*)\.?-? ")
    expected = [m.group(1) + m.group(2) for m in heading.finditer(body)]
    assert len(expected) == len(set(expected)) == 1238
    assert {int(re.match(r"\d+", label).group()) for label in expected} == set(range(1, 1011))
    got = [p.article for p in corpus_provisions["mx-lft-es"] if p.unit == "article"]
    assert got == expected  # same labels, same order


def test_lft_heading_path_and_units(corpus_provisions: dict[str, list[Provision]]) -> None:
    provisions = corpus_provisions["mx-lft-es"]
    got = {p.article: p for p in provisions}
    assert got["61"].heading_path == ("TITULO TERCERO Condiciones de Trabajo", "CAPITULO II Jornada de trabajo")
    assert got["776"].heading_path == (
        "TITULO CATORCE Derecho Procesal del Trabajo",
        "CAPITULO XII De las Pruebas",
        "Sección Primera Reglas Generales",
    )
    assert got["22 Bis"].text.startswith("Artículo 22 Bis.")
    assert got["1010"].text.endswith("Artículo adicionado DOF 04-01-1980")
    assert all(p.heading_path[0].upper().startswith(("TITULO", "TÍTULO")) for p in provisions if p.unit == "article")
    transitional = [p for p in provisions if p.unit == "transitional"]
    assert len(transitional) == 112
    assert all(p.start > got["1010"].end for p in transitional)
    assert got["Transitorio 1"].heading_path == ("TRANSITORIOS",)


def test_georgian_chapter_headings_move_to_the_next_articles(corpus_provisions: dict[str, list[Provision]]) -> None:
    got = {p.article: p for p in corpus_provisions["ge-labour-code-ka"]}
    assert "თავი" not in got["3^1"].text
    assert got["4"].heading_path == ("თავი II. შრომითი დისკრიმინაციის აკრძალვა",)
    assert got["27"].heading_path == (
        "კარი II. ინდივიდუალური შრომითი ურთიერთობა",
        "თავი V. სამუშაო დრო, შესვენების დრო და დასვენების დრო",
    )
    assert got["3^1"].text == "მუხლი 3^1. (ამოღებულია)"


def test_ratification_law_article_does_not_shadow_the_convention(corpus_provisions: dict[str, list[Provision]]) -> None:
    got = {p.article: p for p in corpus_provisions["ilo-c148-es"]}
    assert got["Ley 6550 Artículo 1"].text.startswith("Artículo 1º.- Ratifícase")
    assert got["1"].text.startswith("Artículo 1.1.-El presente Convenio")


@pytest.mark.parametrize("doc_id", RULINGS)
def test_rulings_are_numbered_passages(doc_id: str, corpus_provisions: dict[str, list[Provision]]) -> None:
    provisions = corpus_provisions[doc_id]
    assert [p.article for p in provisions] == [str(i) for i in range(1, len(provisions) + 1)]
    assert {p.unit for p in provisions} == {"paragraph"}
    assert all(len(p.text) <= 1500 for p in provisions)
    assert not any("ource note" in p.text or "Nota de fuente" in p.text for p in provisions)


def test_ruling_index_has_one_entry_per_registro(
    corpus_dir: Path, corpus_provisions: dict[str, list[Provision]]
) -> None:
    import json

    data = json.loads((corpus_dir / "docs" / "mx-sjf-semanal-2026-05-15-rubros.json").read_text(encoding="utf-8"))
    registros = [x["registro_digital"] for key in ("tesisPrioritarias", "tesisReferencia") for x in data[key]]
    provisions = corpus_provisions["mx-sjf-semanal-2026-05-15-rubros"]
    assert [p.article for p in provisions] == registros
    assert {p.unit for p in provisions} == {"entry"}


@pytest.mark.parametrize(
    ("doc_id", "unit"),
    [("us-flsa-en", "section"), ("us-nlra-en", "section"), ("usmca-ch23-en", "article"), ("ilo-c029-ka", "article")],
)
def test_units(doc_id: str, unit: str, corpus_provisions: dict[str, list[Provision]]) -> None:
    assert {p.unit for p in corpus_provisions[doc_id]} - {"preamble"} == {unit}
