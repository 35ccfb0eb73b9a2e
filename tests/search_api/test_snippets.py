"""Highlights match the way BM25 matched: stems and folded accents."""

from __future__ import annotations

from search_api.snippets import make_snippet, mark


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
