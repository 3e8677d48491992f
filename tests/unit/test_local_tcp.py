"""The token-guarded loopback TCP channel: only a client that read the endpoint file gets in."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest

from protocol import pb
from protocol.channel import MessageChannel
from protocol.errors import ChannelError
from protocol.transports import local_tcp
from protocol.transports.local_tcp import connect_local_tcp, read_endpoint, serve_local_tcp


class Collector:
    def __init__(self) -> None:
        self.channels: asyncio.Queue[MessageChannel] = asyncio.Queue()

    async def __call__(self, channel: MessageChannel) -> None:
        await self.channels.put(channel)


async def test_a_client_with_the_token_gets_a_framed_channel(tmp_path: Path) -> None:
    collector = Collector()
    endpoint_file = tmp_path / "softphone" / "adapter.endpoint"
    server, endpoint = await serve_local_tcp(collector, endpoint_file)
    try:
        assert stat.S_IMODE(endpoint_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(endpoint_file.parent.stat().st_mode) == 0o700
        assert read_endpoint(endpoint_file) == endpoint and len(endpoint.token) == 64
        client = await connect_local_tcp(endpoint_file)
        served = await asyncio.wait_for(collector.channels.get(), 5)
        await client.send(pb.Envelope(heartbeat=pb.Heartbeat()))
        received = await asyncio.wait_for(served.receive(), 5)
        assert received.WhichOneof("body") == "heartbeat"
        await client.close()
    finally:
        server.close()


@pytest.mark.parametrize(
    "first_bytes", [b"softphone-token " + b"0" * 64 + b"\n", b"GET / HTTP/1.0\r\n"]
)
async def test_a_wrong_token_is_closed_before_any_framing(
    tmp_path: Path, first_bytes: bytes
) -> None:
    collector = Collector()
    server, endpoint = await serve_local_tcp(collector, tmp_path / "adapter.endpoint")
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", endpoint.port)
        writer.write(first_bytes.ljust(len(b"softphone-token \n") + 64, b"x"))
        assert await asyncio.wait_for(reader.read(), 5) == b""
        assert collector.channels.empty()
        writer.close()
    finally:
        server.close()


async def test_a_silent_client_is_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_tcp, "PREFACE_TIMEOUT_S", 0.2)
    collector = Collector()
    server, endpoint = await serve_local_tcp(collector, tmp_path / "adapter.endpoint")
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", endpoint.port)
        assert await asyncio.wait_for(reader.read(), 5) == b""
        assert collector.channels.empty()
        writer.close()
    finally:
        server.close()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10.0.0.5 4000 abc\n", "names 10.0.0.5, not 127.0.0.1"),
        ("127.0.0.1 99999 abc\n", "is not '127.0.0.1 PORT TOKEN'"),
        ("127.0.0.1\n", "is not '127.0.0.1 PORT TOKEN'"),
    ],
)
def test_a_bad_endpoint_file_is_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "adapter.endpoint"
    path.write_text(text)
    with pytest.raises(ChannelError, match=message) as caught:
        read_endpoint(path)
    assert str(path) in str(caught.value)
