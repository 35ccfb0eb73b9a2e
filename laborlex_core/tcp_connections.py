"""Established TCP connections to a port, and how many of them a process holds (Linux /proc).

The API's worker processes share one listening socket, and each kept-alive connection stays
with the worker that accepted it: the serving layer balances them from these counts
(laborlex/connection_balance.py), and the bench reports how they were split (benchmarks/stats.py).
Elsewhere than Linux there is no /proc: the counts are empty and nothing is balanced.
"""

from __future__ import annotations

import os

TCP_ESTABLISHED = "01"  # the state column of /proc/net/tcp
TABLES = ("/proc/net/tcp", "/proc/net/tcp6")


def established_inodes(port: int) -> set[str]:
    """Socket inodes of the established connections whose local port is ``port``: the server's
    ends of its clients' connections (a client's own end has its ephemeral port)."""
    inodes: set[str] = set()
    for table in TABLES:
        try:
            with open(table, encoding="ascii") as lines:
                next(lines, None)  # the header
                for line in lines:
                    fields = line.split()
                    if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == TCP_ESTABLISHED:
                        inodes.add(fields[9])
        except OSError:
            continue
    return inodes


def held_by(pid: int, inodes: set[str]) -> int | None:
    """How many of the sockets ``inodes`` process ``pid`` holds open; None where its
    descriptors cannot be read (gone, another user's, not Linux)."""
    try:
        descriptors = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return None
    held = 0
    for fd in descriptors:
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:  # closed meanwhile
            continue
        held += link.startswith("socket:[") and link[8:-1] in inodes
    return held


def own_and_total(port: int) -> tuple[int, int] | None:
    """(connections to ``port`` this process holds, all established connections to it), or
    None where /proc cannot tell."""
    inodes = established_inodes(port)
    own = held_by(os.getpid(), inodes)
    return None if own is None else (own, len(inodes))
