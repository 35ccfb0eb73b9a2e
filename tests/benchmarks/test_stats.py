"""The benchmark's process measurements (benchmarks/stats.py), on real child processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from benchmarks.stats import percentile, process_tree, tree_peak_rss_mb, tree_pss_mb

HOLD = 40 * 2**20  # what the child's child holds, so its size shows against an idle interpreter

STARTS_A_CHILD = f"""
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; block = bytearray({HOLD}); block[::4096] = b'x' * len(block[::4096]); print('ready', flush=True); time.sleep(60)"], stdout=subprocess.PIPE)
child.stdout.readline()
print(child.pid, flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize(("values", "q", "expected"), [([1.0, 2.0, 3.0, 4.0], 50, 2.5), ([5.0], 95, 5.0), ([1.0, 3.0], 0, 1.0)])
def test_percentile_interpolates_as_numpy_does(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == expected


def test_the_process_tree_takes_in_children_and_their_memory() -> None:
    if not os.path.exists("/proc/self/smaps_rollup"):
        pytest.skip("Linux /proc needed")
    top = subprocess.Popen([sys.executable, "-c", STARTS_A_CHILD], stdout=subprocess.PIPE, text=True)
    child = None
    try:
        child = int(top.stdout.readline())  # type: ignore[union-attr]
        assert process_tree(top.pid) == [top.pid, child]
        assert tree_peak_rss_mb(top.pid) >= HOLD / 2**20  # the child's, the largest
        assert tree_pss_mb(top.pid) > tree_pss_mb(child) >= HOLD / 2**20  # type: ignore[operator]
    finally:
        if child is not None:
            os.kill(child, signal.SIGKILL)
        top.kill()
        top.wait()
