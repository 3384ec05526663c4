"""`touchbase demo` refuses a port something listens on, and takes one a server stopped a
moment ago (whose last connections still linger closing, in TIME_WAIT)."""

from __future__ import annotations

import socket

from touchbase_emulator.process import port_is_free


def _listening() -> socket.socket:
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def test_a_port_something_listens_on_is_taken() -> None:
    with _listening() as server:
        assert not port_is_free(server.getsockname()[1])


def test_a_port_whose_server_just_stopped_is_free() -> None:
    server = _listening()
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    connection, _ = server.accept()
    connection.close()  # the server's side closes first: its port keeps the TIME_WAIT
    client.close()
    server.close()
    assert port_is_free(port)
