"""Table-driven checks of the pattern data against real lines of the corpus files.

Every line below is copied verbatim from a file in shared/corpus (docs/ or pdf-text/),
except the synthetic OCR paragraph of the inline-heading tests.

Each row is a line as it appears in a corpus document and what the splitter must make of
it. Negatives matter as much as positives: cross-references, dates and amounts that start
a line must never open a provision.
"""

from __future__ import annotations

import pytest

from ingest.structure import load_patterns
from ingest.structure.matchers import (
    find_inline_articles,
    is_boundary,
    is_instrument_marker,
    match_article,
    match_heading,
    match_quote_introducer,
    match_transitional_article,
)

P = load_patterns()


ARTICLE_LINES = [
    # Mexico, Ley Federal del Trabajo (pdf-text/mx-lft-es.txt)
    ("es", "Artículo 1o.- La presente Ley es de observancia general en toda la República y rige las relaciones de", "1"),
    ("es", "Artículo 3o. Bis.- Para efectos de esta Ley se entiende por:", "3 Bis"),
    ("es", "Artículo 3o. Ter.- Para efectos de esta Ley se entenderá por:", "3 Ter"),
    ("es", "Artículo 22 Bis. Queda prohibido el trabajo de menores de quince años; no podrá utilizarse el trabajo", "22 Bis"),
    ("es", "Artículo 47.- Son causas de rescisión de la relación de trabajo, sin responsabilidad para el patrón:", "47"),
    ("es", "Artículo 153-A. Los patrones tienen la obligación de proporcionar a todos los trabajadores, y éstos a", "153-A"),
    ("es", "Artículo 153-F Bis. Los patrones deberán conservar a disposición de la Secretaría del Trabajo y", "153-F Bis"),
    ("es", "Artículo 279 Quáter.- El patrón llevará un padrón especial de los trabajadores contratados por", "279 Quáter"),
    ("es", "Artículo 15-A. Se deroga.", "15-A"),
    ("es", "Artículo 153-O. (Se deroga).", "153-O"),
    ("es", "Artículo 890- Se deroga.", "890"),
    ("es", "Artículo 17.- A falta de disposición expresa en la Constitución, en esa Ley o en sus Reglamentos, o", "17"),
    ("es", "Artículo 1010.- Las sanciones se harán efectivas por las autoridades que designen las leyes.", "1010"),
    ("es", "Artículo 1º.- Esta Ley entrará en vigor el día 1o. de mayo de 1970, con excepción de los artículos 71 y", "1"),
    # ILO conventions (Costa Rica compilations) and Honduras
    ("es", "Artículo 2", "2"),
    ("es", "ARTÍCULO 1", "1"),
    ("es", "Artículo 1.1.-El presente Convenio se aplica a todas las ramas de actividad económica.", "1"),
    ("es", "Artículo 23.1.-En caso de que la Conferencia adopte un nuevo convenio que implique una revisión total", "23"),
    ("es", "Artículo 10.Cuando las medidas adoptadas en virtud del artículo 9º no reduzcan la contaminación del", "10"),
    ("es", "Artículo 3.-", "3"),
    ("es", "Art. 112. Son causas justas que facultan al patrono para dar por terminado el contrato de trabajo, sin responsabilidad de su parte:", "112"),
    ("es", "Artículo 318.", "318"),
    ("es", "Artículo 19. Contrato individual de trabajo es aquel por el cual una persona natural se obliga a ejecutar una obra o a prestar sus servicios personales a otra persona, natural o jurídica, bajo la continua dependencia o subordinación de ésta, y mediante una remuneración.", "19"),
    # Spanish negatives: references, dates, amounts, amendment notes
    ("es", "Artículo 123 Constitucional; de la Ley Reglamentaria de la Fracción XIII Bis del Apartado", None),
    ("es", "Artículo reformado DOF 30-11-2012", None),
    ("es", "Artículo adicionado DOF 04-01-1980", None),
    ("es", "artículo 136. Tampoco quedarán exentas de esta aportación respecto de aquellos trabajadores que", None),
    ("es", "artículo 15 de esta Ley.", None),
    ("es", "artículo 22 de la Constitución de la Organización Internacional del Trabajo,", None),
    ("es", "trabajo comprendidas en el artículo 123, Apartado A, de la Constitución.", None),
    ("es", "133 de la Constitución serán aplicables a las relaciones de trabajo en todo lo que beneficien al trabajador,", None),
    ("es", "del Artículo 27 Constitucional en Materia Nuclear; 9, fracción I, de la Ley de la Comisión Nacional de", None),
    ("es", "4 Interpretación Artículo 17, según Decreto 138-93 del 30 de agosto de 1993, publicado eb el Diario Oficial La Gaceta No.27,156 del 24 de septiembre de 1993, en el sentido de que los dictámenes, incapacidades o cualquier tipo de opinión médica dada por profesionales de la medicina a trabajadores y sólo para efectos laborales, deberán extenderse en papel común membretado que usan dichos profesionales.", None),
    ("es", "c) Todo acto grave de violencia, injurias o malos tratamientos, fuera del servicio, en contra del patrono, de los miembros de su familia o de sus representantes y socios, o personal directivo, cuando los 24 Artículo 111 reformado por el Decreto No. 243 (Gaceta No. 21,624 del 25 de julio de 1975). 74 Código del Trabajo de Honduras", None),
    ("es", "ARTÍCULOS TRANSITORIOS DE DECRETOS DE REFORMA", None),
    ("es", "1.-", None),
    ("es", "México, D. F., 2 de diciembre de 1969. Luis L. León Uranga, S. P.- Joaquín Gamboa Pascoe, D. P.Arturo Moguel Esponda, S. S.- Alberto Briseño Ruiz, D. S.- Rúbricas.", None),
    ("es", "Publicado en el Diario Oficial de la Federación el 23 de enero de 1998", None),
    ("es", "Fecha de entrada en vigor: 01 de mayo de 1932", None),
    ("es", "d) de un (1) mes, cuando le ha servido de uno (1) a dos (2) años ; y", None),
    ("es", "TÍTULO I Disposiciones generales Artículos 1 a 18", None),
    # Georgian
    ("ka", "მუხლი 1. მოქმედების სფერო", "1"),
    ("ka", "მუხლი 27. ზეგანაკვეთური სამუშაო", "27"),
    ("ka", "მუხლი 3^1. (ამოღებულია)", "3^1"),
    ("ka", "მუხლი 52^4. (ამოღებულია)", "52^4"),
    ("ka", "მუხლი 2", "2"),
    ("ka", "მუხლის 5", "5"),
    ("ka", "1. თუ ამ კანონის 63-ე მუხლით გათვალისწინებულ კოლექტიურ შრომით დავაზე მედიაციის შედეგად მიღწეულ იქნა შეთანხმება, დავის მხარეს უფლება აქვს, ამ შეთანხმების აღსრულების მიზნით მიმართოს სასამართლოს. აღნიშნული შეთანხმების აღსრულებისას გამოიყენება საქართველოს სამოქალაქო საპროცესო კოდექსით დადგენილი წესები.", None),
    ("ka", "4^1. (ამოღებულია - 29.09.2020, №7177)", None),
    ("ka", "საქართველოს 2020 წლის 29 სექტემბრის ორგანული კანონი №7177 – ვებგვერდი, 05.10.2020წ.", None),
    ("ka", "თავი II. შრომითი დისკრიმინაციის აკრძალვა", None),
    # English: ILO, Georgian code in English, USMCA, US Code
    ("en", "Article 2", "2"),
    ("en", "Article 1 – Scope", "1"),
    ("en", "Article 23.1: Definitions", "23.1"),
    ("en", "Article 23.2: Statement of Shared Commitments", "23.2"),
    ("en", "#### §\u202f207. Maximum hours", "207"),
    ("en", "#### §\u202f216b. Liability for overtime work performed prior to July 20, 1949", "216b"),
    ("en", "#### §\u202f218c. Protections for employees", "218c"),
    ("en", "#### §\u202f158a. Providing facilities for operations of Federal Credit Unions", "158a"),
    ("en", "Article 19 of the Constitution of the International Labour", None),
    ("en", "1. The types of work referred to under Article 3( d ) shall be determined by national laws or regulations or by the competent authority, after consultation with the organizations of employers and workers concerned, taking into consideration relevant international standards, in particular Paragraphs 3 and 4 of the Worst Forms of Child Labour Recommendation, 1999.", None),
    ("en", "##### (a) Employees engaged in interstate commerce; additional applicability to employees pursuant to subsequent amendatory provisions", None),
    ("en", "29 U.S. C", None),
    ("en", ". §213(b)(10)(A), which applies to “any salesman, par", None),
    ("en", "Filed: Apr. 02, 2018", None),
    ("en", "(A) $5.85 an hour, beginning on the 60th day after May 25, 2007 ;", None),
]


