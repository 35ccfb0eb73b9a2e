"""Table-driven checks of the citation patterns and the alias table on real sentences.

Every sentence below is copied verbatim from a document of ../shared/corpus (a passage as the
pipeline stores it), with the document, article and kind that cite. Each row lists what must
be extracted: the words, and the provision (``DOC:ARTICLE``), document (``DOC:``) or nothing
(None, unresolved) they resolve to. Rows with nothing expected are the negatives: dates,
amounts, registry headers of the document itself, page and case numbers, list numbering.
"""

from __future__ import annotations

import pytest

from laborlex_core.citations import CitingContext, extract_citations

LFT = ("mx-lft-es", "statute", "MX")
FLSA = ("us-flsa-en", "statute", "US")
GE_CODE = ("ge-labour-code-ka", "statute", "GE")

# (language, (doc, kind, jurisdiction), citing article, sentence, [(text, target)])
ROWS = [
    # ---- Spanish --------------------------------------------------------------------------
    ("es", LFT, "333", "como horas extras, conforme a lo dispuesto en los artículos 58 a 68 del presente ordenamiento.",
     [("artículos 58", "mx-lft-es:58")] + [(None, f"mx-lft-es:{n}") for n in range(59, 68)] + [("68 del presente ordenamiento", "mx-lft-es:68")]),
    ("es", LFT, "518", "estará a lo previsto en la fracción III del artículo 521 del presente ordenamiento.",
     [("la fracción III del artículo 521 del presente ordenamiento", "mx-lft-es:521")]),
    ("es", LFT, "Transitorio 6 (DOF 30-11-2012)", "profesional de carrera a que se refiere el artículo 525-Bis de la Ley, acorde a su régimen jurídico a partir",
     [("artículo 525-Bis de la Ley", "mx-lft-es:525 Bis")]),
    ("es", LFT, "590-B", "fracción XX del artículo 123, apartado A, de la Constitución Política de los Estados Unidos Mexicanos.",
     [("fracción XX del artículo 123, apartado A, de la Constitución Política de los Estados Unidos Mexicanos", None)]),
    ("es", LFT, "132", "Artículo 123 Constitucional; de la Ley Reglamentaria de la Fracción XIII Bis del Apartado",
     [("Artículo 123 Constitucional", None)]),
    ("es", LFT, "Transitorio 13 (DOF 30-11-2012)", "médicos en materia de medicina del trabajo a que se refiere el artículo 899-G de este Decreto, dentro de",
     [("artículo 899-G de este Decreto", None)]),
    ("es", LFT, "Transitorio 4 (DOF 23-04-2021)", "Para fines de lo dispuesto en el párrafo tercero del artículo 41 de la Ley Federal del Trabajo, tratándose de empresas",
     [("párrafo tercero del artículo 41 de la Ley Federal del Trabajo", "mx-lft-es:41")]),
    ("es", ("mx-scjn-ejecutoria-ct-201-2005-ss-es", "case_law", "MX"), "3",
     "De acuerdo con el artículo 784, fracción VIII, de la Ley Federal del Trabajo, la carga de la prueba del tiempo efectivamente laborado",
     [("artículo 784, fracción VIII, de la Ley Federal del Trabajo", "mx-lft-es:784")]),
    ("es", ("mx-scjn-seleccion-jurisprudencial-laboral-es", "case_law", "MX"), "3",
     "conducta implica una falta de probidad en los trminos de la fraccin II del\nartculo 122 de la ley laboral, ya que indiscutiblemente",
     [("la fraccin II del\nartculo 122 de la ley laboral", "mx-lft-es:122")]),
    ("es", ("mx-sjf-semanal-2026-05-15-rubros", "case_law_index", "MX"), "2032133",
     "LA SUSPENSIÓN DE LABORES Y DE PLAZOS DECRETADA POR ÓRGANOS DEL PODER JUDICIAL DE LA FEDERACIÓN NO PRORROGA EL TÉRMINO PREVISTO EN LOS ARTÍCULOS 516 Y 522 DE LA LEY FEDERAL DEL TRABAJO.",
     [("ARTÍCULOS 516", "mx-lft-es:516"), ("522 DE LA LEY FEDERAL DEL TRABAJO", "mx-lft-es:522")]),
    ("es", ("mx-tcc-tesis-2005174-es", "case_law", "MX"), "2",
     "la Segunda Sala de la Suprema Corte de Justicia de la Nación sostuvo la jurisprudencia 2a./J. 3/2011, publicada en el Semanario",
     [("jurisprudencia 2a./J. 3/2011", None)]),
    ("es", ("mx-scjn-tesis-181711-es", "case_law", "MX"), "1",
     "La Suprema Corte de Justicia de la Nación ha establecido que la jubilación no tiene fundamento en la Ley Federal del Trabajo, sino que es de origen contractual",
     [("Ley Federal del Trabajo", "mx-lft-es:")]),
    ("es", ("ilo-c095-es", "convention", "INTL"), "preamble", "Este Convenio ha sido parcialmente revisado en 1992 por el Convenio núm. 173.",
     [("Convenio núm. 173", None)]),
    ("es", ("ilo-c138-es", "convention", "INTL"), "10", "1919, de conformidad con su artículo 12,",
     [("su artículo 12", None)]),
    ("es", ("ilo-c095-es", "convention", "INTL"), "2",
     "memoria anual sobre la aplicación del Convenio, que habrá de presentar en virtud del artículo 22 de la Constitución de la Organización Internacional del Trabajo",
     [("artículo 22 de la Constitución de la Organización Internacional del Trabajo", None)]),
    # Spanish negatives
    ("es", LFT, "Transitorio 1 (DOF 30-11-2012)", "Publicado en el Diario Oficial de la Federación el 30 de noviembre de 2012", []),
    ("es", LFT, "1004-B", "juicio laboral, se le impondrá una multa de 100 a 1000 veces la Unidad de Medida y Actualización.", []),
    ("es", LFT, "1", "Artículo 1o.- La presente Ley es de observancia general en toda la República y rige las relaciones de", []),
    ("es", LFT, "47", "Artículo reformado DOF 30-11-2012", []),
    ("es", ("mx-sjf-semanal-2026-05-15-rubros", "case_law_index", "MX"), "2032126", "Registro digital: 2032126", []),
    ("es", ("mx-scjn-tesis-181711-es", "case_law", "MX"), "1",
     "Fuente: Semanario Judicial de la Federación y su Gaceta XIX, Abril de 2004 Tesis: 2a./J. 30/2004 Página: 430 LUZ Y FUERZA DEL CENTRO.", []),
    # ---- Georgian -------------------------------------------------------------------------
    ("ka", GE_CODE, "17",
     "გამოსაცდელი ვადით დადებული შრომითი ხელშეკრულების შეწყვეტის შემთხვევაზე არ ვრცელდება ამ კანონის 48-ე მუხლით გათვალისწინებული მოთხოვნები",
     [("ამ კანონის 48-ე მუხლით", "ge-labour-code-ka:48")]),
    ("ka", GE_CODE, "50",
     "წინაპირობების დაცვით შრომითი ხელშეკრულების ამ კანონის 47-ე მუხლის პირველი პუნქტის „ა“ ქვეპუნქტით გათვალისწინებული საფუძვლით შეწყვეტისას",
     [("ამ კანონის 47-ე მუხლის პირველი პუნქტის „ა“ ქვეპუნქტით", "ge-labour-code-ka:47")]),
    ("ka", GE_CODE, "21", "დამსაქმებლის მიერ ამ მუხლის მე-2 პუნქტით გათვალისწინებული ვადის გადამეტება მიიჩნევა შრომითი ხელშეკრულების არსებითი პირობების შეცვლად.",
     [("ამ მუხლის მე-2 პუნქტით", "ge-labour-code-ka:21")]),
    ("ka", GE_CODE, "26", "მოება. ეს უთანხმოება უნდა გადაწყდეს ამ კანონის 62-ე ან 63-ე მუხლით გათვალისწინებული შემათანხმებელი პროცედურით",
     [("ამ კანონის 62-ე", "ge-labour-code-ka:62"), ("63-ე მუხლით", "ge-labour-code-ka:63")]),
    ("ka", ("ge-labour-inspection-law-ka", "statute", "GE"), "3",
     "ა) შრომითი ნორმები - საქართველოს კონსტიტუციის, საქართველოს საერთაშორისო ხელშეკრულებების, საქართველოს ორგანული კანონის „საქართველოს შრომის კოდექსი“, „შრომის უსაფრთხოების შესახებ“ საქართველოს ორგანული კანონის,",
     [("საქართველოს ორგანული კანონის „საქართველოს შრომის კოდექსი“", "ge-labour-code-ka:"),
      ("„შრომის უსაფრთხოების შესახებ“ საქართველოს ორგანული კანონის", "ge-occupational-safety-law-ka:")]),
    ("ka", ("ilo-c029-ka", "convention", "INTL"), "7",
     "კომპეტენტური პირების სპეციალური ნებართვით შეუძლიათ წინამდებარე კონვენციის მე-10 მუხლით გათვალისწინებული პირობებით",
     [("წინამდებარე კონვენციის მე-10 მუხლით", "ilo-c029-ka:10")]),
    ("ka", ("ilo-c098-ka", "convention", "INTL"), "13", "სარეგისტრაციოდ უგზავნის, გაეროს წესდების 102 მუხლის შესაბამისად, სრულ ცნობებს",
     [("გაეროს წესდების 102 მუხლის", None)]),
    # Georgian negatives: dates, durations, list numbering
    ("ka", ("ge-supremecourt-as-1502-1422-2017-ka", "case_law", "GE"), "1", "საქმე №ას-1502-1422-2017 20 თებერვალი, 2018 წელი,", []),
    ("ka", GE_CODE, "12", "ბა არ შეიძლება იყოს 3 თვეზე ნაკლები. 7. ამ მუხლის მე-6 პუნქტის მოქმედება არ ვრცელდება",
     [("ამ მუხლის მე-6 პუნქტის", "ge-labour-code-ka:12")]),
    # ---- English --------------------------------------------------------------------------
    ("en", FLSA, "213", "The provisions of section 207 of this title shall not apply with respect to",
     [("section 207 of this title", "us-flsa-en:207")]),
    ("en", FLSA, "206", "(1) Notwithstanding the provisions of section 213 of this title (except subsections (a)(1) and (f) thereof), every employer",
     [("section 213 of this title", "us-flsa-en:213")]),
    ("en", FLSA, "206", "wages at rates not less than those prescribed in subsection (a)(1) of this section.",
     [("subsection (a)(1) of this section", "us-flsa-en:206")]),
    ("en", FLSA, "216", "as provided in section 6(a) of the Portal-to-Portal Act of 1947 [ 29 U.S.C. 255(a) ], it shall be",
     [("section 6(a) of the Portal-to-Portal Act of 1947", None), ("29 U.S.C. 255(a)", None)]),
    ("en", ("us-scotus-encino-motorcars-v-navarro-2018-en", "case_law", "US"), "3",
     "are exempt from the FLSA’s overtime-pay requirement under \n29 U.S. C\n. §213(b)(10)(A), which applies to",
     [("FLSA", "us-flsa-en:"), ("29 U.S. C\n. §213(b)(10)(A)", "us-flsa-en:213")]),
    ("en", ("ilo-c087-en", "convention", "INTL"), "preamble",
     "The document itself reproduces only Articles 2, 8, 9 and 11 of Convention No. 87 (not the whole Convention).]",
     [("Articles 2", "ilo-c087-en:2"), ("8", "ilo-c087-en:8"), ("9", "ilo-c087-en:9"), ("11 of Convention No. 87", "ilo-c087-en:11")]),
    ("en", FLSA, "213", "(2) Repealed. Pub. L. 101–157, §\u202f3(c)(1) , Nov. 17, 1989 , 103 Stat. 939 .",
     [("Pub. L. 101–157, §\u202f3(c)(1)", None)]),
    # English negatives: a US Reports citation, a docket number and dates, the section's heading
    ("en", ("us-scotus-encino-motorcars-v-navarro-2018-en", "case_law", "US"), "1",
     "See United States v. Detroit Timber & Lumber Co., 200 U.S. 321 , 337.", []),
    ("en", ("us-scotus-encino-motorcars-v-navarro-2018-en", "case_law", "US"), "1",
     "No. 16–1362. Argued January 17, 2018—Decided April 2, 2018", []),
    ("en", FLSA, "207", "#### §\u202f207. Maximum hours", []),
]


