"""Legacy Georgian fonts (AcadNusx family): detection and conversion, by font and by letter patterns.

Positive cases are real Georgian sentences of the corpus typed as a legacy font stores them
(the table inverted); they must convert back exactly. Negative cases are the corpus's English
and Spanish texts and passages, alone and inside a legacy Georgian document: unchanged.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from ingest.readers import legacy_georgian, read_source
from ingest.readers.normalize import normalize_text
from ingest.readers.legacy_georgian import convert_by_patterns, looks_legacy, to_legacy, to_unicode
from laborlex_core.schema import DocumentMeta
from laborlex_core.settings import Settings
from tests.ingest.readers.formats_gen import write_docx, write_html

GEORGIAN_DOCS = [
    "ge-labour-code-ka.txt", "ge-antidiscrimination-law-ka.txt", "ge-labour-inspection-law-ka.txt",
    "ge-occupational-safety-law-ka.txt", "ge-trade-unions-law-ka.txt", "ilo-c029-ka.txt", "ilo-c098-ka.txt",
    "ilo-c100-ka.txt", "ilo-c182-ka.txt", "ge-supremecourt-as-1502-1422-2017-ka.txt",
]
LATIN_DOCS = [
    "us-flsa-en.txt", "us-nlra-en.txt", "ilo-c081-en.txt", "usmca-ch23-en.txt", "ge-labour-code-en.txt",
    "ilo-c029-es.txt", "ilo-c095-es.txt", "hn-codigo-trabajo-es.txt", "mx-scjn-tesis-181711-es.txt",
    "us-scotus-encino-motorcars-v-navarro-2018-en.txt",
]
SENTENCES_PER_DOC = 12


def georgian_sentences(docs: Path, name: str) -> list[str]:
    """Lines of a Georgian corpus file that are sentences in Georgian script only, spread over the file."""
    lines = [
        line for line in (docs / name).read_text(encoding="utf-8").split("\n")
        if 40 <= len(line) <= 300 and re.search("[ა-ჰ]", line) and not re.search("[A-Za-z]", line)
    ]
    return lines[:: max(1, len(lines) // SENTENCES_PER_DOC)][:SENTENCES_PER_DOC]


def latin_passages(docs: Path, name: str, count: int = 8) -> list[str]:
    """Runs of three consecutive non-empty lines (a passage) from an English or Spanish file."""
    lines = [line for line in (docs / name).read_text(encoding="utf-8").split("\n") if re.search("[A-Za-z]{3}", line)]
    step = max(3, len(lines) // count)
    return ["\n".join(lines[i : i + 3]) for i in range(0, len(lines) - 3, step)][:count]


def test_table_is_data_and_names_its_source():
    raw = json.loads(resources.files("ingest.readers").joinpath("data", "acadnusx.json").read_text(encoding="utf-8"))
    assert "AcadNusx keyboard layout" in raw["source"]
    assert len(raw["map"]) == 33 and len(set(raw["map"].values())) == 33  # the 33 letters of Mkhedruli, one key each
    assert to_unicode("saqarTvelos Sromis kodeqsi") == "საქართველოს შრომის კოდექსი"


@pytest.mark.parametrize("name", GEORGIAN_DOCS)
def test_real_georgian_sentences_in_legacy_encoding_convert_back_exactly(corpus_dir, name):
    sentences = georgian_sentences(corpus_dir / "docs", name)
    assert len(sentences) >= 5
    legacy = [to_legacy(s) for s in sentences]
    assert not any(re.search("[ა-ჰ]", s) for s in legacy)
    converted, changed = convert_by_patterns("\n".join(legacy))
    assert converted.split("\n") == sentences
    assert changed == sum(len(re.findall("[ა-ჰ]", s)) for s in sentences)


@pytest.mark.parametrize("name", LATIN_DOCS)
def test_english_and_spanish_texts_stay_unchanged(corpus_dir, name):
    text = (corpus_dir / "docs" / name).read_text(encoding="utf-8")[:20_000]
    assert not looks_legacy(text)
    assert convert_by_patterns(text) == (text, 0)


@pytest.mark.parametrize("name", LATIN_DOCS)
def test_english_and_spanish_passages_inside_a_legacy_document_stay_unchanged(corpus_dir, name):
    docs = corpus_dir / "docs"
    georgian = "\n".join(georgian_sentences(docs, "ilo-c029-ka.txt")[:6])
    for passage in latin_passages(docs, name):
        mixed = f"{to_legacy(georgian)}\n{passage}\n{to_legacy(georgian)}"
        converted, _ = convert_by_patterns(mixed)
        assert converted == f"{georgian}\n{passage}\n{georgian}"


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [
        ("ix. https://matsne.gov.ge/ka/document/view/1155567 saqarTvelos Sromis kodeqsi",
         "იხ. https://matsne.gov.ge/ka/document/view/1155567 საქართველოს შრომის კოდექსი"),
        ("ILO-s konvencia №29, muxli 2, 1930 wlis 28 ivnisi", "ILO-ს კონვენცია №29, მუხლი 2, 1930 წლის 28 ივნისი"),
        ("Tavi II. Sromis xelSekruleba", "თავი II. შრომის ხელშეკრულება"),
        ("kontaqti: info@moh.gov.ge, 29 U.S.C. § 207 Tanaxmad", "კონტაქტი: info@moh.gov.ge, 29 U.S.C. § 207 თანახმად"),
    ],
)
def test_latin_inside_legacy_georgian_lines_is_kept(legacy, expected):
    document = to_legacy("საქართველოს შრომის კოდექსი ადგენს შრომით ურთიერთობებს და სხვა ურთიერთობებს") + "\n" + legacy
    converted, _ = convert_by_patterns(document)
    assert converted.split("\n")[1] == expected


# --- files in a legacy font --------------------------------------------------------------------

LEGACY_TEXT = "muxli 1. kanonis mizani\nes kanoni gansazRvravs Sromis urTierTobebs saqarTvelos teritoriaze."
UNICODE_TEXT = "მუხლი 1. კანონის მიზანი\nეს კანონი განსაზღვრავს შრომის ურთიერთობებს საქართველოს ტერიტორიაზე."
ENGLISH_LINE = "See the Labour Code of Georgia, Article 1 (English translation)."


@pytest.fixture(scope="module")
def acadnusx_ttf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """DejaVu Sans renamed 'AcadNusx': a PDF drawn with it names the legacy font as real ones do."""
    from fontTools.ttLib import TTFont

    font = TTFont("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    for record in font["name"].names:
        if record.nameID in (1, 3, 4, 6):
            record.string = "AcadNusx"
    path = tmp_path_factory.mktemp("fonts") / "AcadNusx.ttf"
    font.save(str(path))
    return path


def _read(path: Path, tmp_path: Path):
    return read_source(path, DocumentMeta(doc_id="legacy", title="x", language="ka"), Settings(data_dir=tmp_path / "data"))


def test_pdf_in_a_legacy_font_is_converted_by_the_font_and_latin_in_other_fonts_is_not(acadnusx_ttf, tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont as RLFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(RLFont("AcadNusx", str(acadnusx_ttf)))
    path = tmp_path / "legacy.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("AcadNusx", 12)
    y = 750
    for line in LEGACY_TEXT.split("\n"):
        c.drawString(72, y, line)
        y -= 16
    c.setFont("Helvetica", 12)
    c.drawString(72, y, ENGLISH_LINE)  # Latin in a Latin font: "saqarTvelo"-like words would be wrong here
    c.save()
    read = _read(path, tmp_path)
    assert read.text.split("\n") == [*UNICODE_TEXT.split("\n"), ENGLISH_LINE]
    assert "AcadNusx" in read.notes["legacy_font"] and read.notes["legacy_letters"] > 50


def test_pdf_legacy_text_layer_without_a_font_name_is_converted_by_patterns(make_pdf, tmp_path):
    path = make_pdf("renamed.pdf", [[*LEGACY_TEXT.split("\n"), ENGLISH_LINE]])
    read = _read(path, tmp_path)
    assert read.text.split("\n") == [*UNICODE_TEXT.split("\n"), ENGLISH_LINE]
    assert read.notes["legacy_font"].endswith("(by letter patterns)")


def test_docx_runs_in_a_legacy_font_are_converted(tmp_path):
    import docx

    path = tmp_path / "legacy.docx"
    document = docx.Document()
    for line in LEGACY_TEXT.split("\n"):
        document.add_paragraph().add_run(line).font.name = "AcadNusx"
    mixed = document.add_paragraph()
    mixed.add_run("Tbilisi, ").font.name = "AcadNusx"
    mixed.add_run("Tbilisi City Court").font.name = "Times New Roman"
    document.save(str(path))
    read = _read(path, tmp_path)
    assert read.text.split("\n") == [*UNICODE_TEXT.split("\n"), "თბილისი, Tbilisi City Court"]
    assert read.notes["legacy_font"] == "AcadNusx"


@pytest.mark.parametrize("writer", [write_docx, write_html], ids=["docx", "html"])
def test_docx_and_html_in_legacy_encoding_without_font_names_are_converted(corpus_dir, tmp_path, writer):
    original = (corpus_dir / "docs" / "ilo-c182-ka.txt").read_text(encoding="utf-8")
    path = writer(tmp_path / f"legacy.{writer.__name__[6:]}", to_legacy(original))
    expected = writer(tmp_path / f"unicode.{writer.__name__[6:]}", original)
    def lines(text: str) -> list[str]:  # headings are styled only where the writer saw "მუხლი"
        return [line for line in text.split("\n") if line]

    assert lines(_read(path, tmp_path).text) == lines(_read(expected, tmp_path).text)


def test_html_font_face_legacy_is_converted(tmp_path):
    path = tmp_path / "old.html"
    path.write_text(
        '<html><body><p><font face="AcadNusx">saqarTvelos Sromis kodeqsi</font> (Labour Code of Georgia)</p></body></html>',
        encoding="utf-8",
    )
    read = _read(path, tmp_path)
    assert read.text == "საქართველოს შრომის კოდექსი (Labour Code of Georgia)"
    assert read.notes["legacy_font"] == "AcadNusx"


def test_plain_text_in_legacy_encoding_is_converted(corpus_dir, tmp_path):
    original = normalize_text((corpus_dir / "docs" / "ilo-c029-ka.txt").read_text(encoding="utf-8"))
    path = tmp_path / "legacy.txt"
    path.write_text(to_legacy(original), encoding="utf-8")
    read = _read(path, tmp_path)
    georgian_only = [i for i, line in enumerate(original.split("\n")) if not re.search("[A-Za-z]", line)]
    got = read.text.split("\n")
    assert [got[i] for i in georgian_only] == [original.split("\n")[i] for i in georgian_only]
    assert read.notes["legacy_letters"] > 10_000
    assert read.text.count("მუხლი") == original.count("მუხლი")


def test_font_names_of_the_family_are_recognized():
    table = legacy_georgian.table()
    for name in ["ABCDEF+AcadNusx", "AcadNusx,Bold", "Acad Nusx", "LitNusx", "AcadMtavr-Italic"]:
        assert table.font_is_legacy(name), name
    for name in ["Helvetica", "TimesNewRomanPSMT", "Sylfaen", "DejaVuSans", None]:
        assert not table.font_is_legacy(name), name
