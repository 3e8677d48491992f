"""The WTS backend the way it runs on Windows RDS/AVD (``wtsapi32.dll``), against a fake.

Windows channel handles are not pollable from asyncio, so reads run on a thread
and a read timeout comes back as a failure with a "timed out" error code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from protocol.errors import ChannelClosed
from protocol.vchannel.pipe import VirtualChannelPipe, VirtualChannelUnavailable
from protocol.vchannel.wts import WTS_CURRENT_SESSION, WtsLibrary, open_wts_channel
from tests.unit.vchannel.fake_wfapi import FakeWtsApi

Scenario = Callable[[VirtualChannelPipe, FakeWtsApi], Awaitable[None]]


def run(scenario: Scenario, fake: FakeWtsApi | None = None) -> FakeWtsApi:
    fake = fake or FakeWtsApi()

    async def main() -> None:
        library = WtsLibrary(fake, pollable=False, error_code=fake.last_error)
        pipe = await open_wts_channel(library=library)
        try:
            await asyncio.wait_for(scenario(pipe, fake), 5)
        finally:
            await pipe.close()

    asyncio.run(main())
    return fake


def test_opens_rdp2tcp_in_the_current_session_without_polling_its_handle() -> None:
    async def scenario(pipe: VirtualChannelPipe, fake: FakeWtsApi) -> None:
        assert (pipe.kind, pipe.max_write) == ("rdp", 1600)

    fake = run(scenario)
    assert fake.opened == [(None, WTS_CURRENT_SESSION, b"rdp2tcp")]
    assert fake.queries == 0  # the Windows file handle is for overlapped I/O: not used


def test_timeouts_are_waited_through_and_data_arrives_in_order() -> None:
    async def scenario(pipe: VirtualChannelPipe, fake: FakeWtsApi) -> None:
        reading = asyncio.ensure_future(pipe.read())
        await asyncio.sleep(0.25)
        assert not reading.done()
        fake.deliver(b"snapshot")
        assert await reading == b"snapshot"
        await pipe.write(b"x" * 4000)

    fake = run(scenario)
    assert fake.writes == [1600, 1600, 800]


def test_client_gone_means_end_of_stream_then_channel_closed() -> None:
    async def scenario(pipe: VirtualChannelPipe, fake: FakeWtsApi) -> None:
        fake.disconnect()
        assert await pipe.read() == b""
        with pytest.raises(ChannelClosed):
            await pipe.write(b"heartbeat")

    run(scenario)


def test_refused_open_is_unavailable() -> None:
    fake = FakeWtsApi(refuse_open=True)
    library = WtsLibrary(fake, pollable=False, error_code=fake.last_error)
    with pytest.raises(VirtualChannelUnavailable, match="'rdp2tcp'"):
        asyncio.run(open_wts_channel(library=library))
