"""Byte-stream transports: Unix sockets, TCP on loopback, a child's stdin/stdout.

Each gives a ``StreamPipe`` (a ``BytePipe``) wrapped in a ``FramedChannel``. The
RDP and Citrix virtual channels are byte pipes too and reuse the same framing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from protocol.channel import MessageChannel
from protocol.errors import ChannelClosed, ChannelError
from protocol.framed import FramedChannel

ChannelHandler = Callable[[MessageChannel], Awaitable[None]]
_READ_SIZE = 64 * 1024


#: Output a peer may leave unread before its connection is closed.
MAX_UNSENT = 4 << 20


class StreamPipe:
    """A ``BytePipe`` over an asyncio stream pair."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        kind: str,
        max_write: int | None = None,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self.kind = kind
        self.max_write = max_write

    async def read(self) -> bytes:
        try:
            return await self._reader.read(_READ_SIZE)
        except (ConnectionError, OSError):
            return b""

    async def write(self, data: bytes) -> None:
        if self._writer.is_closing():
            raise ChannelClosed(f"{self.kind} stream is closed")
        try:
            self._writer.write(data)
            await self._writer.drain()
        except (ConnectionError, OSError) as error:
            raise ChannelClosed(f"{self.kind} stream failed: {error}") from None

    def write_nowait(self, data: bytes) -> None:
        if self._writer.is_closing():
            raise ChannelClosed(f"{self.kind} stream is closed")
        transport = self._writer.transport
        if transport.get_write_buffer_size() > MAX_UNSENT:
            # A peer that stopped reading would otherwise cost us memory without bound.
            transport.abort()
            raise ChannelClosed(
                f"{self.kind} peer has not read {MAX_UNSENT // (1 << 20)} MiB of output; closing"
            )
        try:
            self._writer.write(data)
        except (ConnectionError, OSError) as error:
            raise ChannelClosed(f"{self.kind} stream failed: {error}") from None

    async def drain(self) -> None:
        try:
            await self._writer.drain()
        except (ConnectionError, OSError) as error:
            raise ChannelClosed(f"{self.kind} stream failed: {error}") from None

    async def close(self) -> None:
        if not self._writer.is_closing():
            self._writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self._writer.wait_closed()


def _channel(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, kind: str
) -> FramedChannel:
    return FramedChannel(StreamPipe(reader, writer, kind))


async def connect_unix(path: str | os.PathLike[str]) -> FramedChannel:
    """Connect to an adapter serving on a Unix socket."""
    try:
        reader, writer = await asyncio.open_unix_connection(os.fspath(path))
    except (FileNotFoundError, ConnectionRefusedError) as error:
        raise ChannelError(f"no adapter listening on {path} ({error.strerror})") from None
    return _channel(reader, writer, "unix")


async def connect_tcp(host: str, port: int) -> FramedChannel:
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as error:
        raise ChannelError(f"no adapter listening on {host}:{port} ({error.strerror})") from None
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return _channel(reader, writer, "tcp")


async def serve_unix(path: str | os.PathLike[str], handler: ChannelHandler) -> asyncio.Server:
    """Serve on a Unix socket only its owner can reach (0600 in a 0700 directory)."""
    sock_path = Path(path)
    sock_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if sock_path.exists():
        await _remove_stale_socket(sock_path)

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await handler(_channel(reader, writer, "unix"))

    old_umask = os.umask(0o177)
    try:
        server = await asyncio.start_unix_server(accept, os.fspath(sock_path))
    finally:
        os.umask(old_umask)
    return server


async def _remove_stale_socket(path: Path) -> None:
    # A live adapter answers: refuse to steal its socket. A dead one left a file behind.
    try:
        _reader, writer = await asyncio.open_unix_connection(os.fspath(path))
    except OSError:
        path.unlink(missing_ok=True)
        return
    writer.close()
    raise ChannelError(f"another adapter is already serving on {path}")


async def serve_tcp(host: str, port: int, handler: ChannelHandler) -> asyncio.Server:
    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await handler(_channel(reader, writer, "tcp"))

    try:
        return await asyncio.start_server(accept, host, port)
    except OSError as error:
        raise ChannelError(f"cannot listen on {host}:{port}: {error.strerror}") from None


async def stdio_channel(kind: str = "stdio") -> FramedChannel:
    """The channel on this process's stdin/stdout (``softphone-adapter --stdio``)."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=_READ_SIZE)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
    transport, protocol = await loop.connect_write_pipe(
        asyncio.streams.FlowControlMixin, sys.stdout.buffer
    )
    writer = asyncio.StreamWriter(transport, protocol, reader, loop)
    return _channel(reader, writer, kind)
