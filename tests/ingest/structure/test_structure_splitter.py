"""Behaviour of ``split_provisions`` on small texts shaped like the corpus documents."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from laborlex_core.schema import DocumentMeta, IngestError, Provision, SourceText

from ingest.structure import split_provisions
from ingest.structure.patterns import parse_patterns


def source(text: str, language: str | None = "es", kind: str | None = "statute", pages: list[int] | None = None) -> SourceText:
    meta = DocumentMeta(doc_id="t", title="t", language=language, kind=kind, source="t.txt")
    return SourceText(meta=meta, text=text, page_starts=pages or [])


def labels(provisions: list[Provision]) -> list[str]:
    return [p.article for p in provisions]


def by_label(provisions: list[Provision]) -> dict[str, Provision]:
    return {p.article: p for p in provisions}


def assert_consistent(src: SourceText, provisions: list[Provision]) -> None:
    assert [p.ordinal for p in provisions] == list(range(len(provisions)))
    assert len(set(labels(provisions))) == len(provisions)
    for p in provisions:
        assert p.text == src.text[p.start : p.end]
        assert p.text == p.text.strip()
    starts = [p.start for p in provisions]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(provisions, provisions[1:]))


LFT_LIKE = """LEY FEDERAL DEL TRABAJO
Nueva Ley publicada en el Diario Oficial de la Federación el 1º de abril de 1970

TITULO PRIMERO
Principios Generales
Artículo 1o.- La presente Ley es de observancia general y rige las relaciones de
trabajo comprendidas en el artículo 123, Apartado A, de la Constitución.
Artículo 3o. Bis.- Para efectos de esta Ley se entiende por:
Artículo adicionado DOF 30-11-2012

TITULO TERCERO
Condiciones de Trabajo

CAPITULO II
Jornada de trabajo
Artículo 61.- La duración máxima de la jornada será: ocho horas la diurna, siete la nocturna y siete
horas y media la mixta, según el
Artículo 123 Constitucional; y lo que dispongan los contratos.
Artículo 330-A.- (Se deroga)

Capítulo III BIS
De la Productividad
Capítulo adicionado DOF 28-04-1978

Artículo 153-A. Los patrones tienen la obligación de proporcionar capacitación.

TRANSITORIOS
Artículo 1º.- Esta Ley entrará en vigor el día 1o. de mayo de 1970.
Artículo 2º.- Se abroga la Ley Federal del Trabajo de 18 de agosto de 1931.

ARTÍCULOS TRANSITORIOS DE DECRETOS DE REFORMA

DECRETO por el que se reforma el artículo 74 de la Ley Federal del Trabajo.
Publicado en el Diario Oficial de la Federación el 17 de enero de 2006

ARTÍCULO ÚNICO.- Se reforma el artículo 74 de la Ley Federal del Trabajo, para quedar como sigue:
..........

TRANSITORIOS
ARTÍCULO PRIMERO.- El presente Decreto entrará en vigor el día siguiente de su publicación.
ARTÍCULO SEGUNDO.- La fracción III tendrá vigencia a partir del año 2007.

DECRETO por el que se reforma la fracción IX del artículo 132 de la Ley
Federal del Trabajo.
Publicado en el Diario Oficial de la Federación el 28 de abril de 2022

Artículo Único.- Se reforma la fracción IX del artículo 132.
Transitorio
Único.- El presente Decreto entrará en vigor el día siguiente al de su publicación.

DECRETO por el que se adiciona un párrafo segundo al artículo 512 de la Ley Federal del
Trabajo.
Publicado en el Diario Oficial de la Federación el 28 de abril de 2022

