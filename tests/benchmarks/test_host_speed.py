"""The bench's host-speed references (benchmarks/host_speed.py), on the store's real int8 pass."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.host_speed import lines, measure, python_work, reference_index


def test_the_reference_index_is_seeded_unit_rows_quantized_as_the_store_does() -> None:
    first, again = reference_index(rows=500), reference_index(rows=500)
    np.testing.assert_array_equal(first.matrix, again.matrix)  # the same workload on every machine
    np.testing.assert_allclose(np.linalg.norm(first.matrix, axis=1), 1.0, rtol=1e-5)
    assert first.packed is not None and first.partitions is None  # the int8 pass over every row


def test_measure_times_the_int8_pass_of_the_index_given() -> None:
    index = reference_index(rows=2_000)
    speed = measure(index, repeats=10)
    assert speed["int8_rows"] == 2_000 and speed["int8_quantized"] is True
    assert speed["int8_pass_ms"] > 0 and speed["python_ms"] > 0


def test_the_python_reference_is_a_fixed_amount_of_work() -> None:
    assert python_work() == python_work() == sum(i % 2_000 for i in range(10_000)) + 2_000


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"int8_rows": 100_000, "int8_pass_ms": 1.1, "int8_quantized": True, "python_ms": 2.5},
         "host speed at the start: int8 pass over 100,000 rows 1.1 ms p50, python reference 2.5 ms p50"),
        ({"int8_rows": 100_000, "int8_pass_ms": 9.0, "int8_quantized": False, "python_ms": 2.5},
         "host speed at the start: int8 pass over 100,000 rows 9.0 ms p50 (float32: SimSIMD absent), python reference 2.5 ms p50"),
    ],
)
def test_lines(row: dict, expected: str) -> None:
    assert lines({"start": row}) == expected
