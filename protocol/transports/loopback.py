"""The loopback channel simulator: a virtual channel in memory, with its faults.

A ``LoopbackLink`` plays the part of the remote-display protocol's virtual
channel between the two halves: it lives across connections, the app ``connect``s
through it, the adapter ``accept``s from it. Each connection is a pair of
``LoopbackPipe`` byte pipes, so the framing layer is exercised exactly as on RDP
(writes capped, bytes delayed by the ``LinkModel``).

A cut behaves like a disconnected RDP session (measured on xrdp): the handle reads
nothing, the next write fails, and no new connection opens until the cut ends.
Only heartbeats or a failed write reveal it, which is what the product must cope with.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from protocol.errors import ChannelClosed, ChannelError, LocalProtocolError
from protocol.impairment import PROFILES, ImpairmentProfile, LinkModel


class LoopbackPipe:
    """One end of one connection over the simulated channel."""

    kind = "loopback"

    def __init__(self, link: LoopbackLink) -> None:
        self._link = link
        self.max_write = link.profile.max_write
        self.peer: LoopbackPipe | None = None
        self._inbox: asyncio.Queue[bytes] = asyncio.Queue()
        self._in_flight: deque[tuple[float, bytes]] = deque()
        self._severed = False
        self._closed = False

    async def read(self) -> bytes:
        if self._closed:
            return b""
        return await self._inbox.get()

    async def write(self, data: bytes) -> None:
        self.write_nowait(data)

    def write_nowait(self, data: bytes) -> None:
        if self._closed or self._severed or self.peer is None:
            raise ChannelClosed("virtual channel is gone")
        if self.max_write and len(data) > self.max_write:
            raise LocalProtocolError(
                f"write of {len(data)} bytes exceeds the {self.max_write}-byte cap"
            )
        self._link.carry(self.peer, data)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._inbox.put_nowait(b"")
        if self.peer is not None and not self._severed:
            self._link.carry(self.peer, b"")  # the peer reads EOF after what is in flight

    def sever(self) -> None:
        """The channel was cut under us: reads hang, writes fail."""
        self._severed = True

    def schedule(self, when: float, data: bytes, loop: asyncio.AbstractEventLoop) -> None:
        """Deliver ``data`` at ``when``, after everything scheduled before it.

        asyncio does not keep timers that fall due at the same instant in the order they
        were set, so the chunks of a large frame could overtake one another. A FIFO per
        pipe keeps the byte stream in order whatever the timers do.
        """
        self._in_flight.append((when, data))
        loop.call_at(when, self._deliver_due, loop)

    def _deliver_due(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        while self._in_flight and self._in_flight[0][0] <= now:
            _when, data = self._in_flight.popleft()
            if not self._severed:
                self._inbox.put_nowait(data)


class LoopbackLink:
    """A simulated virtual channel joining an app and an adapter."""

    def __init__(self, profile: ImpairmentProfile | str = "lan", seed: int = 0) -> None:
        self.profile = PROFILES[profile] if isinstance(profile, str) else profile
        self._loop = asyncio.get_running_loop()
        self.model = LinkModel(self.profile, self._loop.time(), seed)
        self._backlog: asyncio.Queue[LoopbackPipe] = asyncio.Queue()
        self._pipes: list[LoopbackPipe] = []
        self._manual_cut_until = 0.0
        self._watchdog = self._loop.create_task(self._watch_cuts())
        self.cuts = 0

    async def connect(self) -> LoopbackPipe:
        """Open a connection from the app side; fails while the channel is cut."""
        now = self._loop.time()
        if self.is_cut(now):
            raise ChannelError("virtual channel unavailable (session disconnected)")
        app, adapter = LoopbackPipe(self), LoopbackPipe(self)
        app.peer, adapter.peer = adapter, app
        self._pipes = [p for p in self._pipes if not p._severed] + [app, adapter]
        await self._backlog.put(adapter)
        return app

    async def accept(self) -> LoopbackPipe:
        """Wait for the adapter's end of the next connection."""
        return await self._backlog.get()

    def is_cut(self, now: float) -> bool:
        return now < self._manual_cut_until or self.model.cut_until(now) is not None

    def cut(self, duration_s: float) -> None:
        """Cut the channel now for ``duration_s`` seconds (QA's ``cut_channel``)."""
        self._manual_cut_until = self._loop.time() + duration_s
        self._sever_all()

    def carry(self, target: LoopbackPipe, data: bytes) -> None:
        when = self.model.delivery_time(len(data), self._loop.time())
        target.schedule(when, data, self._loop)

    async def aclose(self) -> None:
        self._watchdog.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._watchdog
        self._sever_all()

    def _sever_all(self) -> None:
        self.cuts += 1
        for pipe in self._pipes:
            pipe.sever()
        self._pipes = []

    async def _watch_cuts(self) -> None:
        # Scheduled and random cuts from the profile sever live connections when they start.
        while True:
            window = self.model.next_cut(self._loop.time())
            if window is None:
                return
            start, end = window
            await asyncio.sleep(max(0.0, start - self._loop.time()))
            self._sever_all()
            await asyncio.sleep(max(0.0, end - self._loop.time()))
