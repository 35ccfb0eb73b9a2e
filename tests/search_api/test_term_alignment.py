"""Word translations from aligned texts: IBM Model 1 and the table built from it."""

from __future__ import annotations

import pytest

import numpy as np

from search_api.term_alignment import (
    align_languages,
    compose,
    ibm1,
    index_terms,
    merge_tables,
    model_pairs,
    surface_forms,
    symmetric,
    term_centroids,
    translate_terms,
)


@pytest.mark.parametrize(
    ("text", "language", "terms"),
    [
        ("Los salarios mínimos", "es", ["salari", "min"]),
        ("The minimum wages", "en", ["minimum", "wage"]),
        ("ხელფასის ანაზღაურება", "ka", ["ხელფას", "ანაზღაურ"]),
        ("artículo 123 de la ley", "es", ["articul", "ley"]),  # numbers and short words out
    ],
)
def test_index_terms(text: str, language: str, terms: list[str]) -> None:
    assert index_terms(text, language) == terms


# A toy parallel text: each Spanish word has one English translation; "trabajo"/"work"
# occur everywhere, as frequent legal words do.
TOY = [
    (["salario", "trabajo"], ["wage", "work"]),
    (["salario", "minimo", "trabajo"], ["wage", "minimum", "work"]),
    (["jornada", "trabajo"], ["hours", "work"]),
    (["jornada", "maxima", "trabajo"], ["hours", "maximum", "work"]),
    (["minimo", "edad", "trabajo"], ["minimum", "age", "work"]),
    (["edad", "trabajo"], ["age", "work"]),
]


@pytest.mark.parametrize(("source", "target"), [("salario", "wage"), ("jornada", "hours"), ("edad", "age"), ("trabajo", "work")])
def test_ibm1_finds_each_words_translation(source: str, target: str) -> None:
    table = ibm1(TOY)
    best = max(table[source].items(), key=lambda kv: kv[1])[0]
    assert best == target


def test_ibm1_probabilities_sum_to_one() -> None:
    for row in ibm1(TOY).values():
        assert sum(row.values()) == pytest.approx(1.0)


def test_symmetric_keeps_pairs_likely_both_ways() -> None:
    forward = {"a": {"x": 0.9, "y": 0.1}}
    backward = {"x": {"a": 0.8}, "y": {"a": 0.9}}
    assert symmetric(forward, backward, min_score=0.5) == {"a": {"x": pytest.approx(0.8485, abs=1e-3)}}


def test_compose_through_a_pivot_keeps_the_best_path() -> None:
    first = {"salari": {"ხელფას": 0.8, "ანაზღაურ": 0.3}}
    second = {"ხელფას": {"wage": 0.7}, "ანაზღაურ": {"wage": 0.9, "pay": 0.5}}
    table = compose(first, second, min_score=0.2)
    assert table == {"salari": {"wage": pytest.approx(0.56)}}


def test_align_languages_on_text() -> None:
    units = [
        ("El salario mínimo se fija cada año.", "The minimum wage is set every year."),
        ("El salario se paga en moneda.", "The wage is paid in money."),
        ("La jornada máxima es de ocho horas.", "The maximum hours are eight."),
        ("La jornada nocturna es de siete horas.", "Night hours are seven."),
        ("El salario de la jornada nocturna.", "The wage of night hours."),
    ]
    table = align_languages(units, "es", "en", min_units=2, min_score=0.2)
    assert max(table["salari"], key=table["salari"].get) == "wage"
    assert max(table["jorn"], key=table["jorn"].get) == "hour"


def test_translate_terms_keeps_query_order_and_row_order() -> None:
    table = {"salari": {"wage": 0.9, "salary": 0.5, "pay": 0.4}, "minim": {"minimum": 0.8}}
    assert translate_terms(["minim", "unknown", "salari"], table, per_term=2) == ["minimum", "wage", "salary"]


def test_merge_tables_puts_the_first_source_first_and_caps() -> None:
    parallel = {"salari": {"ხელფას": 0.4}}
    model = {"salari": {"თანხ": 0.88, "ხელფას": 0.87}, "inspector": {"ინსპექტორ": 0.9}}
    assert merge_tables(parallel, model, per_term=2) == {
        "inspector": {"ინსპექტორ": 0.9},
        "salari": {"ხელფას": 0.4, "თანხ": 0.88},
    }


def test_model_pairs_need_both_word_and_passage_agreement() -> None:
    """"a" is near "x" as a word and by its passages; near "y" only as a word; near "z" only by
    passages: only "x" is kept."""
    source_words = np.array([[1.0, 0.0, 0.0]])
    target_words = np.array([[0.9, 0.1, 0.0], [0.95, 0.0, 0.05], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    source_topics = np.array([[0.0, 1.0, 0.0]])
    target_topics = np.array([[0.1, 0.9, 0.0], [1.0, 0.0, 0.0], [0.0, 0.95, 0.0], [0.0, 0.0, 1.0]])
    table = model_pairs(["a"], source_words, source_topics, ["x", "y", "z", "w"], target_words, target_topics, word_depth=2, centroid_depth=2)
    assert list(table["a"]) == ["x"]


def test_term_centroids_cancel_what_every_passage_shares() -> None:
    vectors = np.array([[1.0, 1.0], [1.0, -1.0]])
    centroids = term_centroids([["shared", "up"], ["shared", "down"]], vectors, ["shared", "up", "down"])
    assert np.allclose(centroids[1], [0.0, 1.0]) and np.allclose(centroids[2], [0.0, -1.0])
    assert np.allclose(centroids[0], [0.0, 0.0])  # in every passage: no direction of its own


def test_georgian_surface_forms_group_inflections_under_a_stem() -> None:
    forms = surface_forms(["ხელფასი ხელფასის ხელფასის ხელფასს"], "ka")
    assert forms["ხელფას"][0] == "ხელფასის"
    assert set(forms["ხელფას"]) == {"ხელფასი", "ხელფასის", "ხელფასს"}
    assert surface_forms(["salario"], "es") == {}