def _expected_target(citation) -> str | None:
    if citation.target_doc is None:
        return None
    return f"{citation.target_doc}:{citation.target_article or ''}"


@pytest.mark.parametrize(("language", "source", "article", "sentence", "expected"), ROWS, ids=[f"{r[0]}-{i}" for i, r in enumerate(ROWS)])
def test_real_sentences(language: str, source: tuple[str, str, str], article: str, sentence: str, expected: list) -> None:
    doc_id, kind, jurisdiction = source
    found = extract_citations(sentence, CitingContext(doc_id, article, language, jurisdiction, kind))
    assert [_expected_target(c) for c in found] == [target for _, target in expected], found
    for citation, (text, _) in zip(found, expected):
        assert sentence[citation.start : citation.end] == citation.text
        if text is not None:
            assert citation.text == text


def test_parts_of_articles_are_kept_as_detail() -> None:
    found = extract_citations(
        "estará a lo previsto en la fracción III del artículo 521 del presente ordenamiento.",
        CitingContext("mx-lft-es", "518", "es", "MX", "statute"),
    )
    assert found[0].detail == "fracción III"
    found = extract_citations("under \n29 U.S. C\n. §213(b)(10)(A), which", CitingContext("x", "1", "en", "US", "case_law"))
    assert (found[0].target_article, found[0].detail) == ("213", "(b)(10)(A)")


