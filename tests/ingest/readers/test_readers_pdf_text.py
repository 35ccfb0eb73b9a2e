"""Assembling page lines into text: paragraph gaps, broken words, page offsets."""

from __future__ import annotations

from ingest.readers.pdf_pages import Line, Page
from ingest.readers.pdf_text import assemble
from laborlex_core.schema import DocumentMeta, SourceText


def _page(number: int, texts: list[str], pitch: float = 12.0, gaps: frozenset[int] = frozenset()) -> Page:
    lines, top = [], 100.0
    for i, text in enumerate(texts):
        top += pitch * (2 if i in gaps else 1)
        lines.append(Line(text, top, top + 9))
    return Page(number, 792.0, tuple(lines))


def test_paragraph_gap_becomes_blank_line():
    lines = ["Artículo 1o.- La presente Ley", "es de observancia general", "y rige las relaciones.", "Artículo 2o.- Las normas", "del trabajo tienden"]
    text, _ = assemble([_page(1, lines, gaps=frozenset({3}))])
    assert text == "Artículo 1o.- La presente Ley\nes de observancia general\ny rige las relaciones.\n\nArtículo 2o.- Las normas\ndel trabajo tienden"


def test_only_lowercase_word_breaks_are_joined():
    lines = [
        "movimientos, como telegrafistas, radio-",
        "telegrafistas, violinistas, pianistas",
        "los artículos 153-A; 153-",
        "H; 153-I y 343-",
        "B, del Reglamento",
        "Dr. Jesús Alfonso Navarrete Prida.-",
        "Rúbrica.",
        "protección pre-",
        "y posnatal de las trabajadoras",
        "industria foto-",
        "eléctrica.",
    ]
    text, _ = assemble([_page(1, lines)])
    assert "como telegrafistas, radiotelegrafistas,\nviolinistas, pianistas" in text
    assert "153-\nH; 153-I y 343-\nB, del" in text
    assert "Prida.-\nRúbrica." in text
    assert "pre-\ny posnatal" in text
    assert text.endswith("industria fotoeléctrica.")


def test_soft_hyphen_at_line_end_joins_any_word():
    text, _ = assemble([_page(1, ["the un\u00ad", "Employment Act"])])
    assert text == "the unEmployment\nAct"


def test_letter_spaced_heading_and_ligatures():
    text, _ = assemble([_page(1, ["O R D E R", "D E C R E T O:", "A B", "e\ufb03cient of\ufb01ce"])])
    assert text.splitlines() == ["ORDER", "DECRETO:", "A B", "efficient office"]


def test_page_starts_skip_empty_pages():
    pages = [_page(1, ["uno"]), Page(2, 792.0, ()), _page(3, ["tres", "tres bis"]), Page(4, 792.0, ())]
    text, starts = assemble(pages)
    assert text == "uno\ntres\ntres bis"
    assert starts == [0, 4, 4, len(text) + 1]
    source = SourceText(DocumentMeta("d", "t"), text, starts)
    assert source.page_at(0) == 1
    assert source.page_at(text.index("tres")) == 3
    assert source.page_at(len(text) - 1) == 3
