"""Practitioners' citation strings with pinpoints, on real provision texts of the corpus."""

from __future__ import annotations

import pytest

from laborlex_core.citations.practitioner import match_offset, pinpoint_path, practitioner_citation

LFT_47 = (
    "Artículo 47.- Son causas de rescisión de la relación de trabajo, sin responsabilidad para el patrón:\n"
    "I. Engañarlo el trabajador o en su caso, el sindicato que lo hubiese propuesto con certificados falsos;\n\n"
    "II. Incurrir el trabajador, durante sus labores, en faltas de probidad u honradez;\n\n"
    "III. Cometer el trabajador contra alguno de sus compañeros cualquiera de los actos enumerados;\n"
)
FLSA_207 = (
    "#### § 207. Maximum hours\n##### (a) Employees engaged in interstate commerce\n\n"
    "(1) Except as otherwise provided in this section, no employer shall employ any of his employees "
    "for a workweek longer than forty hours unless such employee receives compensation.\n\n"
    "(2) No employer shall employ any of his employees—\n\n(A) for a workweek longer than forty-four hours;\n\n"
    "##### (b) Employment pursuant to collective bargaining agreement\n\nNo employer shall be deemed to have violated"
)
GE_27 = (
    "მუხლი 27. ზეგანაკვეთური სამუშაო\n1. ზეგანაკვეთური სამუშაო არის მხარეთა შეთანხმებით დასაქმებულის მიერ სამუშაოს შესრულება.\n"
    "2. ზეგანაკვეთური სამუშაო ანაზღაურდება შრომის ანაზღაურების საათობრივი განაკვეთის გაზრდილი ოდენობით.\n"
)
C029_2 = (
    "Artículo 2\n1. A los efectos del presente Convenio, la expresión trabajo forzoso u\nobligatorio designa todo trabajo.\n"
    "2. Sin embargo, a los efectos del presente Convenio, la expresión trabajo\nforzoso u obligatorio no comprende:\n"
    "a) cualquier trabajo o servicio que se exija en virtud de las leyes sobre el\nservicio militar obligatorio;\n"
    "b) cualquier trabajo o servicio que forme parte de las obligaciones cívicas; c) cualquier trabajo penal"
)
C029_KA = "მუხლი 2\n1. წინამდებარე კონვენციის მიზნებისათვის ტერმინი ნიშნავს.\n2. ტერმინი არ გულისხმობს:\na) ნებისმიერ სამუშაოს სამხედრო;\n"
HN_321 = "Artículo 321. Trabajo diurno es el que se ejecuta entre las cinco horas y las diecinueve."


def meta(doc_id: str, article: str, language: str, jurisdiction: str, kind: str = "statute", title: str = "", unit: str = "article") -> dict:
    return {"doc_id": doc_id, "article": article, "language": language, "jurisdiction": jurisdiction, "kind": kind,
            "title": title or doc_id, "unit": unit}


