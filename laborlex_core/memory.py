"""Resident pages of memory-mapped files that a process can hand back without changing results.

A read-only memory map of a file (OpenVINO maps the embedding model's ``model.bin``, 448 MB)
keeps every page the process has ever touched in its resident set. Compiling the model reads all
of it once; afterwards a query touches only the rows of the token-embedding table its tokens use
(~140 MB after the bench's 200 queries and a minute of 10 clients at 100k passages).
:func:`release_file_pages` advises the kernel that the pages are not needed (``MADV_DONTNEED``),
which unmaps them from this process: the file's pages stay in the page cache and come back on
the next touch with the same bytes, so results are unchanged. Only maps that hold no written
page are released (see the function). Linux only; elsewhere it releases nothing.
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import sys
from pathlib import Path

log = logging.getLogger("laborlex.memory")

_MADV_DONTNEED = 4
MAP_HEADER = re.compile(r"^[0-9a-f]+-[0-9a-f]+ ")  # the first line of a map in /proc/<pid>/smaps


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return None


def file_mappings(path: str | Path, smaps: str = "/proc/self/smaps") -> list[tuple[int, int, str, int]]:
    """(start, end, permissions, kB of copied-on-write pages) of this process's maps of ``path``."""
    target = os.path.realpath(path)
    found: list[tuple[int, int, str, int]] = []
    inside = False
    try:
        with open(smaps, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                parts = line.split(maxsplit=5)
                if MAP_HEADER.match(line):
                    inside = len(parts) == 6 and parts[5].rstrip("\n") == target
                    if inside:
                        start, end = (int(x, 16) for x in parts[0].split("-"))
                        found.append((start, end, parts[1], 0))
                elif inside and parts[0] == "Anonymous:":
                    start, end, permissions, _ = found[-1]
                    found[-1] = (start, end, permissions, int(parts[1]))
    except OSError:  # no /proc: not Linux
        return []
    return found


def release_file_pages(path: str | Path) -> int:
    """Drop this process's resident pages of its read-only maps of ``path``; the bytes of the
    maps released (0 where there are none, or off Linux). They are read again on next touch.

    A map is left alone if it is writable or holds copied-on-write pages (a private map written
    before it was made read-only, as a shared library's relocated data is): those pages exist
    nowhere else, and dropping them would bring back the file's bytes."""
    libc = _libc()
    if libc is None:
        return 0
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    released = 0
    for start, end, permissions, copied_kb in file_mappings(path):
        if "w" in permissions or copied_kb:
            continue
        if libc.madvise(start, end - start, _MADV_DONTNEED) == 0:
            released += end - start
        else:
            log.debug("madvise(%s) failed: %s", path, os.strerror(ctypes.get_errno()))
    return released
