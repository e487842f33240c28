"""A real HTTP server on 127.0.0.1 that replays recorded response bodies, for the adapter and SDK tests.

Each body is registered under a path prefix and sent with chunked transfer encoding, cut into random
pieces with a short pause now and then, so that clients see it arrive over time in uneven reads.
Every request under the prefix (any method, any sub-path: the SDKs append their endpoint) gets it.
A body may instead be sent as an error response (another status, whole), or cut: the connection is
dropped after ``cut`` bytes without the end of the chunked body, at once or after a stall that lasts
until the server closes (a client that times out the read sees the stall).
"""

from __future__ import annotations

import random
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .conftest import random_splits

# Pieces up to this size; one pause of PAUSE seconds every PAUSE_EVERY pieces on average keeps a
# 150 kB body under ~0.1 s while still letting reads fall between writes.
MAX_PIECE = 600
PAUSE = 0.001
PAUSE_EVERY = 4


@dataclass(frozen=True)
class Reply:
    body: bytes
    content_type: str
    seed: int
    status: int = 200
    cut: int | None = None  # drop the connection after this many bytes of the body
    stall: bool = False  # before dropping it, wait until the server closes


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._replay()

    def do_POST(self) -> None:
        self._replay()

    def _replay(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        key = self.path.split("/", 2)[1]
        found = self.server.bodies.get(key)
        if found is None:
            self.send_error(404)
            return
        if found.status != 200:
            self.send_response(found.status)
            self.send_header("content-type", found.content_type)
            self.send_header("content-length", str(len(found.body)))
            self.end_headers()
            self.wfile.write(found.body)
            return
        self.send_response(200)
        self.send_header("content-type", found.content_type)
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        rng = random.Random(found.seed)
        body = found.body if found.cut is None else found.body[: found.cut]
        for piece in random_splits(body, rng, MAX_PIECE):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.flush()
            if rng.randrange(PAUSE_EVERY) == 0:
                time.sleep(PAUSE)
        if found.cut is not None:
            if found.stall:
                self.server.closing.wait()
            self.close_connection = True
            return
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    bodies: dict[str, Reply]
    closing: threading.Event

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that stops reading at a fault, or drops a kept-alive connection, hangs up: not news.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class BodyServer:
    """Started on an ephemeral port; ``close()`` stops it and joins its thread."""

    def __init__(self) -> None:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.bodies = {}
        self._httpd.closing = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def url(
        self,
        body: bytes,
        content_type: str = "text/event-stream",
        seed: int = 0,
        *,
        status: int = 200,
        cut: int | None = None,
        stall: bool = False,
    ) -> str:
        """The base URL under which ``body`` is served, cut in pieces by ``seed`` (see ``Reply``)."""
        with self._lock:
            key = f"b{len(self._httpd.bodies)}"
            self._httpd.bodies[key] = Reply(body, content_type, seed, status, cut, stall)
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/{key}"

    def close(self) -> None:
        self._httpd.closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
