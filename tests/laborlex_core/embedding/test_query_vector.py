"""QueryVector: read like a list of floats, handed between Haystack components without copying."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from haystack.core.pipeline.utils import _deepcopy_with_exceptions

from laborlex_core.embedding.query_vector import QueryVector, as_query_vector

VALUES = [0.25, -0.5, 1.0, 0.0]


def test_reads_like_the_floats_it_was_made_from() -> None:
    vector = QueryVector(VALUES)
    assert len(vector) == 4
    assert list(vector) == VALUES
    assert vector[1] == -0.5 and vector[1:3] == [-0.5, 1.0]
    assert vector == VALUES and vector == QueryVector(np.array(VALUES)) and vector != [0.25, -0.5, 1.0]
    assert vector.tolist() == VALUES


def test_haystack_hands_it_on_as_it_is() -> None:
    vector = QueryVector(VALUES)
    inputs = {"semantic": {"query_embedding": vector}}
    assert _deepcopy_with_exceptions(inputs)["semantic"]["query_embedding"] is vector
    assert copy.deepcopy(vector) is vector


def test_an_array_made_from_it_is_a_private_writable_copy() -> None:
    vector = QueryVector(VALUES)
    array = np.asarray(vector, dtype=np.float32)
    array[0] = 9.0  # torch.from_numpy and in-place maths may write to what they get
    assert vector[0] == 0.25
    assert np.asarray(vector, dtype=np.float64).dtype == np.float64


def test_the_source_cannot_change_it_afterwards() -> None:
    source = np.array(VALUES, dtype=np.float32)
    vector = QueryVector(source)
    source[0] = 7.0
    assert vector[0] == 0.25
    with pytest.raises(ValueError):
        vector._array[0] = 1.0  # frozen


def test_as_query_vector_keeps_one_that_already_is() -> None:
    vector = QueryVector(VALUES)
    assert as_query_vector(vector) is vector
    assert as_query_vector(VALUES) == vector
