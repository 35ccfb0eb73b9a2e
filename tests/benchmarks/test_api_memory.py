"""The API memory benchmark's readings of /proc, on this test process's own maps."""

from __future__ import annotations

import mmap
import os
import sys
from pathlib import Path

import pytest

from benchmarks.api_memory import resident_by_mapping, rollup_mb, status_mb

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_a_touched_file_map_is_listed_with_its_resident_size(tmp_path: Path) -> None:
    path = tmp_path / "eight.bin"
    path.write_bytes(b"\1" * (8 << 20))
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        assert sum(mapped[i] for i in range(0, len(mapped), mmap.PAGESIZE)) == (8 << 20) // mmap.PAGESIZE
        listed = dict(resident_by_mapping(Path("/proc/self/smaps").read_text("utf-8", "replace"), top=1000))
    assert listed[str(path.resolve())] == 8


def test_status_and_rollup_name_the_figures_the_report_prints() -> None:
    status, rollup = status_mb(os.getpid()), rollup_mb(os.getpid())
    assert set(status) == {"VmHWM", "VmRSS", "RssAnon", "RssFile", "Threads"}
    assert status["VmHWM"] >= status["VmRSS"] and status["Threads"] >= 1
    assert set(rollup) == {"Rss", "Pss", "Pss_Anon", "Pss_File", "Anonymous"}
    assert rollup["Pss"] <= rollup["Rss"]
