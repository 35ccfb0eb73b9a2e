"""BatchLists answers a list asked twice in one batch: by what it scores, its depth and the mask array."""

from __future__ import annotations

import numpy as np
import pytest

from laborlex_core.store.batch_lists import BatchLists


def found() -> tuple[np.ndarray, np.ndarray]:
    return np.array([4, 1, 7]), np.array([0.9, 0.5, 0.2], dtype=np.float32)


@pytest.mark.parametrize(
    ("asked", "answered"),
    [
        ((("bm25", ("salari",), 50), "same"), True),
        ((("bm25", ("salari",), 50), None), False),  # no filter is another list
        ((("bm25", ("salari",), 50), "copy"), False),  # equal rows, another array: not known here
        ((("bm25", ("salari",), 10), "same"), False),  # another depth
        ((("dense", ("salari",), 50), "same"), False),  # another kind of list
    ],
)
def test_a_list_is_known_by_its_key_and_its_mask_array(asked: tuple, answered: bool) -> None:
    batch, mask = BatchLists(), np.array([True, False, True])
    first = batch.put(("bm25", ("salari",), 50), mask, found())
    key, which = asked
    again = batch.get(key, {"same": mask, "copy": mask.copy(), None: None}[which])
    assert (again is first) if answered else again is None


def test_no_filter_is_a_mask_of_its_own() -> None:
    batch = BatchLists()
    first = batch.put(("dense", b"v", 5), None, found())
    assert batch.get(("dense", b"v", 5), None) is first


def test_the_shared_arrays_are_read_only() -> None:
    rows, scores = BatchLists().put(("bm25", ("salari",), 50), None, found())
    with pytest.raises(ValueError):
        rows[0] = 0
    with pytest.raises(ValueError):
        scores[0] = 1.0
