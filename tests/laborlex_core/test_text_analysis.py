"""Table-driven checks of the analysis shared by indexing and querying."""

from __future__ import annotations

import pytest

from laborlex_core.text_analysis import analyze, fold_accents, lower_mtavruli, query_term_groups, stem_georgian


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("indemnización", "es", ["indemniz"]),
        ("INDEMNIZACIÓN", "es", ["indemniz"]),
        ("indemnizacion", "es", ["indemniz"]),
        ("Los trabajadores y las horas extraordinarias", "es", ["trabaj", "hor", "extraordinari"]),
        ("the employees shall be paid overtime", "en", ["employe", "paid", "overtim"]),
        ("ზეგანაკვეთური სამუშაოს ანაზღაურება", "ka", ["ზეგანაკვეთური", "სამუშაოს", "ანაზღაურება"]),
        ("და ან ეს", "ka", []),
        ("Artículo 22 Bis", "es", ["articul", "22", "bis"]),
        ("§ 207(a)(1)", "en", ["207", "1"]),  # "a" is an English stopword
    ],
)
def test_analyze(text: str, language: str, expected: list[str]) -> None:
    assert analyze(text, language) == expected


def test_unknown_language_only_folds_and_lowercases() -> None:
    assert analyze("Niño TRABAJO", None) == ["nino", "trabajo"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Año", "Ano"), ("ñandú", "nandu"), ("ქართული", "ქართული"), ("§ 207", "§ 207")],
)
def test_fold_accents(text: str, expected: str) -> None:
    assert fold_accents(text) == expected


def test_lower_mtavruli_maps_only_georgian_capitals() -> None:
    assert lower_mtavruli("ᲨᲠᲝᲛᲘᲡ ᲙᲝᲓᲔᲥᲡᲘ Ley") == "შრომის კოდექსი Ley"


def test_query_groups_cover_each_language_stem() -> None:
    groups = query_term_groups("despidos injustificados of the employees", ["es", "en", "ka"])
    flat = set().union(*groups)
    assert "desp" in flat  # Spanish stem of "despidos"
    assert "employe" in flat  # English stem
    assert "of" not in flat and "the" not in flat
    # an accent-less query reaches the accented stem
    assert set().union(*query_term_groups("indemnizacion", ["es"])) >= {"indemniz"}


@pytest.mark.parametrize(
    "forms",
    [
        ("ანაზღაურება", "ანაზღაურების", "ანაზღაურებას"),  # nominative, genitive, dative
        ("შვებულება", "შვებულების", "შვებულებაში"),  # … and locative postposition
        ("ინსპექცია", "ინსპექციის"),  # -ია nouns
        ("სამუშაო", "სამუშაოს", "სამუშაოსთვის"),  # case + postposition stripped twice
        ("დამსაქმებელი", "დამსაქმებლის"),  # syncope
        ("შრომა", "შრომის", "შრომით"),  # "მა" is part of the stem, not the ergative
        ("მუხლი", "მუხლის", "მუხლით", "მუხლები", "მუხლების"),  # plural
        ("ხელფასი", "ხელფასის", "ხელფასს", "ხელფასით"),  # a stem ending in a case letter keeps it
        ("კანონი", "კანონის", "კანონით", "კანონში"),
    ],
)
def test_georgian_forms_share_a_stem(forms: tuple[str, ...]) -> None:
    assert len({stem_georgian(form) for form in forms}) == 1, [stem_georgian(f) for f in forms]


@pytest.mark.parametrize(("word", "stem"), [("ვადა", "ვად"), ("ქალი", "ქალ"), ("აშშ", "აშშ"), ("და", "და")])
def test_georgian_short_words_keep_three_letters(word: str, stem: str) -> None:
    assert stem_georgian(word) == stem
