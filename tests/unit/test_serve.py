"""The listening socket for several workers says it is TCP, so asyncio sets TCP_NODELAY on
every accepted connection (without it each kept-alive response waits for a delayed ACK)."""

from __future__ import annotations

import asyncio
import gc
import socket
import threading

from web.serve import FULL_COLLECTION_AFTER, Config


def test_the_bound_socket_and_its_connections_are_tcp_without_nagle() -> None:
    listener = Config("web.app:create_app", factory=True, host="127.0.0.1", port=0).bind_socket()
    assert listener.proto == socket.IPPROTO_TCP
    port = listener.getsockname()[1]

    async def accepted_nodelay() -> int:
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def on_connection(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connection, sock=listener)
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        value = await asyncio.wait_for(seen, 10)
        writer.close()
        server.close()
        return value

    # In a thread of its own: another test may have left an event loop running in this one.
    found: list[int] = []
    thread = threading.Thread(target=lambda: found.append(asyncio.run(accepted_nodelay())))
    thread.start()
    thread.join(20)
    assert found and found[0] != 0


async def tiny_app(scope: object, receive: object, send: object) -> None:
    """An ASGI app for loading, never called."""


def test_a_worker_keeps_what_loading_made_out_of_full_collections() -> None:
    gc.unfreeze()
    thresholds = gc.get_threshold()
    try:
        assert gc.get_freeze_count() == 0
        Config("tests.unit.test_serve:tiny_app", host="127.0.0.1", port=0).load()
        # Everything alive once the app is loaded (modules, functions, the app) is frozen.
        assert gc.get_freeze_count() > 10_000
        assert gc.get_count()[2] == 0
        # Full collections come after 100 collections of the middle generation, not 10.
        assert gc.get_threshold() == (*thresholds[:2], FULL_COLLECTION_AFTER)
        assert thresholds[2] < FULL_COLLECTION_AFTER
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
