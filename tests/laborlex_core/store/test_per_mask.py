"""PerMask remembers a value per filter mask: by the array itself, not its id, and a bounded number."""

from __future__ import annotations

import numpy as np

from laborlex_core.store.per_mask import PerMask


def test_values_are_remembered_by_the_mask_itself_not_its_id() -> None:
    held: PerMask[np.ndarray] = PerMask()
    everything, some = np.arange(3), np.arange(3) * 2
    mask = np.array([True, False, True])
    held.put(None, everything)
    held.put(mask, some)
    assert held.get(None) is everything and held.get(mask) is some
    assert held.get(mask.copy()) is None  # equal values, another array: not known
    newcomer = np.array([False, False, True])
    held._values[id(newcomer)] = held._values.pop(id(mask))  # a new array given a dead one's id
    del mask
    assert held.get(newcomer) is None


def test_past_the_limit_the_oldest_masks_go() -> None:
    held: PerMask[np.ndarray] = PerMask()
    alive = [np.zeros(2, dtype=bool) for _ in range(PerMask.LIMIT + 5)]
    for i, other in enumerate(alive):
        held.put(other, np.arange(i))
    assert len(held._values) <= PerMask.LIMIT
    assert held.get(alive[-1]) is not None and held.get(alive[0]) is None