Artículo Único.- Se adiciona un párrafo segundo al artículo 512.
Transitorios
Primero.- El presente Decreto entrará en vigor al día siguiente de su publicación.
Décimo Primero. Los juicios iniciados seguirán su curso.
"""


def test_mexican_law_articles_headings_and_transitional_labels() -> None:
    src = source(LFT_LIKE)
    provisions = split_provisions(src)
    assert_consistent(src, provisions)
    assert labels(provisions) == [
        "preamble",
        "1",
        "3 Bis",
        "61",
        "330-A",
        "153-A",
        "Transitorio 1",
        "Transitorio 2",
        "Decreto DOF 17-01-2006 Artículo Único",
        "Transitorio 1 (DOF 17-01-2006)",
        "Transitorio 2 (DOF 17-01-2006)",
        "Decreto DOF 28-04-2022 Artículo Único",
        "Transitorio Único (DOF 28-04-2022)",
        "Decreto DOF 28-04-2022 #2 Artículo Único",
        "Transitorio 1 (DOF 28-04-2022 #2)",
        "Transitorio 11 (DOF 28-04-2022 #2)",
    ]
    got = by_label(provisions)
    assert got["61"].heading_path == ("TITULO TERCERO Condiciones de Trabajo", "CAPITULO II Jornada de trabajo")
    assert "Artículo 123 Constitucional" in got["61"].text  # a reference, not a heading
    assert got["153-A"].heading_path == ("TITULO TERCERO Condiciones de Trabajo", "Capítulo III BIS De la Productividad")
    assert "TITULO" not in got["3 Bis"].text and "Capítulo" not in got["330-A"].text
    assert got["1"].unit == "article" and got["Transitorio 1"].unit == "transitional"
    assert got["Decreto DOF 17-01-2006 Artículo Único"].unit == "transitional"
    assert got["Transitorio 1 (DOF 17-01-2006)"].heading_path == (
        "ARTÍCULOS TRANSITORIOS DE DECRETOS DE REFORMA",
        "DECRETO por el que se reforma el artículo 74 de la Ley Federal del Trabajo. "
        "Publicado en el Diario Oficial de la Federación el 17 de enero de 2006",
        "TRANSITORIOS",
    )
    assert got["preamble"].unit == "preamble"
    assert got["preamble"].text.startswith("LEY FEDERAL DEL TRABAJO")
    assert "TITULO PRIMERO" not in got["preamble"].text


GEORGIAN = """საქართველოს შრომის კოდექსი
ORGANIC LAW OF GEORGIA – LABOUR CODE OF GEORGIA

მუხლი 3^1. (ამოღებულია)
თავი II. შრომითი დისკრიმინაციის აკრძალვა
საქართველოს 2020 წლის 29 სექტემბრის ორგანული კანონი №7177 – ვებგვერდი, 05.10.2020წ.

მუხლი 4. შრომითი დისკრიმინაციის ცნება
1. დისკრიმინაციად ჩაითვლება პირის პირდაპირი ან არაპირდაპირი შევიწროება.
საქართველოს 2020 წლის 29 სექტემბრის ორგანული კანონი №7177 – ვებგვერდი, 05.10.2020წ.
კარი II.
ინდივიდუალური შრომითი ურთიერთობა
თავი III.
შრომითი ურთიერთობის წარმოშობა

მუხლი 10. შრომითი ქმედუნარიანობის წარმოშობა
1. ფიზიკური პირის შრომითი ქმედუნარიანობა წარმოიშობა 16 წლიდან.
"""


def test_georgian_chapter_headings_leave_the_previous_article() -> None:
    src = source(GEORGIAN, language="ka")
    provisions = split_provisions(src)
    assert_consistent(src, provisions)
    got = by_label(provisions)
    assert labels(provisions) == ["preamble", "3^1", "4", "10"]
    assert got["3^1"].text == "მუხლი 3^1. (ამოღებულია)"
    assert got["4"].heading_path == ("თავი II. შრომითი დისკრიმინაციის აკრძალვა",)
    assert "კარი" not in got["4"].text and "თავი" not in got["4"].text
    assert got["10"].heading_path == ("კარი II. ინდივიდუალური შრომითი ურთიერთობა", "თავი III. შრომითი ურთიერთობის წარმოშობა")


RATIFICATION_LAW = """CONVENIO OIT 148: PROTECCIÓN DE LOS TRABAJADORES CONTRA LOS RIESGOS
Ley No. 6550 del 18 de marzo de 1981
Artículo 1º.- Ratifícase el Convenio Nº 148. Su texto es el siguiente:
Convenio 148
CONVENIO SOBRE LA PROTECCIÓN DE LOS TRABAJADORES CONTRA LOS RIESGOS PROFESIONALES
La Conferencia General de la Organización Internacional del Trabajo adopta el presente Convenio.

