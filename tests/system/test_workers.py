"""`sectorfacts serve --workers N`: worker processes share a listening socket that asyncio treats as TCP, so
every accepted connection has TCP_NODELAY and keep-alive requests are not held for the client's delayed
ACK (uvicorn binds it with `proto` 0, and asyncio sets TCP_NODELAY only on sockets marked TCP)."""

from __future__ import annotations

import asyncio
import socket

import uvicorn

from app.cli import tcp_listener


def _nodelay_of_a_connection_accepted_on(listener: socket.socket) -> int:
    """TCP_NODELAY of the server side of one connection accepted by an asyncio server on `listener`."""

    async def accept_one() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await asyncio.wait_for(accepted, timeout=5)
        finally:
            writer.close()
            server.close()

    return asyncio.run(accept_one())


def test_connections_to_the_workers_socket_are_sent_without_delay() -> None:
    config = uvicorn.Config("app.main:create_app", factory=True, host="127.0.0.1", port=0, workers=2)
    listener = tcp_listener(config)
    assert listener.proto == socket.IPPROTO_TCP
    assert listener.get_inheritable()  # handed to the worker processes
    assert _nodelay_of_a_connection_accepted_on(listener) != 0


def test_uvicorns_own_socket_would_leave_nagle_on() -> None:
    """What tcp_listener corrects: if uvicorn marks its socket as TCP itself one day, this fails and the
    workaround can go."""
    bound = uvicorn.Config("app.main:create_app", factory=True, host="127.0.0.1", port=0).bind_socket()
    assert _nodelay_of_a_connection_accepted_on(bound) == 0
