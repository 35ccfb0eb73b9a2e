"""The int8 first pass's query rounding, done in numpy, equals torch's bfloat16 conversion bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from laborlex_core.store.dense_index import _bf16_bits, _bf16_values

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
