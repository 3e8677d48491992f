"""The asyncio driver of one session over one ``MessageChannel``.

It feeds the sans-I/O ``Session`` with what the channel delivers and the loop's
clock, writes what the session queues, and passes the session's events to a
callback. When the session closes (goodbye, silent peer, bad bytes) it closes the
channel; ``run()`` returns the ``SessionClosed`` event so the caller can decide
whether to reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from protocol import pb
from protocol.channel import MessageChannel
from protocol.errors import ChannelClosed, ChannelError
from protocol.events import SessionClosed, SessionEvent
from protocol.session import Session, SessionConfig, SessionState

log = logging.getLogger(__name__)


class SessionConnection:
    """Runs a ``Session`` over a channel until either side ends it."""

    def __init__(
        self,
        channel: MessageChannel,
        config: SessionConfig,
        on_event: Callable[[SessionEvent], None],
    ) -> None:
        self.channel = channel
        self._loop = asyncio.get_running_loop()
        self.session = Session(config, self._loop.time())
        self._on_event = on_event
        self._wake = asyncio.Event()
        self._closed: SessionClosed | None = None
        self._backlog: list[pb.Envelope] = []
        self._pumping = False

    @property
    def is_open(self) -> bool:
        return self.session.state is SessionState.OPEN

    def send_command(self, command: pb.Command, timeout: float | None = None) -> str:
        request_id = self.session.send_command(command, self._loop.time(), timeout)
        self._pump()
        return request_id

    def send_result(self, result: pb.Result) -> None:
        self.session.send_result(result, self._loop.time())
        self._pump()

    def send_event(self, event: pb.Event) -> None:
        self.session.send_event(event, self._loop.time())
        self._pump()

    def close(self, reason: pb.GoodbyeReason, message: str) -> None:
        self.session.close(reason, message, self._loop.time())
        self._pump()

    async def run(self) -> SessionClosed:
        """Drive the session; return how it ended. Never raises for channel trouble."""
        reader = asyncio.create_task(self._read_loop())
        try:
            self._pump()
            while self._closed is None:
                await self._sleep_until(self.session.next_deadline())
                self.session.handle_timer(self._loop.time())
                self._pump()
                await self._drain()
            await self._drain()
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
            await self.channel.close()
        assert self._closed is not None
        return self._closed

    async def _read_loop(self) -> None:
        try:
            while True:
                envelope = await self.channel.receive()
                self.session.receive(envelope, self._loop.time())
                self._pump()
        except ChannelClosed as error:
            self.session.connection_lost(str(error) or "channel closed", self._loop.time())
        except ChannelError as error:
            # Bad bytes from the peer: tell it why if the pipe still works, then close.
            log.warning("closing the session: %s", error)
            self.session.close(pb.GOODBYE_REASON_PROTOCOL_ERROR, str(error), self._loop.time())
        self._pump()

    def _pump(self) -> None:
        """Deliver the session's events and write what it queued, right now.

        Writing synchronously (when the transport can) instead of waking a writer
        task saves two trips through the event loop per message; that is most of
        what the channel adds to a command's round trip.
        """
        if self._pumping:
            return  # a callback sent something: the outer loop picks it up
        self._pumping = True
        try:
            while True:
                self._dispatch()
                envelopes = self.session.envelopes_to_send()
                if not envelopes:
                    break
                self._write(envelopes)
        finally:
            self._pumping = False
        if self._closed is not None or self._backlog:
            self._wake.set()

    def _write(self, envelopes: list[pb.Envelope]) -> None:
        send_nowait = getattr(self.channel, "send_nowait", None)
        if not getattr(self.channel, "can_send_nowait", True):
            send_nowait = None  # e.g. a framed pipe whose backend only writes with await
        if send_nowait is None or self._backlog:
            self._backlog.extend(envelopes)
            return
        for envelope in envelopes:
            try:
                send_nowait(envelope)
            except ChannelError as error:
                self.session.connection_lost(f"write failed: {error}", self._loop.time())
                return

    async def _drain(self) -> None:
        while self._backlog:
            envelope = self._backlog.pop(0)
            try:
                await self.channel.send(envelope)
            except ChannelError as error:
                self._backlog.clear()
                self.session.connection_lost(f"write failed: {error}", self._loop.time())
                self._pump()
        drain = getattr(self.channel, "drain", None)
        if drain is not None:
            try:
                await drain()
            except ChannelError as error:
                self.session.connection_lost(f"write failed: {error}", self._loop.time())
                self._pump()

    def _dispatch(self) -> None:
        while (event := self.session.next_event()) is not None:
            if isinstance(event, SessionClosed):
                self._closed = event
            self._on_event(event)

    async def _sleep_until(self, deadline: float | None) -> None:
        self._wake.clear()
        if self._backlog or self._closed is not None:
            return
        timeout = None if deadline is None else max(0.0, deadline - self._loop.time())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
