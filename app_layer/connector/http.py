"""A small HTTP/1.1 server on asyncio streams, enough for a local JSON API and SSE.

Why not a framework: the connector runs in every agent's virtual desktop, many per
server, and must idle near zero CPU in well under 60 MB; the standard library's
asyncio streams add nothing to the footprint and share the loop with the adapter
link, so a request reaches the link without a thread hop.

What it accepts: one request per read (keep-alive, no pipelining guarantees),
``Content-Length`` bodies up to ``MAX_BODY`` bytes, no chunked request bodies. Bad
framing gets a JSON 400/411/413 and the connection is closed. A handler returns a
``Response``, or a ``StreamResponse`` whose chunks are written as they come (SSE).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20
#: A connection that sends no request for this long is closed (no task left behind).
#: A connection that sends nothing for this long is closed (between requests too).
IDLE_TIMEOUT_S = 30.0
#: Connections at once. Far below the desktop's usual 1,024 open files, so a local client
#: opening hundreds cannot starve the process; past it the longest-idle one is closed,
#: which keeps room for the agent-desktop application's requests.
MAX_CONNECTIONS = 128
MAX_HEADERS = 100
MAX_LINE = 8192
REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    411: "Length Required",
    413: "Content Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON (None when empty); raises ``HttpError`` 400 when malformed."""
        if not self.body.strip():
            return None
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise HttpError(400, "malformed_json", f"the body is not valid JSON: {exc}") from None
        except RecursionError:  # a body nested thousands deep: not a request we serve
            raise HttpError(400, "malformed_json", "the body is nested too deeply") from None


@dataclass(frozen=True)
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StreamResponse:
    """A response whose body is written chunk by chunk until the iterator ends."""

    chunks: AsyncIterator[bytes]
    content_type: str = "text/event-stream"


