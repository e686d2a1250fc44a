"""The load benchmark's lean HTTP client against a real socket server: statuses, both body
framings, cookies sent, kept-alive reuse, reconnection after Connection: close."""

from __future__ import annotations

import asyncio
import threading

from agency.bench_client import LeanClient, TransportError

ANSWERS = {
    "/plain": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    "/chunked": (
        b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"4\r\nwiki\r\n5;x=y\r\npedia\r\n0\r\n\r\n"
    ),
    "/close": b"HTTP/1.1 303 See Other\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
}


async def _scenario() -> tuple[list[int], int, list[str], str]:
    connections = 0
    cookies: list[str] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while True:
            try:
                head = (await reader.readuntil(b"\r\n\r\n")).decode()
            except asyncio.IncompleteReadError:
                break
            path = head.split(" ", 2)[1]
            cookies.extend(line for line in head.split("\r\n") if line.startswith("Cookie:"))
            if path == "/broken":
                writer.close()
                return
            writer.write(ANSWERS[path])
            await writer.drain()
            if path == "/close":
                break
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = LeanClient(f"http://127.0.0.1:{port}", {"session": "abc", "csrftoken": "t"})
    statuses = [await client.get(path) for path in ("/plain", "/chunked", "/plain", "/close")]
    statuses.append(await client.get("/plain"))  # a new connection after the close
    failure = ""
    try:
        await client.get("/broken")
    except TransportError as exc:
        failure = str(exc)
    statuses.append(await client.get("/plain"))  # and again after the failure
    await client.close()
    server.close()
    await server.wait_closed()
    return statuses, connections, cookies, failure


def test_the_lean_client_reads_both_framings_and_reconnects() -> None:
    # In a thread of its own: another test may have left an event loop running in this one.
    found: list[tuple[list[int], int, list[str], str]] = []
    thread = threading.Thread(target=lambda: found.append(asyncio.run(_scenario())))
    thread.start()
    thread.join(20)
    statuses, connections, cookies, failure = found[0]
    assert statuses == [200, 404, 200, 303, 200, 200]
    assert connections == 3  # kept alive for four requests, then after close, after failure
    assert set(cookies) == {"Cookie: session=abc; csrftoken=t"}
    assert failure == "IncompleteReadError"