@pytest.mark.parametrize(("lang", "line", "expected"), ARTICLE_LINES)
def test_article_heading_lines(lang: str, line: str, expected: str | None) -> None:
    hit = match_article(line, P.languages[lang])
    assert (hit.label if hit else None) == expected


HEADING_LINES = [
    ("es", "TITULO PRIMERO", (1, "TITULO PRIMERO", False)),
    ("es", "TITULO QUINTO BIS", (1, "TITULO QUINTO BIS", False)),
    ("es", "TÍTULO TRECE BIS", (1, "TÍTULO TRECE BIS", False)),
    ("es", "CAPITULO II", (2, "CAPITULO II", False)),
    ("es", "Capítulo III BIS", (2, "Capítulo III BIS", False)),
    ("es", "CAPITULO IX TER", (2, "CAPITULO IX TER", False)),
    ("es", "Sección Primera", (3, "Sección Primera", False)),
    ("es", "TÍTULO I Disposiciones generales Artículos 1 a 18", (1, "TÍTULO I Disposiciones generales Artículos 1 a 18", True)),
    ("es", "CAPÍTULO ÚNICO Disposiciones generales Artículos 1 a 18", (2, "CAPÍTULO ÚNICO Disposiciones generales Artículos 1 a 18", True)),
    ("es", "Parte I.- Campo de Aplicación y Definiciones", (1, "Parte I.- Campo de Aplicación y Definiciones", True)),
    ("es", "Capítulo adicionado DOF 28-04-1978. Denominación reformada DOF 30-11-2012", None),
    ("es", "Capítulo y por las estipulaciones contenidas en el contrato respectivo, en cuanto no las contradigan.", None),
    ("es", "Título Séptimo;", None),
    ("es", "Título Tercero, Capítulo VIII, y a la Secretaría de Educación Pública, la vigilancia del cumplimiento de las", None),
    ("es", "Sección adicionada DOF 04-01-1980", None),
    ("ka", "კარი II.", (1, "კარი II.", False)),
    ("ka", "თავი III.", (2, "თავი III.", False)),
    ("ka", "თავი II", (2, "თავი II", False)),
    ("ka", "თავი II. შრომითი დისკრიმინაციის აკრძალვა", (2, "თავი II. შრომითი დისკრიმინაციის აკრძალვა", True)),
    ("ka", "თავი XII^1. (ამოღებულია)", (2, "თავი XII^1. (ამოღებულია)", True)),
    ("ka", "2. თუ ერთ-ერთმა მხარემ თავი აარიდა შემათანხმებელ პროცედურებში მონაწილეობას და მოაწყო გაფიცვა ან ლოკაუტი, ასეთი გაფიცვა ან ლოკაუტი უკანონოდ იქნება ცნობილი.", None),
    ("en", "# Title 29— LABOR", (0, "Title 29— LABOR", True)),
    ("en", "### CHAPTER 8— FAIR LABOR STANDARDS", (2, "CHAPTER 8— FAIR LABOR STANDARDS", True)),
    ("en", "Section I", (1, "Section I", False)),
    ("en", "Chapter I – Introductory Provisions", (2, "Chapter I – Introductory Provisions", True)),
    ("en", "PART II. PROTECTION OF THE RIGHT TO ORGANISE", (1, "PART II. PROTECTION OF THE RIGHT TO ORGANISE", True)),
    ("en", "#### §\u202f207. Maximum hours", None),
    ("en", "##### (a) Investigations and inspections", None),
]


