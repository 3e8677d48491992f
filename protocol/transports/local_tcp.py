"""The adapter's local channel where Unix sockets are not at hand: loopback TCP with a token.

Theory of operation: on Windows, Python cannot serve an AF_UNIX socket, and the
Citrix virtual-channel driver inside Workspace app must still reach the adapter
service of *its own* user. So the adapter listens on 127.0.0.1 (a port the system
picks) and writes an **endpoint file** in a folder only that user can write
(``%LOCALAPPDATA%\\Softphone\\adapter.endpoint``; ``$XDG_RUNTIME_DIR/softphone/`` on
Linux): one ASCII line ``127.0.0.1 <port> <token>``, the token 32 random bytes in
hex, new at every start.

* The client learns the address from that file, so it reaches the adapter that its
  user started, not whatever another user bound first.
* Its first bytes are the line ``softphone-token <token>\\n``; the adapter closes a
  connection whose first line is not that (compared in constant time) within
  ``PREFACE_TIMEOUT_S``. Another user's process cannot read the file, so it cannot
  drive this user's adapter.

After the line, the stream is the usual framed channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from protocol.errors import ChannelError
from protocol.framed import FramedChannel
from protocol.transports.stream import ChannelHandler, StreamPipe

PREFACE = b"softphone-token "
PREFACE_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Endpoint:
    """What the endpoint file says: where the adapter listens and the token it wants."""

    host: str
    port: int
    token: str

    def line(self) -> str:
        return f"{self.host} {self.port} {self.token}\n"


def read_endpoint(path: Path) -> Endpoint:
    """Parse an endpoint file; ``ChannelError`` says what is wrong with it."""
    try:
        fields = path.read_text(encoding="ascii").split()
    except (OSError, UnicodeDecodeError) as error:
        raise ChannelError(f"cannot read the adapter endpoint file {path}: {error}") from None
    if len(fields) != 3 or not fields[1].isdigit() or not 0 < int(fields[1]) < 65536:
        raise ChannelError(f"adapter endpoint file {path} is not '127.0.0.1 PORT TOKEN'")
    if fields[0] != "127.0.0.1":
        raise ChannelError(f"adapter endpoint file {path} names {fields[0]}, not 127.0.0.1")
    return Endpoint(fields[0], int(fields[1]), fields[2])


def write_endpoint(path: Path, endpoint: Endpoint) -> None:
    """Write the file whole (a reader never sees half a line), readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(path.name + ".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(endpoint.line())
    os.replace(temporary, path)


async def serve_local_tcp(
    handler: ChannelHandler, endpoint_file: Path, port: int = 0
) -> tuple[asyncio.Server, Endpoint]:
    """Listen on 127.0.0.1 for clients that show this start's token, and publish the address."""
    token = secrets.token_hex(32)
    expected = PREFACE + token.encode("ascii") + b"\n"

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not await _preface_matches(reader, expected):
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()
            return
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await handler(FramedChannel(StreamPipe(reader, writer, "tcp")))

    try:
        server = await asyncio.start_server(accept, "127.0.0.1", port)
    except OSError as error:
        raise ChannelError(f"cannot listen on 127.0.0.1:{port}: {error.strerror}") from None
    endpoint = Endpoint("127.0.0.1", server.sockets[0].getsockname()[1], token)
    try:
        write_endpoint(endpoint_file, endpoint)
    except OSError as error:
        server.close()
        raise ChannelError(f"cannot write the endpoint file {endpoint_file}: {error}") from None
    return server, endpoint


async def _preface_matches(reader: asyncio.StreamReader, expected: bytes) -> bool:
    try:
        # Exactly the expected length: a client cannot make us buffer a long line.
        line = await asyncio.wait_for(reader.readexactly(len(expected)), PREFACE_TIMEOUT_S)
    except (TimeoutError, asyncio.IncompleteReadError, ConnectionError, OSError):
        return False
    return hmac.compare_digest(line, expected)


async def connect_local_tcp(endpoint_file: Path) -> FramedChannel:
    """Connect to the adapter named by ``endpoint_file`` and show its token."""
    endpoint = read_endpoint(endpoint_file)
    try:
        reader, writer = await asyncio.open_connection(endpoint.host, endpoint.port)
    except OSError as error:
        raise ChannelError(
            f"no adapter listening on {endpoint.host}:{endpoint.port} ({error.strerror})"
        ) from None
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    writer.write(PREFACE + endpoint.token.encode("ascii") + b"\n")
    return FramedChannel(StreamPipe(reader, writer, "tcp"))
