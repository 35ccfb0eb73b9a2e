"""Established connections to a port and who holds them (laborlex_core/tcp_connections.py),
on real loopback sockets of this process."""

from __future__ import annotations

import os
import socket

import pytest

from laborlex_core.tcp_connections import established_inodes, held_by, own_and_total

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="Linux /proc needed")


def test_the_server_ends_of_a_ports_connections_are_counted() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        assert own_and_total(port) == (0, 0)
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        accepted = [server.accept()[0] for _ in clients]
        try:
            inodes = established_inodes(port)
            assert len(inodes) == 3  # the accepted ends; the clients' ends have their own ports
            assert {str(os.fstat(s.fileno()).st_ino) for s in accepted} == inodes
            assert own_and_total(port) == (3, 3)
            accepted[0].close()
            assert own_and_total(port) == (2, 2)
        finally:
            for sock in clients + accepted:
                sock.close()


def test_a_process_that_cannot_be_read_holds_nothing_known() -> None:
    assert held_by(2**22 + 12345, {"1"}) is None  # above the kernel's largest pid