@pytest.mark.parametrize(("lang", "line", "expected"), HEADING_LINES)
def test_structural_heading_lines(lang: str, line: str, expected: tuple[int, str, bool] | None) -> None:
    hit = match_heading(line, P.languages[lang])
    assert ((hit.level, hit.text, hit.has_title) if hit else None) == expected


TRANSITIONAL_LINES = [
    ("Artículo 1º.- Esta Ley entrará en vigor el día 1o. de mayo de 1970, con excepción de los artículos 71 y", "1"),
    ("ARTÍCULO ÚNICO.- Se reforman los artículos 20 y 32, fracción I, y se adiciona la fracción I BIS al", "Único"),
    ("ÚNICO.- El presente Decreto entrará en vigor el 20 de marzo de 1998.", "Único"),
    ("Único. El presente Decreto entrará en vigor el día siguiente al de su publicación en el Diario Oficial de", "Único"),
    ("ARTÍCULO PRIMERO.- El presente Decreto entrará en vigor el día siguiente de su publicación en el", "1"),
    ("ARTÍCULO CUADRÁGESIMO OCTAVO. Se reforman los artículos 126, fracción VI; 407; 409; 411,", "48"),
    ("Décimo Primero. Los juicios iniciados con las disposiciones anteriores a la presente reforma deberán", "11"),
    ("Vigésimo Quinto. Personas trabajadoras del hogar. La fracción IV del artículo 337 del presente", "25"),
    ("SEGUNDO. El titular del Ejecutivo Federal, los gobernadores de los estados, así como el Jefe de", "2"),
    ("Primero.- Publíquese en el Diario Oficial de la Federación.", "1"),
    ("Ley.", None),
    ("Hernández.- Rúbrica.", None),
    ("Decreto.", None),
    ("Publicado en el Diario Oficial de la Federación el 23 de enero de 1998", None),
    ("1.-", None),
    ("segundo del artículo 364; los párrafos segundo y tercero del artículo 364 Bis; la fracción VIII y los párrafos", None),
    ("Quinto, Sexto y Séptimo del \"Decreto por el que se reforman, adicionan y derogan", None),
]