# (meta, text, the words the match lies in, expected citation)
CASES = {
    "mx-article": (meta("mx-lft-es", "47", "es", "MX"), LFT_47, None, "Ley Federal del Trabajo, artículo 47"),
    "mx-fraction": (meta("mx-lft-es", "47", "es", "MX"), LFT_47, "Cometer el trabajador",
                    "Ley Federal del Trabajo, artículo 47, fracción III"),
    "mx-fraction-I": (meta("mx-lft-es", "47", "es", "MX"), LFT_47, "certificados falsos",
                      "Ley Federal del Trabajo, artículo 47, fracción I"),
    "mx-chapeau": (meta("mx-lft-es", "47", "es", "MX"), LFT_47, "causas de rescisión", "Ley Federal del Trabajo, artículo 47"),
    "us-subsection-paragraph": (meta("us-flsa-en", "207", "en", "US", unit="section"), FLSA_207, "forty hours",
                                "29 U.S.C. § 207(a)(1)"),
    "us-subparagraph": (meta("us-flsa-en", "207", "en", "US", unit="section"), FLSA_207, "forty-four hours",
                        "29 U.S.C. § 207(a)(2)(A)"),
    "us-next-subsection": (meta("us-flsa-en", "207", "en", "US", unit="section"), FLSA_207, "deemed to have violated",
                           "29 U.S.C. § 207(b)"),
    "us-nlra": (meta("us-nlra-en", "158", "en", "US", unit="section"), "#### § 158. Unfair labor practices", None, "29 U.S.C. § 158"),
    "ge-article": (meta("ge-labour-code-ka", "27", "ka", "GE"), GE_27, None,
                   "საქართველოს ორგანული კანონი „საქართველოს შრომის კოდექსი“, მუხლი 27"),
    "ge-paragraph": (meta("ge-labour-code-ka", "27", "ka", "GE"), GE_27, "საათობრივი განაკვეთის",
                     "საქართველოს ორგანული კანონი „საქართველოს შრომის კოდექსი“, მუხლი 27, პუნქტი 2"),
    "ge-en": (meta("ge-labour-code-en", "27", "en", "GE"), "Article 27\n1. Overtime work\n2. Overtime shall be paid", "shall be paid",
              "Organic Law of Georgia “Labour Code of Georgia”, Article 27(2)"),
    "ilo-es": (meta("ilo-c029-es", "2", "es", "INTL", "convention", "Convenio sobre el trabajo forzoso, 1930 (núm. 29)"), C029_2, None,
               "Convenio sobre el trabajo forzoso, 1930 (núm. 29), artículo 2"),
    "ilo-es-item": (meta("ilo-c029-es", "2", "es", "INTL", "convention", "Convenio sobre el trabajo forzoso, 1930 (núm. 29)"), C029_2,
                    "servicio militar", "Convenio sobre el trabajo forzoso, 1930 (núm. 29), artículo 2, párrafo 2, apartado a)"),
    "ilo-es-inline-item": (meta("ilo-c029-es", "2", "es", "INTL", "convention", "Convenio sobre el trabajo forzoso, 1930 (núm. 29)"),
                           C029_2, "trabajo penal", "Convenio sobre el trabajo forzoso, 1930 (núm. 29), artículo 2, párrafo 2, apartado c)"),
    "ilo-ka": (meta("ilo-c029-ka", "2", "ka", "INTL", "convention"), C029_KA, "სამხედრო",
               "შრომის საერთაშორისო ორგანიზაციის კონვენცია №29, მუხლი 2, პუნქტი 2, ქვეპუნქტი „a“"),
    "ilo-en": (meta("ilo-c182-en", "3", "en", "INTL", "convention", "Worst Forms of Child Labour Convention, 1999 (No. 182)"),
               "Article 3\nFor the purposes of this Convention, the term comprises:\n(a) all forms of slavery;\n(b) the use of a child",
               "use of a child", "Worst Forms of Child Labour Convention, 1999 (No. 182), Article 3(b)"),
    "hn": (meta("hn-codigo-trabajo-es", "321", "es", "HN"), HN_321, "diurno",
           "Código del Trabajo de Honduras (Decreto 189 de 1959), artículo 321"),
    "usmca": (meta("usmca-ch23-en", "23.3", "en", "INTL", "treaty"), "Article 23.3: Labor Rights\n1. Each Party shall adopt\n(a) freedom of association", "freedom",
              "USMCA, Article 23.3.1(a)"),
    "ruling-paragraph": (meta("us-scotus-encino-motorcars-v-navarro-2018-en", "4", "en", "US", "case_law",
                              "Encino Motorcars, LLC v. Navarro, No. 16-1362 (U.S. 2018)", unit="paragraph"), "text", None,
                         "Encino Motorcars, LLC v. Navarro, No. 16-1362 (U.S. 2018), para. 4"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_practitioner_citation(case: str) -> None:
    meta_, text, words, expected = CASES[case]
    offset = text.index(words) if words else None
    assert practitioner_citation(meta_, text, offset) == expected


def test_match_offset_finds_the_marked_word_of_an_excerpt() -> None:
    snippet = "… III. Cometer el trabajador contra alguno de sus compañeros"
    start = snippet.index("compañeros")
    offset = match_offset(LFT_47, snippet, [(start, start + len("compañeros"))])
    assert LFT_47[offset : offset + 10] == "compañeros"
    assert pinpoint_path(LFT_47, offset, "mx") == [("fraction", "III")]
    assert match_offset(LFT_47, snippet, []) is None
