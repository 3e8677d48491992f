"""The WTS backend outside a session (real libxrdpapi), and the pollable-handle pipe path."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

import pytest

from protocol.errors import ChannelClosed
from protocol.vchannel.pipe import VirtualChannelPipe, VirtualChannelUnavailable
from protocol.vchannel.wts import load_library, open_wts_channel


def test_outside_any_session_the_error_names_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(VirtualChannelUnavailable, match="DISPLAY is not set"):
        asyncio.run(open_wts_channel())


def test_a_display_without_xrdp_channel_server_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":59")
    with pytest.raises(VirtualChannelUnavailable, match=r"no xrdp channel server .* :59"):
        asyncio.run(open_wts_channel())


def test_missing_library_names_the_package() -> None:
    with pytest.raises(VirtualChannelUnavailable, match="install the xrdp package"):
        load_library("/nonexistent/libxrdpapi.so.0")


def test_static_channel_names_are_checked_before_opening() -> None:
    with pytest.raises(ValueError, match="1 to 7 printable ASCII"):
        asyncio.run(open_wts_channel("rdp2tcp-long"))


class SocketHandle:
    """A pollable ``ChannelHandle`` over one end of a socket pair (like xrdp's chansrv socket)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        sock.setblocking(False)

    def fileno(self) -> int | None:
        return self.sock.fileno()

    def read(self, timeout_ms: int) -> bytes | None:
        try:
            return self.sock.recv(65536)
        except BlockingIOError:
            return None

    def write(self, data: bytes) -> int:
        try:
            return self.sock.send(data)
        except BlockingIOError:
            return 0
        except OSError as error:
            raise ChannelClosed(str(error)) from None

    def close(self) -> None:
        self.sock.close()


Scenario = Callable[[VirtualChannelPipe, socket.socket], Awaitable[None]]


def run(scenario: Scenario) -> None:
    async def main() -> None:
        ours, peer = socket.socketpair()
        pipe = VirtualChannelPipe(SocketHandle(ours), kind="rdp", max_write=1600)
        try:
            await asyncio.wait_for(scenario(pipe, peer), 5)
        finally:
            await pipe.close()
            peer.close()

    asyncio.run(main())


def test_reads_wake_when_the_descriptor_polls_readable() -> None:
    async def scenario(pipe: VirtualChannelPipe, peer: socket.socket) -> None:
        reading = asyncio.ensure_future(pipe.read())
        await asyncio.sleep(0.05)
        assert not reading.done()
        peer.sendall(b"event")
        assert await reading == b"event"

    run(scenario)


def test_peer_gone_reads_end_and_writes_raise() -> None:
    async def scenario(pipe: VirtualChannelPipe, peer: socket.socket) -> None:
        peer.close()
        assert await pipe.read() == b""
        assert await pipe.read() == b""
        with pytest.raises(ChannelClosed):
            await pipe.write(b"heartbeat")

    run(scenario)


def test_a_full_channel_makes_writes_wait_not_fail() -> None:
    async def scenario(pipe: VirtualChannelPipe, peer: socket.socket) -> None:
        data = bytes(range(256)) * 8192  # 2 MiB: more than the socket buffers hold
        writing = asyncio.ensure_future(pipe.write(data))
        await asyncio.sleep(0.05)
        assert not writing.done()
        received = bytearray()
        peer.setblocking(False)
        while len(received) < len(data):
            try:
                received += peer.recv(1 << 20)
            except BlockingIOError:
                await asyncio.sleep(0.001)
        await writing
        assert received == data

    run(scenario)


def test_write_nowait_keeps_order_when_the_channel_fills() -> None:
    async def scenario(pipe: VirtualChannelPipe, peer: socket.socket) -> None:
        messages = [bytes([i]) * 300_000 for i in range(1, 8)]  # far more than socket buffers
        for message in messages:
            pipe.write_nowait(message)
        draining = asyncio.ensure_future(pipe.drain())
        received = bytearray()
        peer.setblocking(False)
        while len(received) < sum(map(len, messages)):
            try:
                received += peer.recv(1 << 20)
            except BlockingIOError:
                await asyncio.sleep(0.001)
        await draining
        assert received == b"".join(messages)

    run(scenario)


def test_a_write_failure_surfaces_at_the_next_write_or_drain() -> None:
    async def scenario(pipe: VirtualChannelPipe, peer: socket.socket) -> None:
        peer.close()
        with pytest.raises(ChannelClosed):
            for _ in range(100):  # the first writes may still land in the socket buffer
                pipe.write_nowait(b"x" * 1600)
                await asyncio.sleep(0.001)
        with pytest.raises(ChannelClosed):
            await pipe.drain()

    run(scenario)


def test_closing_wakes_a_waiting_read_with_channel_closed() -> None:
    async def scenario(pipe: VirtualChannelPipe, peer: socket.socket) -> None:
        reading = asyncio.ensure_future(pipe.read())
        await asyncio.sleep(0.05)
        await pipe.close()
        with pytest.raises(ChannelClosed):
            await reading
        # The descriptor number may be reused at once: nothing of ours may stay registered.
        loop = asyncio.get_running_loop()
        fresh, other = socket.socketpair()
        try:
            woke = loop.create_future()
            loop.add_reader(fresh.fileno(), woke.set_result, None)
            other.sendall(b"x")
            await asyncio.wait_for(woke, 1)
            loop.remove_reader(fresh.fileno())
        finally:
            fresh.close()
            other.close()

    run(scenario)