class HttpError(Exception):
    """An error answered as ``{"error": {"code", "message"}}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else {}
        body = {"error": {"code": self.code, "message": self.message}}
        return Response(self.status, body, headers)


Handler = Callable[[Request], Awaitable[Response | StreamResponse]]


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """The next request, None at a clean end of connection; raises HttpError on bad framing."""
    line = await _read_line(reader)
    if not line:
        return None
    parts = line.split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HttpError(400, "bad_request", "malformed request line")
    method, target, _ = parts
    headers = await _read_headers(reader)
    body = await _read_body(reader, headers)
    try:
        url = urlsplit(target)
    except ValueError as exc:  # e.g. an unclosed IPv6 literal, "http://[::1"
        raise HttpError(400, "bad_request", f"malformed request target: {exc}") from None
    return Request(method.upper(), unquote(url.path), parse_qs(url.query), headers, body)


async def _read_line(reader: asyncio.StreamReader) -> str:
    try:
        raw = await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise HttpError(400, "bad_request", "connection closed mid-request") from None
        return ""
    except asyncio.LimitOverrunError:
        raise HttpError(400, "bad_request", "request line or header too long") from None
    return raw.decode("latin-1").rstrip("\r\n")


async def _read_headers(reader: asyncio.StreamReader) -> dict[str, str]:
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADERS):
        line = await _read_line(reader)
        if not line:
            return headers
        name, sep, value = line.partition(":")
        if not sep:
            raise HttpError(400, "bad_request", f"malformed header line {line[:40]!r}")
        headers[name.strip().lower()] = value.strip()
    raise HttpError(400, "bad_request", "too many headers")


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise HttpError(411, "length_required", "send a Content-Length, not a chunked body")
    length_text = headers.get("content-length", "0")
    # ASCII digits only: "²".isdigit() is true, but int() refuses it.
    if not (length_text.isascii() and length_text.isdigit()):
        raise HttpError(400, "bad_request", "Content-Length is not a number")
    length = int(length_text)
    if length > MAX_BODY:
        raise HttpError(413, "too_large", f"bodies are limited to {MAX_BODY} bytes")
    try:
        return await reader.readexactly(length)
    except asyncio.IncompleteReadError:
        raise HttpError(400, "bad_request", "body shorter than Content-Length") from None


def encode_response(response: Response, keep_alive: bool) -> bytes:
    payload = b"" if response.body is None else json.dumps(response.body).encode()
    head = [f"HTTP/1.1 {response.status} {REASONS.get(response.status, 'Unknown')}"]
    if response.body is not None:
        head.append("Content-Type: application/json; charset=utf-8")
    head.append(f"Content-Length: {len(payload)}")
    head.append("Cache-Control: no-store")
    head.append("Connection: keep-alive" if keep_alive else "Connection: close")
    head += [f"{k}: {v}" for k, v in response.headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload


class HttpServer:
    """Serves one handler on a local address until closed."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._server: asyncio.Server | None = None
        self._clients: set[asyncio.Task[Any]] = set()
        #: Connections waiting for a request: their writers, and since when (loop time).
        self._idle: dict[asyncio.StreamWriter, float] = {}
        self._limit_logged = False

    async def start(self, host: str, port: int, tls: ssl.SSLContext | None = None) -> int:
        """Listen; returns the port (useful when ``port`` is 0)."""
        self._server = await asyncio.start_server(
            self._serve_client, host, port, ssl=tls, limit=MAX_LINE
        )
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._clients):
            task.cancel()
        for task in list(self._clients):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._server is not None:
            await self._server.wait_closed()

    async def _serve_client(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        if len(self._clients) >= MAX_CONNECTIONS and not self._make_room():
            writer.close()  # every connection is busy (event streams): refuse this one
            return
        self._clients.add(task)
        try:
            while await self._serve_one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        except asyncio.CancelledError:
            # Closing the server: end quietly (asyncio's stream callback would log a
            # cancelled client task as an error).
            pass
        finally:
            self._clients.discard(task)
            self._idle.pop(writer, None)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; False when the connection should close."""
        self._idle[writer] = asyncio.get_running_loop().time()
        try:
            request = await asyncio.wait_for(read_request(reader), IDLE_TIMEOUT_S)
        except TimeoutError:
            return False
        except HttpError as exc:
            self._idle.pop(writer, None)
            writer.write(encode_response(exc.response(), keep_alive=False))
            await writer.drain()
            return False
        self._idle.pop(writer, None)
        if request is None:
            return False
        response = await self._dispatch(request)
        if isinstance(response, StreamResponse):
            await self._stream(writer, response)
            return False
        keep_alive = request.headers.get("connection", "").lower() != "close"
        writer.write(encode_response(response, keep_alive))
        await writer.drain()
        return keep_alive

    def _make_room(self) -> bool:
        """Close the longest-idle connection to admit a new one; False if none is idle."""
        if not self._limit_logged:
            log.warning(
                "connector: %d connections open (the limit); closing idle ones to serve new"
                " requests", MAX_CONNECTIONS,
            )  # fmt: skip
            self._limit_logged = True
        if not self._idle:
            return False
        oldest = min(self._idle, key=self._idle.__getitem__)
        del self._idle[oldest]
        oldest.transport.abort()
        return True

    async def _dispatch(self, request: Request) -> Response | StreamResponse:
        try:
            return await self._handler(request)
        except HttpError as exc:
            return exc.response()
        except Exception:
            log.exception("connector handler failed on %s %s", request.method, request.path)
            return HttpError(500, "internal", "internal error; see the softphone log").response()

    async def _stream(self, writer: asyncio.StreamWriter, response: StreamResponse) -> None:
        head = (
            "HTTP/1.1 200 OK\r\n"
            f"Content-Type: {response.content_type}; charset=utf-8\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n\r\n"
        )
        writer.write(head.encode())
        await writer.drain()
        async with contextlib.aclosing(response.chunks):  # type: ignore[type-var]
            async for chunk in response.chunks:
                writer.write(chunk)
                await writer.drain()
