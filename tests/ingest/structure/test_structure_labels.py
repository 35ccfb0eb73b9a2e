from __future__ import annotations

import pytest

from ingest.structure import load_patterns
from ingest.structure.labels import decree_date, fold, ordinal_value, unique_labels

RULES = load_patterns().languages["es"].transitional
assert RULES is not None


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("Primero", "1"),
        ("PRIMERO", "1"),
        ("Décimo Primero", "11"),
        ("Vigésimo Octavo", "28"),
        ("CUADRÁGESIMO OCTAVO", "48"),  # misspelt accent, as printed in the LFT
        ("Único", "Único"),
        ("ÚNICO", "Único"),
        ("Primero Transitorio", "1"),
        ("Ley", None),
        ("Rúbrica", None),
        ("Primero Ley", None),
    ],
)
def test_ordinal_value(words: str, expected: str | None) -> None:
    assert ordinal_value(words, RULES) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23 de enero de 1998", "23-01-1998"),
        ("1 de mayo de 2019", "01-05-2019"),
        ("1º de abril de 1970", "01-04-1970"),
        ("10 de setiembre de 2001", "10-09-2001"),
        ("el día de ayer", None),
        ("5 de brumario de 1799", None),
    ],
)
def test_decree_date(text: str, expected: str | None) -> None:
    assert decree_date(text, RULES) == expected


def test_fold_removes_case_and_accents() -> None:
    assert fold("CUADRÁGESIMO") == fold("cuadragésimo") == "cuadragesimo"


def test_unique_labels_keep_the_first_and_number_repeats() -> None:
    assert unique_labels(["3", "4", "3", "3"], "{label} [{n}]") == ["3", "4", "3 [2]", "3 [3]"]
