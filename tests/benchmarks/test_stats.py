"""The benchmark's process measurements (benchmarks/stats.py), on real child processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from benchmarks.stats import connections_per_process, percentile, process_tree, tree_peak_rss_mb, tree_pss_mb

HOLD = 40 * 2**20  # what the child's child holds, so its size shows against an idle interpreter

STARTS_A_CHILD = f"""
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; block = bytearray({HOLD}); block[::4096] = b'x' * len(block[::4096]); print('ready', flush=True); time.sleep(60)"], stdout=subprocess.PIPE)
child.stdout.readline()
print(child.pid, flush=True)
time.sleep(60)
"""


# Listens, then forks: both processes accept on the one socket, as uvicorn's workers do, the
# parent ``first`` connections and the child the rest, whichever comes first.
SHARES_A_SOCKET = """
import os, socket, sys, time
first, total = int(sys.argv[1]), int(sys.argv[2])
server = socket.create_server(("127.0.0.1", 0))
print(server.getsockname()[1], flush=True)
if os.fork() == 0:
    held = [server.accept()[0] for _ in range(total - first)]
else:
    held = [server.accept()[0] for _ in range(first)]
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


def test_connections_are_counted_per_process_of_the_tree() -> None:
    if not os.path.exists("/proc/net/tcp"):
        pytest.skip("Linux /proc needed")
    server = subprocess.Popen([sys.executable, "-c", SHARES_A_SOCKET, "3", "5"], stdout=subprocess.PIPE, text=True)
    clients = []
    try:
        port = int(server.stdout.readline())  # type: ignore[union-attr]
        for _ in range(5):
            client = socket.create_connection(("127.0.0.1", port))
            clients.append(client)
        deadline = time.monotonic() + 10
        while connections_per_process(server.pid, port) != [3, 2] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert connections_per_process(server.pid, port) == [3, 2]  # the clients' own ends are not the server's
        assert connections_per_process(server.pid, port + 1 if port < 65535 else port - 1) == []
    finally:
        for client in clients:
            client.close()
        for pid in reversed(process_tree(server.pid)):
            os.kill(pid, signal.SIGKILL)
        server.wait()
