"""A lean HTTP/1.1 client for the load benchmark: one kept-alive connection per simulated
user, GET only, with the cookies of its login.

httpx spent about 3 ms of CPU per request here, on the same two cores as the server, and
every millisecond the client's event loop is busy is added to the latencies it measures.
This client parses only what a GET answer needs (status, Content-Length or chunked body,
Connection: close) and costs a fraction of that.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from urllib.parse import urlsplit

KEEPALIVE_SECONDS = 3.0  # below uvicorn's timeout_keep_alive (5 s): never reuse a closing one


class TransportError(Exception):
    """The connection failed or the answer was not HTTP/1.1 as expected."""


class LeanClient:
    """GET requests over one kept-alive connection, reopened when it was idle too long or
    the server closed it."""

    def __init__(self, base: str, cookies: dict[str, str]) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        self._head = f"Host: {self.host}:{self.port}\r\nCookie: {cookie}\r\n\r\n"
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._used = 0.0

    async def get(self, path: str, timeout: float = 60) -> int:
        """The status of GET `path` (the body is read and dropped)."""
        try:
            return await asyncio.wait_for(self._get(path), timeout)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            await self.close()
            raise TransportError(type(exc).__name__) from exc
        except TimeoutError as exc:
            await self.close()
            raise TransportError("Timeout") from exc

    async def _get(self, path: str) -> int:
        if self._writer is None or time.monotonic() - self._used > KEEPALIVE_SECONDS:
            await self.close()
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._reader, self._writer
        assert reader is not None
        writer.write(f"GET {path} HTTP/1.1\r\n{self._head}".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        if not lines[0].startswith("HTTP/1.1 "):
            raise asyncio.IncompleteReadError(head, None)
        status = int(lines[0][9:12])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            await _read_chunked(reader)
        else:
            await reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        self._used = time.monotonic()
        return status

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


async def _read_chunked(reader: asyncio.StreamReader) -> None:
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        await reader.readexactly(size + 2)  # the chunk and its CRLF
        if size == 0:
            return
