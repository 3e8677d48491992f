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

    @property
    def is_open(self) -> bool:
        return self.session.state is SessionState.OPEN

    def send_command(self, command: pb.Command, timeout: float | None = None) -> str:
        request_id = self.session.send_command(command, self._loop.time(), timeout)
        self._wake.set()
        return request_id

    def send_result(self, result: pb.Result) -> None:
        self.session.send_result(result, self._loop.time())
        self._wake.set()

    def send_event(self, event: pb.Event) -> None:
        self.session.send_event(event, self._loop.time())
        self._wake.set()

    def close(self, reason: pb.GoodbyeReason, message: str) -> None:
        self.session.close(reason, message, self._loop.time())
        self._wake.set()

    async def run(self) -> SessionClosed:
        """Drive the session; return how it ended. Never raises for channel trouble."""
        reader = asyncio.create_task(self._read_loop())
        try:
            while self._closed is None:
                await self._flush()
                self._dispatch()
                if self._closed is not None:
                    break
                await self._sleep_until(self.session.next_deadline())
                self.session.handle_timer(self._loop.time())
            await self._flush()
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
            await self.channel.close()
        return self._closed

    async def _read_loop(self) -> None:
        try:
            while True:
                envelope = await self.channel.receive()
                self.session.receive(envelope, self._loop.time())
                self._wake.set()
        except ChannelClosed as error:
            self.session.connection_lost(str(error) or "channel closed", self._loop.time())
        except ChannelError as error:
            # Bad bytes from the peer: tell it why if the pipe still works, then close.
            log.warning("closing the session: %s", error)
            self.session.close(pb.GOODBYE_REASON_PROTOCOL_ERROR, str(error), self._loop.time())
        self._wake.set()

    async def _flush(self) -> None:
        for envelope in self.session.envelopes_to_send():
            try:
                await self.channel.send(envelope)
            except ChannelError as error:
                self.session.connection_lost(f"write failed: {error}", self._loop.time())
                return

    def _dispatch(self) -> None:
        while (event := self.session.next_event()) is not None:
            if isinstance(event, SessionClosed):
                self._closed = event
            self._on_event(event)

    async def _sleep_until(self, deadline: float | None) -> None:
        self._wake.clear()
        if self.session.envelopes_to_send_pending():
            return
        timeout = None if deadline is None else max(0.0, deadline - self._loop.time())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
