"""What one misbehaving local peer can cost the adapter is bounded: commands in flight, and
output it leaves unread."""

from __future__ import annotations

import asyncio
import concurrent.futures
import socket

import pytest

from protocol import pb
from protocol.errors import ChannelClosed
from protocol.transports.stream import MAX_UNSENT, StreamPipe
from vdi_adapter.event_sink import EventSink
from vdi_adapter.service import MAX_IN_FLIGHT, AdapterService


class NeverAnswers:
    """A handler whose commands never finish (a stuck engine, or a flood of slow ones)."""

    def __init__(self) -> None:
        self.submitted = 0

    def submit(self, command: pb.Command) -> concurrent.futures.Future[pb.Result]:
        self.submitted += 1
        return concurrent.futures.Future()

    def snapshot(self) -> pb.Snapshot:
        return pb.Snapshot()


class LiveSession:
    is_open = True

    def __init__(self) -> None:
        self.results: list[pb.Result] = []

    def send_result(self, result: pb.Result) -> None:
        self.results.append(result)

    def close(self, reason: int, message: str) -> None:
        self.is_open = False


async def test_commands_beyond_the_in_flight_limit_get_a_clear_error() -> None:
    handler = NeverAnswers()
    service = AdapterService(handler, EventSink())
    live = LiveSession()
    service._live = live  # type: ignore[assignment]  # the session core is tested elsewhere
    for index in range(MAX_IN_FLIGHT + 36):
        service._on_command(pb.Command(request_id=f"r{index}", hold=pb.Hold(call_id="c1")))
    await asyncio.sleep(0.05)
    assert handler.submitted == MAX_IN_FLIGHT
    refused = [r for r in live.results if r.error.code == pb.ERROR_CODE_UNAVAILABLE]
    assert len(refused) == 36 and "commands in flight" in refused[0].error.reason
    await service.close()


async def test_a_peer_that_never_reads_is_cut_off_after_a_few_megabytes() -> None:
    ours, theirs = socket.socketpair()
    theirs.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    reader, writer = await asyncio.open_connection(sock=ours)
    pipe = StreamPipe(reader, writer, "unix")
    chunk = b"x" * 65536
    written = 0
    with pytest.raises(ChannelClosed, match="has not read"):
        while written < 10 * MAX_UNSENT:
            pipe.write_nowait(chunk)
            written += len(chunk)
    assert written <= MAX_UNSENT + 2 * len(chunk) + (1 << 20)  # no more than the bound
    assert writer.transport.is_closing()
    theirs.close()