@pytest.mark.parametrize(("line", "expected"), TRANSITIONAL_LINES)
def test_transitional_heading_lines(line: str, expected: str | None) -> None:
    assert match_transitional_article(line, P.languages["es"]) == expected


QUOTE_INTRODUCERS = [
    ("es", "El artículo 326 del código de trabajo establece lo siguiente.", "326"),
    ("en", "In Convention 182 of the International Labor Organization, it states the worst forms of child labor. In Article 3 it states:", "3"),
    ("es", "en vigor de conformidad con lo que establece el artículo Vigésimo Quinto Transitorio de dicho Decreto.", None),
    ("es", "En caso de emergencia nacional de carácter grave, los trabajadores que en los proyectos del Estado se paguen por planilla quedarán sujetos al régimen establecido en el presente Artículo.", None),
    ("en", "2. In accordance with the principle set forth in paragraph 8 of", None),
]


@pytest.mark.parametrize(("lang", "line", "expected"), QUOTE_INTRODUCERS)
def test_quote_introducer_lines(lang: str, line: str, expected: str | None) -> None:
    hit = match_quote_introducer(line, P.languages[lang])
    assert (hit.label if hit else None) == expected


OCR_LINE = (
    "the following Convention, which may be cited as the Labour Inspection Convention, 1947. "
    "Part I.—Labour Inspection in Industry Article 1 Each member of the International Labour "
    "Organization for which this Convention is in force shall maintain a system. Article 2 1. The "
    "system of labour inspection shall apply to all workplaces. Article 3 1. The functions of the "
    "system of labour inspection shall be — {a) To secure the enforcement, see Article 19 The end"
)


def test_inline_articles_follow_the_numbering() -> None:
    hits = find_inline_articles(OCR_LINE, P.languages["en"], None)
    assert [h.label for h in hits] == ["1", "2", "3"]
    assert OCR_LINE[hits[0].column :].startswith("Article 1 Each")


def test_inline_articles_need_the_next_number() -> None:
    assert find_inline_articles(OCR_LINE, P.languages["en"], 7) == []


BOUNDARY_LINES = [
    ("==== [Fragmento 2 — fuente: https://drleyes.com/legislacion-internacional/honduras-legislacion-internacional/codigo-de-trabajo-honduras-legislacion-internacional/contratos-de-trabajo-2] ====", True),
    ("==== [Excerpt 1 — source: https://childsoldiers3.wordpress.com/tag/ilo/ (quotation inside a blog post)] ====", True),
    ("[Nota de fuente: fragmento verbatim de una página web, fuente: https://hn.vlex.com/vid/pago-484580602 . Es sólo el inicio de la sentencia; termina a mitad de frase.]", True),
    ("[Source note: verbatim web excerpt; source: https://www.supremecourt.ge/ka/fullcase/60185/1 ; only the beginning of the ruling, truncated mid-sentence.]", True),
    ("] Appeal from the United", False),
    ("a) La contaminación del aire;", False),
]


@pytest.mark.parametrize(("line", "expected"), BOUNDARY_LINES)
def test_boundary_lines(line: str, expected: bool) -> None:
    assert is_boundary(line, P.common) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [("Convenio 148", True), ("Convenio Nº 148", True), ("Convenio 148 sobre la protección", False)],
)
def test_instrument_markers(line: str, expected: bool) -> None:
    assert is_instrument_marker(line, P.languages["es"]) is expected
