"""Framed envelopes over a real Unix socket; bad bytes close the channel cleanly."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest

from protocol import pb
from protocol.channel import MessageChannel
from protocol.errors import (
    BadFrameHeader,
    ChannelClosed,
    ChannelError,
    FrameTooLarge,
    TruncatedFrame,
)
from protocol.framing import encode_frame
from protocol.transports.stream import connect_unix, serve_unix


async def serve(path: Path) -> tuple[asyncio.Server, asyncio.Queue[MessageChannel]]:
    accepted: asyncio.Queue[MessageChannel] = asyncio.Queue()

    async def handler(channel: MessageChannel) -> None:
        await accepted.put(channel)
        await asyncio.sleep(3600)

    return await serve_unix(path, handler), accepted


async def test_envelopes_cross_a_unix_socket_both_ways(tmp_path: Path) -> None:
    path = tmp_path / "run" / "adapter.sock"
    server, accepted = await serve(path)
    async with server:
        app = await connect_unix(path)
        adapter = await accepted.get()
        big = pb.Envelope(
            event=pb.Event(
                sequence=1, warning=pb.WarningRaised(warning=pb.AdapterWarning(message="x" * 40000))
            )
        )
        await app.send(pb.Envelope(command=pb.Command(request_id="a:1", dial=pb.Dial(to="7002"))))
        await adapter.send(big)
        assert (await adapter.receive()).command.dial.to == "7002"
        assert (await app.receive()) == big
        await app.close()
        with pytest.raises(ChannelClosed):
            await adapter.receive()
        # Only the owner may reach the adapter's socket.
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"Last login: Mon Nov 23\n", BadFrameHeader),
        (b"SP\x01\x00\x7f\xff\xff\xff", FrameTooLarge),
        (encode_frame(b"\x08\x01" * 100)[:50], TruncatedFrame),
    ],
    ids=["garbage", "oversize", "truncated"],
)
async def test_bad_bytes_give_a_typed_error(
    tmp_path: Path, raw: bytes, error: type[Exception]
) -> None:
    path = tmp_path / "adapter.sock"
    server, accepted = await serve(path)
    async with server:
        _reader, writer = await asyncio.open_unix_connection(str(path))
        adapter = await accepted.get()
        writer.write(raw)
        await writer.drain()
        writer.close()
        with pytest.raises(error):
            await asyncio.wait_for(adapter.receive(), 2.0)


async def test_a_second_adapter_does_not_steal_a_live_socket(tmp_path: Path) -> None:
    path = tmp_path / "adapter.sock"
    server, _accepted = await serve(path)
    async with server:
        with pytest.raises(ChannelError, match="already serving"):
            await serve(path)


async def test_a_stale_socket_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "adapter.sock"
    server, _ = await serve(path)
    server.close()
    await server.wait_closed()
    path.touch()  # leftover of a crashed adapter
    server, accepted = await serve(path)
    async with server:
        await connect_unix(path)
        assert await asyncio.wait_for(accepted.get(), 2.0)


async def test_no_adapter_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ChannelError, match="no adapter listening"):
        await connect_unix(tmp_path / "nothing.sock")


async def test_a_pipe_that_only_writes_with_await_still_carries_a_session() -> None:
    from protocol import pb
    from protocol.connection import SessionConnection
    from protocol.framed import FramedChannel
    from protocol.session import SessionConfig

    class AwaitOnlyPipe:
        kind, max_write = "test", None

        def __init__(self) -> None:
            self.peer: AwaitOnlyPipe | None = None
            self.inbox: asyncio.Queue[bytes] = asyncio.Queue()

        async def read(self) -> bytes:
            return await self.inbox.get()

        async def write(self, data: bytes) -> None:
            assert self.peer is not None
            self.peer.inbox.put_nowait(data)

        async def close(self) -> None:
            self.inbox.put_nowait(b"")

    a, b = AwaitOnlyPipe(), AwaitOnlyPipe()
    a.peer, b.peer = b, a
    seen: list[object] = []
    app = SessionConnection(FramedChannel(a), SessionConfig(pb.ROLE_APP, "a"), seen.append)
    adapter = SessionConnection(FramedChannel(b), SessionConfig(pb.ROLE_ADAPTER, "b"), seen.append)
    tasks = [asyncio.create_task(app.run()), asyncio.create_task(adapter.run())]
    for _ in range(100):
        if app.is_open and adapter.is_open:
            break
        await asyncio.sleep(0.01)
    assert app.is_open and adapter.is_open
    app.close(pb.GOODBYE_REASON_SHUTDOWN, "bye")
    await asyncio.wait_for(asyncio.gather(*tasks), 2)
