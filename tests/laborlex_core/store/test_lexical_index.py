"""A saved lexical index reloaded with its raw frequencies left in their file."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from laborlex_core.memory import file_mappings
from laborlex_core.store import lexical_index
from laborlex_core.store.lexical_index import LexicalIndex

CONTEXTS = ["código del trabajo vacaciones", "labor code overtime", "", "შრომის კოდექსი"]
BODIES = [
    "las vacaciones pagadas del trabajador",
    "overtime pay at one and one half times the regular rate",
    "el trabajador tiene derecho a vacaciones y a descanso",
    "დასაქმებულს აქვს ანაზღაურებადი შვებულების უფლება",
]
QUERIES = (["vacaciones", "trabajador"], ["overtime", "rate"], ["შვებულების"], ["absent"])


def build(contexts: list[str], bodies: list[str]) -> LexicalIndex:
    return LexicalIndex.build(contexts, bodies, 2.0, 1.0, 1.2, 0.75)


@pytest.fixture()
def loaded(tmp_path: Path) -> LexicalIndex:
    build(CONTEXTS, BODIES).save(tmp_path / "lexical")
    return LexicalIndex.load(tmp_path / "lexical", 1.2, 0.75)


def test_a_loaded_index_scores_like_the_built_one(loaded: LexicalIndex) -> None:
    built = build(CONTEXTS, BODIES)
    for terms in QUERIES:
        assert np.array_equal(loaded.score(terms), built.score(terms))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_raw_frequencies_stay_in_their_file(loaded: LexicalIndex, tmp_path: Path) -> None:
    maps = file_mappings(tmp_path / "lexical" / "f.npy")
    address = loaded.postings.data.__array_interface__["data"][0]
    assert [(permissions, copied) for _, _, permissions, copied in maps] == [("r--s", 0)]
    assert any(start <= address < end for start, end, _, _ in maps)  # read from the file's map, not a copy
    assert not np.shares_memory(loaded.weights.data, loaded.postings.data)  # the weights are derived, in memory


def test_an_incremental_update_of_a_loaded_index_equals_a_rebuild(loaded: LexicalIndex) -> None:
    """The update reads the mapped frequencies (read-only) and writes nothing into them."""
    keep = np.array([0, 2, 3])
    updated = loaded.extended(keep, ["ley federal"], ["horas extraordinarias y vacaciones"], 2.0, 1.0)
    rebuilt = build([CONTEXTS[i] for i in keep] + ["ley federal"], [BODIES[i] for i in keep] + ["horas extraordinarias y vacaciones"])
    assert updated.passages == rebuilt.passages == 4
    for terms in (*QUERIES, ["horas", "vacaciones"]):
        assert np.array_equal(updated.score(terms), rebuilt.score(terms))


def test_terms_scored_in_place_give_the_bits_of_the_column_product(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scoring each term's column where it lies adds the same numbers in the same order as
    the product of the sliced columns: equal to the bit, on many passages sharing terms."""
    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(40)]
    bodies = [" ".join(rng.choice(words, size=int(rng.integers(1, 30)))) for _ in range(3000)]
    contexts = [" ".join(rng.choice(words, size=3)) for _ in range(3000)]
    index = build(contexts, bodies)
    queries = [list(rng.choice(words, size=int(rng.integers(1, 8)))) for _ in range(30)] + [["w1", "unknown"], ["unknown"]]
    in_place = [index.score(terms) for terms in queries]
    monkeypatch.setattr(lexical_index, "_csc_matvec", None)  # the public path: slice, then multiply
    for terms, scores in zip(queries, in_place):
        ids = sorted({index.vocabulary[t] for t in terms if t in index.vocabulary})
        product = np.asarray(index.weights[:, ids] @ index.idf(ids)).ravel() if ids else np.zeros(index.passages)
        assert scores.dtype == np.float64 and np.array_equal(scores, product)
        assert np.array_equal(index.score(terms), scores)
    assert sum(int((s > 0).sum()) for s in in_place) > 10_000  # the terms overlapped many passages
