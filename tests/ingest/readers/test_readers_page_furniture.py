"""Header/footer detection on synthetic page layouts (no PDF needed)."""

from __future__ import annotations

from ingest.readers.page_furniture import find_running_lines, strip_running_lines
from ingest.readers.pdf_pages import Line, Page

H = 792.0
WORDS = "trabajo salario jornada patrón contrato despido huelga sindicato descanso vacaciones".split()


def _prose(n: int, k: int) -> str:
    """A body line that differs from page to page without containing the page number."""
    return f"el {WORDS[(n + k) % 10]} y la {WORDS[(3 * n + k) % 10]} del {WORDS[(n * k) % 10]}"


def _page(number: int, texts: list[tuple[float, str]]) -> Page:
    return Page(number, H, tuple(Line(text, top, top + 10) for top, text in texts))


def _law(pages: int) -> list[Page]:
    out = []
    for n in range(1, pages + 1):
        body = [(110.0 + 12 * k, f"{_prose(n, k)} {k}") for k in range(30)]
        out.append(
            _page(
                n,
                [(44.0, "LEY FEDERAL DEL TRABAJO"), (57.0, "Última Reforma DOF 27-12-2022"), *body, (747.0, f"{n} de {pages}")],
            )
        )
    return out


def test_headers_and_numbered_footers_are_found():
    pages = _law(12)
    stripped = strip_running_lines(pages)
    for page in stripped:
        texts = [line.text for line in page.lines]
        assert len(texts) == 30
        assert not any("LEY FEDERAL" in t or "Reforma" in t or " de 12" in t for t in texts)


def test_same_text_at_another_height_is_body():
    pages = _law(6)
    title = Line("LEY FEDERAL DEL TRABAJO", 100.0, 110.0)  # page 1 opens with the title
    pages[0] = pages[0]._replace(lines=(*pages[0].lines[:2], title, *pages[0].lines[2:]))
    stripped = strip_running_lines(pages)
    assert stripped[0].lines[0].text == "LEY FEDERAL DEL TRABAJO"
    assert stripped[0].lines[0].top == 100.0


def test_recurring_numbered_body_line_is_not_a_footer():
    # The same kind of line at the same height near the bottom of many pages, but its numbers
    # do not follow the page number: body text, not a footer.
    pages = [
        _page(n, [(110.0 + 12 * k, _prose(n, k)) for k in range(5)] + [(700.0, f"Artículo reformado DOF 30-11-{2000 + 3 * n}")])
        for n in range(1, 9)
    ]
    assert find_running_lines(pages) == set()


def test_odd_even_headers_and_missing_first_page_header():
    pages = []
    for n in range(1, 11):
        header = "Convenio 138" if n % 2 else "Organización Internacional del Trabajo"
        lines = [(110.0 + 12 * k, f"texto {_prose(n, k)}") for k in range(20)]
        if n > 1:
            lines = [(40.0, header), *lines]
        pages.append(_page(n, lines))
    stripped = strip_running_lines(pages)
    assert all(line.text.startswith("texto") for page in stripped for line in page.lines)
    assert [len(p.lines) for p in stripped] == [20] * 10


def test_single_page_and_page_without_lines_are_left_alone():
    one = [_page(1, [(30.0, "Case: 17-2400 Document: 3"), (100.0, "ORDER")])]
    assert strip_running_lines(one) == one
    pages = _law(4)
    pages.insert(2, Page(3, H, ()))
    assert [len(p.lines) for p in strip_running_lines(pages)] == [30, 30, 0, 30, 30]
