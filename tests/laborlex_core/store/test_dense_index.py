"""The int8 first pass's query rounding equals torch's bfloat16 conversion bit for bit; a saved matrix is read whole."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from laborlex_core.store.dense_index import _bf16_bits, _bf16_values, _read_npy

torch = pytest.importorskip("torch")


def test_bf16_rounding_equals_torch() -> None:
    rng = np.random.default_rng(3)
    values = np.concatenate([
        rng.standard_normal(50_000).astype(np.float32),
        (rng.standard_normal(1_000) * 1e-38).astype(np.float32),  # subnormals
        np.array([0.0, -0.0, np.inf, -np.inf, 3.4e38, 1.00390625, 1.01171875, -1.00390625], dtype=np.float32),  # ties to even
    ])
    expected = torch.from_numpy(values).to(torch.bfloat16)
    bits = _bf16_bits(values)
    assert np.array_equal(bits, expected.view(torch.int16).numpy())
    assert np.array_equal(_bf16_values(bits), expected.to(torch.float32).numpy())
    assert np.isnan(_bf16_values(_bf16_bits(np.array([np.nan], dtype=np.float32)))).all()


def test_a_saved_matrix_is_read_whole_or_not_at_all(tmp_path: Path) -> None:
    """The background read of a snapshot's vectors: the same bits, or None for a cut file
    (the mapped copy then keeps answering)."""
    matrix = np.random.default_rng(5).standard_normal((300, 384)).astype(np.float32)
    path = tmp_path / "vectors.npy"
    np.save(path, matrix)
    read = _read_npy(path)
    assert read is not None and not isinstance(read, np.memmap) and np.array_equal(read, matrix)
    path.write_bytes(path.read_bytes()[:-4])
    assert _read_npy(path) is None
