"""The Citrix backend against a fake of the four WFAPI functions: framing and error paths."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from protocol import pb
from protocol.errors import ChannelClosed
from protocol.framed import FramedChannel
from protocol.vchannel.citrix import (
    CITRIX_CHUNK,
    WF_CURRENT_SESSION,
    WfApiLibrary,
    load_library,
    open_citrix_channel,
)
from protocol.vchannel.pipe import VirtualChannelPipe, VirtualChannelUnavailable
from tests.unit.vchannel.fake_wfapi import ERROR_BROKEN_PIPE, FakeWfApi

Scenario = Callable[[VirtualChannelPipe, FakeWfApi], Awaitable[None]]


def run(scenario: Scenario, fake: FakeWfApi | None = None) -> FakeWfApi:
    """Open a channel on the fake, run ``scenario``, close; return the fake to inspect."""
    fake = fake or FakeWfApi()

    async def main() -> None:
        library = WfApiLibrary(fake, error_code=fake.last_error)
        pipe = await open_citrix_channel(library=library)
        try:
            await asyncio.wait_for(scenario(pipe, fake), 5)
        finally:
            await pipe.close()

    asyncio.run(main())
    return fake


def test_opens_the_named_channel_in_the_current_session() -> None:
    async def scenario(pipe: VirtualChannelPipe, fake: FakeWfApi) -> None:
        assert (pipe.kind, pipe.max_write) == ("citrix", CITRIX_CHUNK)

    fake = run(scenario)
    assert fake.opened == [(None, WF_CURRENT_SESSION, b"SOFTPH")]
    assert fake.closes == 1


def test_long_writes_go_out_in_chunks_in_order() -> None:
    data = bytes(range(256)) * 40  # 10,240 bytes

    async def scenario(pipe: VirtualChannelPipe, fake: FakeWfApi) -> None:
        await pipe.write(data)

    fake = run(scenario)
    assert bytes(fake.written) == data
    assert max(fake.writes) == CITRIX_CHUNK
    assert sum(fake.writes) == len(data)


def test_a_partial_write_is_completed() -> None:
    async def scenario(pipe: VirtualChannelPipe, fake: FakeWfApi) -> None:
        await pipe.write(b"0123456789" * 100)

    fake = run(scenario, FakeWfApi(take_at_most=300))
    assert bytes(fake.written) == b"0123456789" * 100
    assert fake.writes == [300, 300, 300, 100]


def test_reads_wait_through_timeouts_and_keep_order() -> None:
    async def scenario(pipe: VirtualChannelPipe, fake: FakeWfApi) -> None:
        reading = asyncio.ensure_future(pipe.read())
        await asyncio.sleep(0.35)  # several 100 ms read timeouts go by
        assert not reading.done()
        fake.deliver(b"first")
        assert await reading == b"first"
        fake.deliver(b"second")
        assert await pipe.read() == b"second"

    fake = run(scenario)
    assert fake.read_calls >= 3


def test_envelopes_round_trip_through_the_framing() -> None:
    async def scenario(pipe: VirtualChannelPipe, fake: FakeWfApi) -> None:
        channel = FramedChannel(pipe)
        sent = [pb.Envelope(command=pb.Command(request_id=f"r{i}" + "x" * 4000)) for i in range(5)]
        for envelope in sent:
            await channel.send(envelope)
        for envelope in sent:
            assert await channel.receive() == envelope

    fake = run(scenario, FakeWfApi(echo=True))
    assert max(fake.writes) <= CITRIX_CHUNK


def test_a_dropped_connection_ends_reads_and_fails_writes() -> None:
    async def scenario(pipe: VirtualChannelPipe, fake: FakeWfApi) -> None:
        fake.disconnect(ERROR_BROKEN_PIPE)
        assert await pipe.read() == b""
        with pytest.raises(ChannelClosed):
            await pipe.write(b"heartbeat")

    run(scenario)


def test_a_failed_write_raises_channel_closed_and_stays_closed() -> None:
    async def scenario(pipe: VirtualChannelPipe, fake: FakeWfApi) -> None:
        await pipe.write(b"ok")
        fake.disconnect()
        with pytest.raises(ChannelClosed, match="error 109"):
            await pipe.write(b"lost")
        with pytest.raises(ChannelClosed):
            await pipe.write(b"again")
        assert await pipe.read() == b""

    fake = run(scenario)
    assert bytes(fake.written) == b"ok"


def test_framed_channel_reports_the_cut_as_channel_closed() -> None:
    async def scenario(pipe: VirtualChannelPipe, fake: FakeWfApi) -> None:
        channel = FramedChannel(pipe)
        fake.disconnect()
        with pytest.raises(ChannelClosed):
            await channel.receive()

    run(scenario)


def test_close_is_idempotent_and_reads_after_it_fail() -> None:
    async def scenario(pipe: VirtualChannelPipe, fake: FakeWfApi) -> None:
        await pipe.close()
        await pipe.close()
        with pytest.raises(ChannelClosed):
            await pipe.read()
        with pytest.raises(ChannelClosed):
            await pipe.write(b"x")

    fake = run(scenario)
    assert fake.closes == 1


def test_refused_open_says_why() -> None:
    fake = FakeWfApi(refuse_open=True)

    async def main() -> None:
        await open_citrix_channel("SOFTPH", WfApiLibrary(fake, error_code=fake.last_error))

    with pytest.raises(VirtualChannelUnavailable, match=r"'SOFTPH' \(error 6\)"):
        asyncio.run(main())


@pytest.mark.parametrize("name", ["", "TOOLONGNAME", "naïve", "tab\t"])
def test_bad_channel_names_are_refused(name: str) -> None:
    fake = FakeWfApi()

    async def main() -> None:
        await open_citrix_channel(name, WfApiLibrary(fake))

    with pytest.raises(ValueError, match="1 to 7 printable ASCII"):
        asyncio.run(main())
    assert fake.opened == []


def test_off_windows_loading_wfapi_is_a_clear_error() -> None:
    with pytest.raises(VirtualChannelUnavailable, match="Windows VDA"):
        load_library()


def test_write_nowait_queues_in_order_for_the_writer_thread() -> None:
    async def scenario(pipe: VirtualChannelPipe, fake: FakeWfApi) -> None:
        for i in range(50):
            pipe.write_nowait(bytes([i]) * 1000)
        await pipe.drain()

    fake = run(scenario)
    assert bytes(fake.written) == b"".join(bytes([i]) * 1000 for i in range(50))


def test_a_queued_write_that_fails_is_reported_by_drain() -> None:
    async def scenario(pipe: VirtualChannelPipe, fake: FakeWfApi) -> None:
        fake.disconnect()
        pipe.write_nowait(b"lost")
        with pytest.raises(ChannelClosed, match="error 109"):
            await pipe.drain()
        with pytest.raises(ChannelClosed):
            pipe.write_nowait(b"after")

    run(scenario)


def test_closing_wakes_a_waiting_read_with_channel_closed() -> None:
    async def scenario(pipe: VirtualChannelPipe, fake: FakeWfApi) -> None:
        reading = asyncio.ensure_future(pipe.read())
        await asyncio.sleep(0.15)
        await pipe.close()
        with pytest.raises(ChannelClosed):
            await reading

    fake = run(scenario)
    assert fake.closes == 1