def test_unresolved_citations_keep_the_instrument_named() -> None:
    found = extract_citations(
        "fracción XX del artículo 123, apartado A, de la Constitución Política de los Estados Unidos Mexicanos.",
        CitingContext("mx-lft-es", "590-B", "es", "MX", "statute"),
    )
    assert found[0].instrument == "Constitución Política de los Estados Unidos Mexicanos"
    assert not found[0].resolved


def test_an_act_section_is_its_us_code_section() -> None:
    """'section 7 of the FLSA' is 29 U.S.C. § 207: the corpus labels sections by the Code."""
    found = extract_citations("section 7(g) of the Fair Labor Standards Act of 1938", CitingContext("x", "1", "en", "US", "case_law"))
    assert (found[0].target_doc, found[0].target_article) == ("us-flsa-en", "207")


def test_rulings_resolve_by_tesis_and_registry_number() -> None:
    context = CitingContext("mx-tcc-tesis-2005174-es", "2", "es", "MX", "case_law")
    found = extract_citations("la tesis 2a./J. 30/2004 y el registro 181711, así como el registro digital 2032133", context)
    assert [(c.kind, c.target_doc, c.target_article) for c in found] == [
        ("ruling", "mx-scjn-tesis-181711-es", None),
        ("ruling", "mx-scjn-tesis-181711-es", None),
        ("ruling", "mx-sjf-semanal-2026-05-15-rubros", "2032133"),
    ]
    assert all(c.resolved for c in found)
