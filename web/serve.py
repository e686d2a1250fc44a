"""Serving the app with uvicorn, one process or several workers.

With `--workers N`, uvicorn binds the listening socket itself and leaves its protocol number
at 0; accepted connections inherit it, and asyncio then never sets TCP_NODELAY on them, so
every response on a kept-alive connection waits ~40 ms for the client's delayed ACK (uvicorn
issue #3149). The socket bound here says it is TCP, and the connections get TCP_NODELAY.
"""

from __future__ import annotations

import gc
import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

APP = "web.app:create_app"


# Full collections: after this many collections of the middle generation, not 10. Under
# load a worker's full collection took 22-61 ms (the objects made since loading: compiled
# statements, templates, pools) and came every 8-18 s; every request in flight waited for
# it. Cyclic garbage that reaches the oldest generation waits longer to be freed (a few
# thousand objects between collections, measured); everything else is freed as before.
FULL_COLLECTION_AFTER = 100


class Config(uvicorn.Config):
    def load(self) -> None:
        """Load the app in this (worker) process, then keep what loading made (about 220,000
        objects: the app, its modules, the gazetteer) out of the garbage collector's full
        collections, which otherwise stop the worker for 100–250 ms each, and make those
        collections rarer."""
        super().load()
        gc.collect()
        gc.freeze()
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, FULL_COLLECTION_AFTER)

    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, sock.detach())
        return sock


def serve(*, host: str, port: int, workers: int = 1, **options: Any) -> None:
    """Serve the app: in this process, or in `workers` processes sharing one socket."""
    config = Config(APP, factory=True, host=host, port=port, workers=workers, **options)
    if workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()
