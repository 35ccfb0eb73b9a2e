"""Windows over long provisions: bounded, overlapping, covering, ending on sentences."""

from __future__ import annotations

import re

import pytest

from ingest.chunking import window_spans


def word_offsets(text: str) -> list[tuple[int, int]]:
    """A stand-in tokenizer (one token per word) so windows can be checked by hand."""
    return [m.span() for m in re.finditer(r"\S+", text)]


def test_short_text_is_one_window() -> None:
    assert window_spans("uno dos tres", word_offsets, 10, 2) == [(0, 12)]


def test_long_text_windows_overlap_and_cover() -> None:
    text = " ".join(f"w{i}" for i in range(100))
    spans = window_spans(text, word_offsets, 30, 5)
    tokens = word_offsets(text)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for (a1, b1), (a2, b2) in zip(spans, spans[1:]):
        assert a2 < b1  # overlap
        assert a2 > a1
    for a, b in spans:
        assert sum(1 for s, e in tokens if s >= a and e <= b) <= 30


def test_windows_end_on_sentence_boundaries_when_possible() -> None:
    sentences = [f"Frase número {i} con varias palabras más." for i in range(30)]
    text = " ".join(sentences)
    spans = window_spans(text, word_offsets, 40, 8)
    for _, end in spans[:-1]:
        assert text[end - 1] == "."


def test_overlap_must_be_smaller_than_window() -> None:
    with pytest.raises(ValueError):
        window_spans("a b c", word_offsets, 2, 2)
