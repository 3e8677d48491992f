"""A real adapter session over the loopback simulator, as a backend for the window's bridge.

The adapter half is the real ``AdapterService`` with the channel tests' command
handler double; the app half is the real ``AdapterLink`` and ``Phone``. Events
travel as framed envelopes through the simulated virtual channel.
"""

from __future__ import annotations

import asyncio
import contextlib

from app_layer.link import AdapterLink, Backoff
from app_layer.phone import Phone
from app_layer.settings import Settings
from protocol import pb
from protocol.framed import FramedChannel
from protocol.transports.loopback import LoopbackLink
from tests.unit.phone_double import PhoneDouble
from vdi_adapter.event_sink import EventSink
from vdi_adapter.service import AdapterService

FAST = {"heartbeat_interval": 0.2, "peer_timeout": 0.8}


class LoopbackBackend:
    """Adapter service + link + phone on one asyncio loop."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.phone: Phone | None = None
        self.sink = EventSink()
        self.double = PhoneDouble(self.sink)
        #: Every command the adapter side received, in order.
        self.received: list[pb.Command] = []
        submit = self.double.submit

        def recording_submit(command: pb.Command) -> object:
            self.received.append(command)
            return submit(command)

        self.double.submit = recording_submit  # type: ignore[assignment,method-assign]
        self.channel: LoopbackLink | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._service: AdapterService | None = None
        self._link: AdapterLink | None = None

    async def start(self) -> int:
        self.channel = LoopbackLink("lan", seed=3)
        self._service = AdapterService(self.double, self.sink, **FAST)
        self._link = AdapterLink(
            self._connect, transport="loopback", backoff=Backoff(0.05, 0.3), **FAST
        )
        self.phone = Phone(self._link, self.settings)
        self._tasks = [
            asyncio.create_task(self._accept()),
            asyncio.create_task(self._link.run()),
        ]
        return 0

    async def _connect(self) -> FramedChannel:
        assert self.channel is not None
        return FramedChannel(await self.channel.connect())

    async def _accept(self) -> None:
        assert self.channel is not None and self._service is not None
        sessions: set[asyncio.Task[object]] = set()
        while True:
            pipe = await self.channel.accept()
            task = asyncio.create_task(self._service.serve_channel(FramedChannel(pipe)))
            sessions.add(task)  # type: ignore[arg-type]
            task.add_done_callback(sessions.discard)  # type: ignore[arg-type]

    def kinds(self) -> list[str]:
        return [c.WhichOneof("action") or "" for c in self.received]

    def publish(self, event: pb.Event) -> None:
        """An event as the engine would publish it (any thread)."""
        self.sink.publish(event)

    def ring(self, call_id: str, remote: str) -> None:
        """An incoming call as the SIP engine would report it (any thread)."""
        call = pb.Call(
            call_id=call_id,
            remote_uri=remote,
            state=pb.CALL_STATE_RINGING,
            direction=pb.CALL_DIRECTION_INBOUND,
        )
        with self.double._lock:
            self.double.calls[call_id] = call
        self.sink.publish(pb.Event(call=pb.CallChanged(call=call)))

    async def close(self) -> None:
        if self._link is not None:
            await self._link.close()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._service is not None:
            await self._service.close()
        if self.channel is not None:
            await self.channel.aclose()