Parte I.- Campo de Aplicación y Definiciones
Artículo 1.1.-El presente Convenio se aplica a todas las ramas de actividad económica.
2.-Todo Miembro que ratifique el presente Convenio podrá excluir ramas.
Artículo 2.1.-Todo Miembro podrá aceptar separadamente las obligaciones.
"""


def test_ratification_law_does_not_take_the_convention_numbers() -> None:
    src = source(RATIFICATION_LAW, kind="convention")
    provisions = split_provisions(src)
    assert_consistent(src, provisions)
    assert labels(provisions) == ["preamble", "Ley 6550 Artículo 1", "preamble-2", "1", "2"]
    got = by_label(provisions)
    assert got["preamble-2"].text.startswith("Convenio 148\nCONVENIO SOBRE")
    assert got["1"].heading_path == ("Parte I.- Campo de Aplicación y Definiciones",)
    assert got["1"].text.endswith("podrá excluir ramas.")


FRAGMENTS = """CÓDIGO DEL TRABAJO DE HONDURAS (Decreto No. 189 de 1959) — FRAGMENTOS
[Nota de fuente: este archivo reúne fragmentos verbatim de páginas web.]

==== [Fragmento 1 — fuente: https://example.org/a] ====
Capítulo IX

Preaviso

Artículo 116

Si el contrato es por tiempo indeterminado cualquiera de las partes puede hacerlo terminar.

==== [Fragmento 2 — fuente: https://example.org/b] ====
Una nota editorial sobre la interpretación del Código, publicada en el Diario Oficial.
Art. 112. Son causas justas que facultan al patrono para dar por terminado el contrato:

==== [Fragmento 3 — fuente: https://example.org/c] ====
El artículo 326 del código de trabajo establece lo siguiente.

La jornada ordinaria de trabajo puede ser continua o dividirse en dos o más períodos.

==== [Fragmento 4 — fuente: https://example.org/d] ====
Artículo 116

Si el contrato es por tiempo indeterminado (segunda copia del mismo artículo).
"""


def test_fragments_cut_context_and_quote_introducers_name_articles() -> None:
    src = source(FRAGMENTS)
    provisions = split_provisions(src)
    assert_consistent(src, provisions)
    assert labels(provisions) == ["preamble", "116", "preamble-2", "112", "326", "116 [2]"]
    got = by_label(provisions)
    assert "Nota de fuente" not in got["preamble"].text
    assert "====" not in got["116"].text
    assert got["116"].heading_path == ("Capítulo IX Preaviso",)
    assert got["112"].heading_path == ()  # a new fragment does not inherit Capítulo IX
    assert got["326"].text.startswith("El artículo 326 del código de trabajo establece")
    assert got["326"].text.endswith("dos o más períodos.")


def test_ocr_text_with_inline_article_headings() -> None:
    text = (
        "A—7\n\nAPPENDIX 6.—TEXT OF THE CONVENTION CONCERNING LABOUR INSPECTION The General "
        "Conference adopts the following Convention. Part I.—Labour Inspection in Industry Article 1 "
        "Each member shall maintain a system of labour inspection. Article 2 1. The system shall apply "
        "to all workplaces under Article 19 of the Constitution. Article 3 1. The functions shall be"
    )
    src = source(text, language="en", kind="convention")
    provisions = split_provisions(src)
    assert_consistent(src, provisions)
    assert labels(provisions) == ["preamble", "1", "2", "3"]
    assert by_label(provisions)["2"].text.endswith("under Article 19 of the Constitution.")


def test_us_code_sections_and_markdown_headings() -> None:
    text = (
        "# Title 29— LABOR\n### CHAPTER 8— FAIR LABOR STANDARDS\n#### § 207. Maximum hours\n"
        "##### (a) Employees engaged in interstate commerce\n(1) Except as otherwise provided.\n\n"
        "#### § 216b. Liability for overtime work performed prior to July 20, 1974\n\nNo employer shall be subject.\n"
    )
    src = source(text, language="en")
    provisions = split_provisions(src)
    assert_consistent(src, provisions)
    assert labels(provisions) == ["207", "216b"]
    assert {p.unit for p in provisions} == {"section"}
    assert provisions[0].heading_path == ("Title 29— LABOR", "CHAPTER 8— FAIR LABOR STANDARDS")
    assert "##### (a)" in provisions[0].text


def test_ruling_paragraphs_are_merged_and_cut_to_a_few_sentences() -> None:
    sentence = "El trabajador tiene derecho al pago de las horas extraordinarias laboradas. "
    text = (
        "[Nota de fuente: fragmento verbatim de una página web.]\n\n"
        "Registro: 242924\n\nACCIDENTES DE TRABAJO FUERA DE LAS HORAS DE SERVICIO.\n\n"
        + "No es necesario que el accidente se realice dentro de las horas de servicio. " * 6
        + "\n\n"
        + sentence * 40
    )
    src = source(text, kind="case_law")
    provisions = split_provisions(src)
    assert_consistent(src, provisions)
    assert labels(provisions) == [str(i) for i in range(1, len(provisions) + 1)]
    assert all(p.unit == "paragraph" for p in provisions)
    assert provisions[0].text.startswith("Registro: 242924\n\nACCIDENTES")  # tiny lines merged
    assert all(len(p.text) <= 1500 for p in provisions)
    assert all(p.text.endswith(".") for p in provisions)  # cut at sentence ends
    assert not any("Nota de fuente" in p.text for p in provisions)


def test_index_entries_are_labelled_with_the_registry_number() -> None:
    text = "Registro digital: 2032120\nCOMPETENCIA POR TERRITORIO.\n\nRegistro digital: 2032121\nPRESCRIPCIÓN."
    src = source(text, kind="case_law_index")
    provisions = split_provisions(src)
    assert_consistent(src, provisions)
    assert labels(provisions) == ["2032120", "2032121"]
    assert provisions[1].text == "Registro digital: 2032121\nPRESCRIPCIÓN."
    assert {p.unit for p in provisions} == {"entry"}


@pytest.mark.parametrize(
    ("text", "language", "expected_units"),
    [
        ("Artículo 1\nTodo Miembro ratifica.\nArtículo 2\nOtra cosa.", None, {"article"}),
        ("მუხლი 1. სფერო\nტექსტი.\nმუხლი 2. ცნებები\nტექსტი.", None, {"article"}),
        ("Registro digital: 1\nRUBRO UNO.\n\nRegistro digital: 2\nRUBRO DOS.", "es", {"entry"}),
        ("A short ruling without articles.\n\nIt only has paragraphs of text.", "en", {"paragraph"}),
    ],
)
def test_bare_files_are_detected_by_their_content(text: str, language: str | None, expected_units: set[str]) -> None:
    provisions = split_provisions(source(text, language=language, kind=None))
    assert {p.unit for p in provisions} == expected_units


def test_statute_without_article_headings_falls_back_to_passages() -> None:
    provisions = split_provisions(source("Texto legal sin encabezados.\n\nOtro párrafo del texto.", kind="statute"))
    assert [p.unit for p in provisions] == ["paragraph"]


@pytest.mark.parametrize(
    "text",
    ["", "   \n\n  ", "[Source note: verbatim excerpt of a web page, nothing else obtained.]", "==== [Fragmento 1] ====\n---\n"],
)
def test_no_text_to_index(text: str) -> None:
    with pytest.raises(IngestError) as err:
        split_provisions(source(text, kind="case_law"))
    assert err.value.reason == "no text to index"
    assert err.value.path == "t.txt"


def test_pages_come_from_page_starts_and_furniture_is_skipped() -> None:
    page1 = "TITULO TERCERO\nCondiciones de Trabajo\nCAPITULO II\n"
    furniture = "1 de 2\n"
    page2 = "Jornada de trabajo\nArtículo 58.- Jornada de trabajo es el tiempo.\n"
    text = page1 + furniture + page2
    src = source(text, pages=[0, len(page1 + furniture)])
    provisions = split_provisions(src)
    assert len(provisions) == 1
    assert provisions[0].heading_path == ("TITULO TERCERO Condiciones de Trabajo", "CAPITULO II Jornada de trabajo")
    assert (provisions[0].page, provisions[0].page_end) == (2, 2)


def test_patterns_are_data_a_new_heading_style_is_one_json_entry() -> None:
    data = json.loads(resources.files("ingest.structure").joinpath("patterns.json").read_text(encoding="utf-8"))
    data["languages"]["es"]["articles"].append(
        {"name": "numeral", "unit": "article", "regex": "^Numeral\\s+(?P<num>\\d+)(?P<sep>\\.)\\s*(?P<rest>.*)$"}
    )
    patterns = parse_patterns(data)
    provisions = split_provisions(source("Numeral 1. Uno.\nNumeral 2. Dos."), patterns)
    assert labels(provisions) == ["1", "2"]
