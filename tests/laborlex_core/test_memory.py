"""Handing back the resident pages of memory-mapped files (laborlex_core/memory.py), on real maps."""

from __future__ import annotations

import ctypes
import mmap
import sys
from pathlib import Path

import pytest

from laborlex_core.memory import file_mappings, release_file_pages

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and madvise are Linux's")

PAGE = mmap.PAGESIZE
PROT_READ, PROT_WRITE = 1, 2


def resident_kb(path: Path) -> int:
    """Resident kB of this process's maps of ``path``, from /proc/self/smaps."""
    target, total, inside = str(path.resolve()), 0, False
    with open("/proc/self/smaps", encoding="utf-8") as lines:
        for line in lines:
            fields = line.split(maxsplit=5)
            if "-" in fields[0] and len(fields) >= 5 and ":" in fields[3]:  # a map's header line
                inside = len(fields) == 6 and fields[5].rstrip("\n") == target
            elif inside and fields[0] == "Rss:":
                total += int(fields[1])
    return total


@pytest.fixture()
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "weights.bin"
    path.write_bytes(bytes(range(256)) * (64 * PAGE // 256))  # 64 pages
    return path


def test_read_only_map_is_released_and_reads_back_the_same_bytes(data_file: Path) -> None:
    with data_file.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        before = mapped[:]  # touches every page
        assert resident_kb(data_file) > 0
        assert [(p, copied) for _, _, p, copied in file_mappings(data_file)] == [("r--s", 0)]
        assert release_file_pages(data_file) == 64 * PAGE
        assert resident_kb(data_file) == 0
        assert mapped[:] == before  # back from the page cache on touch


def test_a_written_private_map_is_left_alone(data_file: Path) -> None:
    with data_file.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_COPY) as mapped:
        mapped[:4] = b"edit"  # exists only in this process's copy of the page
        assert release_file_pages(data_file) == 0
        assert mapped[:4] == b"edit"


def test_a_private_map_written_then_made_read_only_is_left_alone(data_file: Path) -> None:
    """As a shared library's relocated data is: its pages exist only in this process."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    with data_file.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_COPY) as mapped:
        mapped[:4] = b"edit"
        view = ctypes.c_char.from_buffer(mapped)
        try:
            assert libc.mprotect(ctypes.addressof(view), len(mapped), PROT_READ) == 0
            [(_, _, permissions, copied_kb)] = file_mappings(data_file)
            assert permissions == "r--p" and copied_kb > 0
            assert release_file_pages(data_file) == 0
            assert ctypes.string_at(ctypes.addressof(view), 4) == b"edit"
            assert libc.mprotect(ctypes.addressof(view), len(mapped), PROT_READ | PROT_WRITE) == 0
        finally:
            del view  # the buffer export must end before the map closes


@pytest.mark.parametrize("path", ["/nonexistent/model.bin", "relative/not/mapped.bin"])
def test_a_file_not_mapped_releases_nothing(path: str) -> None:
    assert file_mappings(path) == []
    assert release_file_pages(path) == 0
