"""Answers kept per index state (laborlex_core/store/per_generation.py)."""

from __future__ import annotations

import pytest

from laborlex_core.store.per_generation import PerGeneration


@pytest.mark.parametrize(
    ("first", "second", "kept"),
    [
        (("a", 3), ("a", 3), True),  # the same state
        (("a", 3), ("a", 4), False),  # a write
        (("a", 3), ("b", 3), False),  # a rebuilt index at the same generation
    ],
)
def test_answers_last_as_long_as_the_state(first: tuple[str, int], second: tuple[str, int], kept: bool) -> None:
    answers: PerGeneration[int] = PerGeneration()
    answers.known(first)["key"] = 7
    assert ("key" in answers.known(second)) is kept


def test_a_full_map_starts_again_empty() -> None:
    answers: PerGeneration[int] = PerGeneration(limit=3)
    for key in "abc":
        answers.known(("a", 1))[key] = 1
    assert answers.known(("a", 1)) == {}
