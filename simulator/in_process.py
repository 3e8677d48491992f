"""The SIP engine and the adapter service inside the app's process, joined by the simulator.

This is where the two halves legitimately meet: ``--transport loopback`` (the engine
behind QA's channel simulator) and ``inproc`` (a standalone desktop, media not
offloaded). The app layer finds this module by name (``app_layer.transport.
IN_PROCESS_MODULE``) so that an app-only install, which has no SIP engine, never
imports the adapter.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from app_layer.transport import Connect
from protocol.channel import MessageChannel
from protocol.framed import FramedChannel
from protocol.transports.loopback import LoopbackLink
from vdi_adapter.cli import make_audio_backend
from vdi_adapter.engine import Engine
from vdi_adapter.event_sink import EventSink
from vdi_adapter.service import AdapterService


class InProcessAdapter:
    """The SIP engine and the adapter service in this process, joined by the simulator."""

    def __init__(self, simulated: bool) -> None:
        self.simulated = simulated
        self._engine: Any = None
        self._service: Any = None
        self._channel: Any = None
        self._accept: asyncio.Task[None] | None = None

    async def start(self) -> Connect:
        sink = EventSink()
        self._engine = Engine(sink, make_audio_backend("auto", sink))  # type: ignore[arg-type]
        await asyncio.get_running_loop().run_in_executor(None, self._engine.start)
        self._service = AdapterService(self._engine, sink)
        self._channel = LoopbackLink("lan")
        self._accept = asyncio.create_task(self._serve(FramedChannel))

        async def connect() -> MessageChannel:
            return FramedChannel(await self._channel.connect())

        return connect

    async def _serve(self, framed: Any) -> None:
        sessions: set[asyncio.Task[Any]] = set()
        while True:
            pipe = await self._channel.accept()
            task = asyncio.create_task(self._service.serve_channel(framed(pipe)))
            sessions.add(task)
            task.add_done_callback(sessions.discard)

    async def close(self) -> None:
        if self._accept is not None:
            self._accept.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._accept
        if self._service is not None:
            await self._service.close()
        if self._channel is not None:
            await self._channel.aclose()
        if self._engine is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._engine.stop)
