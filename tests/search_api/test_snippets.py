"""Highlights match the way BM25 matched: stems and folded accents."""

from __future__ import annotations

import pytest

from search_api.snippets import highlight_spans, make_snippet, mark


def test_highlights_stemmed_and_accent_folded_words() -> None:
    text = "El patrón pagará la indemnización de los despidos injustificados."
    snippet, spans = make_snippet(text, "indemnizacion despido", "es")
    assert mark(snippet, spans) == "El patrón pagará la **indemnización** de los **despidos** injustificados."


def test_window_moves_to_the_matches() -> None:
    text = "palabra " * 200 + "salario mínimo general " + "otra " * 200
    snippet, spans = make_snippet(text, "salario minimo", "es", width=120)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) <= 125
    assert [snippet[a:b] for a, b in spans] == ["salario", "mínimo"]


def test_georgian_and_no_match() -> None:
    snippet, spans = make_snippet("ზეგანაკვეთური სამუშაო ანაზღაურდება", "ზეგანაკვეთური", "ka")
    assert [snippet[a:b] for a, b in spans] == ["ზეგანაკვეთური"]
    assert make_snippet("nada aquí", "overtime", "es")[1] == []


@pytest.mark.parametrize(
    ("text", "query", "language", "marked"),
    [
        ("pago pagos pagó; PAGO, repago y pago_doble pago", "pago", "es", ["pago", "pagos", "pagó", "PAGO", "pago"]),  # not inside other words
        ("despido despidos. Despido (despido)", "despidos", "es", ["despido", "despidos", "Despido", "despido"]),
        ("El salario: 12 salarios/12, salario-mínimo", "salario 12 minimo", "es", ["salario", "12", "salarios", "12", "salario", "mínimo"]),
        ("overtime over time overtimes; Overtime", "overtime", "en", ["overtime", "overtimes", "Overtime"]),
        ("nothing here matches", "indemnización", "es", []),
        ("de la el y", "de la", "es", []),  # stopwords only: nothing wanted
    ],
)
def test_highlight_spans_mark_whole_words_matching_a_term(text: str, query: str, language: str, marked: list[str]) -> None:
    assert [text[a:b] for a, b in highlight_spans(text, query, language)] == marked
