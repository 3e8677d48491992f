"""The app's link to its adapter: connect, handshake, resync, reconnect, forever.

Theory of operation
-------------------
``AdapterLink`` is the app-side driver of the session core. It keeps one
session alive with the adapter across everything a remote desktop does to a
virtual channel: it connects through a transport factory, waits for the Hello,
fetches a snapshot, then passes events on. When the session ends (cut, silent
peer, adapter restart) it reconnects with exponential backoff and resyncs.

Events and snapshots: events carry sequence numbers. While a snapshot request is
outstanding, events are held back; the snapshot replaces the view wholesale and
then the held events newer than ``snapshot.sequence`` are replayed, so nothing is
applied twice or lost. A gap in sequence numbers triggers a fresh snapshot.

Commands are exactly-once: each gets a request_id unique to this app instance.
One that has not been answered when the channel drops is resent with the same id
after the reconnect; the adapter remembers results by id, so it never runs a
command twice. A command that gets no answer within its timeout resolves to a
TIMEOUT error (or CHANNEL_LOST when the adapter was never reachable meanwhile):
``command()`` never raises for channel trouble.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from protocol import PROTOCOL_MAJOR, PROTOCOL_MINOR, pb
from protocol.channel import MessageChannel
from protocol.connection import SessionConnection
from protocol.errors import ChannelError
from protocol.events import (
    EventReceived,
    HandshakeComplete,
    HandshakeRefused,
    RequestTimedOut,
    ResultReceived,
    SessionClosed,
    SessionEvent,
)
from protocol.session import SessionConfig

log = logging.getLogger(__name__)

Connector = Callable[[], Awaitable[MessageChannel]]

#: Seconds between attempts to reach an adapter that refused our protocol major.
INCOMPATIBLE_RETRY_S = 30.0


@dataclass(frozen=True)
class LinkStatus:
    """What the status bar and ``/v1/session`` say about the adapter link."""

    state: str = "connecting"
    """connecting | connected | reconnecting | incompatible | unreachable | closed"""
    transport: str = ""
    """loopback | unix | tcp | grpc+tls | grpc | rdp | citrix | inproc"""
    media_offloaded: bool = True
    """True when audio runs on the workstation (every transport but inproc)."""
    adapter_version: str = ""
    adapter_protocol: tuple[int, int] = (0, 0)
    capabilities: pb.Capabilities | None = None
    detail: str = ""
    """Human-readable reason: the incompatibility text, the last connect error."""
    transport_choice: str = ""
    """Why this transport: what was tried before it and why that failed (``auto``)."""


class LinkListener(Protocol):
    def on_status(self, status: LinkStatus) -> None: ...

    def on_snapshot(self, snapshot: pb.Snapshot) -> None: ...

    def on_event(self, event: pb.Event) -> None: ...


@dataclass
class _Request:
    command: pb.Command
    future: asyncio.Future[pb.Result]
    sent_while_connected: bool = False


@dataclass
class Backoff:
    """Reconnect delays: doubling from ``first`` up to ``ceiling`` seconds.

    The ceiling is low (1 s) because the agent waits on it: after an RDP reconnect the
    channel can be reopened ~1.6 s later, and a trying link notices within a second.
    A failed attempt costs little (a local open or one TCP connect).
    """

    first: float = 0.2
    ceiling: float = 1.0
    _next: float = field(init=False, default=0.0)

    def reset(self) -> None:
        self._next = self.first

    def next_delay(self) -> float:
        delay = self._next or self.first
        self._next = min(delay * 2, self.ceiling)
        return delay


class AdapterLink:
    """The app's session with its adapter, kept alive across cuts."""

    def __init__(
        self,
        connect: Connector,
        *,
        transport: str,
        media_offloaded: bool = True,
        instance_id: str | None = None,
        heartbeat_interval: float = 1.0,
        peer_timeout: float = 3.0,
        connect_timeout: float = 5.0,
        backoff: Backoff | None = None,
        capabilities: pb.Capabilities | None = None,
        protocol: tuple[int, int] = (PROTOCOL_MAJOR, PROTOCOL_MINOR),
    ) -> None:
        self._connect = connect
        self.instance_id = instance_id or f"app-{uuid.uuid4().hex[:8]}"
        self._heartbeat_interval = heartbeat_interval
        self._peer_timeout = peer_timeout
        self._connect_timeout = connect_timeout
        self._backoff = backoff or Backoff()
        self._capabilities = capabilities or pb.Capabilities()
        self._protocol = protocol
        self._listeners: list[LinkListener] = []
        self._status = LinkStatus(transport=transport, media_offloaded=media_offloaded)
        self._connection: SessionConnection | None = None
        self._requests: dict[str, _Request] = {}
        self._ids = itertools.count(1)
        self._last_sequence = 0
        self._held_events: list[pb.Event] | None = None
        self._snapshot_wanted = False
        self._closing = False
        self._run_task: asyncio.Task[None] | None = None
        self.connects = 0
        self.snapshots = 0

    # ------------------------------------------------------------------ public
    @property
    def status(self) -> LinkStatus:
        return self._status

    def add_listener(self, listener: LinkListener) -> None:
        self._listeners.append(listener)

    async def run(self) -> None:
        """Connect and stay connected until ``close()``."""
        self._run_task = asyncio.current_task()
        self._backoff.reset()
        while not self._closing:
            ended = await self._one_session()
            if self._closing:
                break
            # An incompatible adapter will not change by itself soon: retry slowly.
            await asyncio.sleep(self._backoff.next_delay() if ended else INCOMPATIBLE_RETRY_S)
        self._set_status(state="closed", detail="closed")

    async def command(self, command: pb.Command, timeout: float = 5.0) -> pb.Result:
        """Send ``command``; return its Result, or a TIMEOUT / CHANNEL_LOST error."""
        command.request_id = f"{self.instance_id}:{next(self._ids)}"
        request = _Request(command, asyncio.get_running_loop().create_future())
        self._requests[command.request_id] = request
        self._send_request(request, timeout)
        # A timer rather than wait_for(): no extra task per command on the hot path.
        timer = asyncio.get_running_loop().call_later(timeout, self._expire, request, timeout)
        try:
            return await request.future
        finally:
            timer.cancel()
            self._requests.pop(command.request_id, None)

    def _expire(self, request: _Request, timeout: float) -> None:
        if not request.future.done():
            request.future.set_result(self._give_up(request, timeout))

    async def close(self) -> None:
        self._closing = True
        if self._connection is not None:
            self._connection.close(pb.GOODBYE_REASON_SHUTDOWN, "the app is closing")
        if self._run_task is not None and self._run_task is not asyncio.current_task():
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._run_task), 1.0)
            self._run_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._run_task

    # --------------------------------------------------------------- sessions
    async def _one_session(self) -> bool:
        """Run one connection attempt and its session; True if worth a quick retry."""
        try:
            channel = await asyncio.wait_for(self._connect(), self._connect_timeout)
        except (ChannelError, OSError, TimeoutError) as error:
            detail = str(error) or "no answer from the adapter"
            state = "reconnecting" if self.connects else "unreachable"
            self._set_status(state=state, detail=f"cannot reach the adapter: {detail}")
            return True
        self.connects += 1
        kind = getattr(channel, "kind", "") or self._status.transport
        self._set_status(
            transport=kind,
            media_offloaded=kind != "inproc" and self._status.media_offloaded,
            transport_choice=str(getattr(self._connect, "notes", "")),
        )
        self._connection = SessionConnection(channel, self._session_config(), self._on_session)
        ended = await self._connection.run()
        self._connection = None
        self._held_events = None
        if self._status.state != "incompatible" and not self._closing:
            self._set_status(state="reconnecting", detail=f"adapter link lost: {ended.reason}")
        return self._status.state != "incompatible"

    def _session_config(self) -> SessionConfig:
        return SessionConfig(
            role=pb.ROLE_APP,
            instance_id=self.instance_id,
            capabilities=self._capabilities,
            protocol=self._protocol,
            heartbeat_interval=self._heartbeat_interval,
            peer_timeout=self._peer_timeout,
            last_sequence=self._last_sequence,
        )

    def _on_session(self, event: SessionEvent) -> None:
        if isinstance(event, HandshakeComplete):
            self._on_handshake(event.peer_hello)
        elif isinstance(event, HandshakeRefused):
            self._set_status(state="incompatible", detail=event.reason)
        elif isinstance(event, ResultReceived):
            self._on_result(event.result)
        elif isinstance(event, RequestTimedOut):
            pass  # the caller's own timeout in command() reports it
        elif isinstance(event, EventReceived):
            self._on_event(event.event)
        elif isinstance(event, SessionClosed) and event.peer_gone:
            log.info("adapter link lost: %s", event.reason)

    def _on_handshake(self, hello: pb.Hello) -> None:
        self._backoff.reset()
        self._set_status(
            state="connected",
            adapter_version=hello.software_version,
            adapter_protocol=(hello.protocol.major, hello.protocol.minor),
            capabilities=hello.capabilities,
            detail="",
        )
        self._request_snapshot()
        for request in list(self._requests.values()):
            self._send_request(request, None)  # same request_id: the adapter deduplicates

    # --------------------------------------------------------------- requests
    def _send_request(self, request: _Request, timeout: float | None) -> None:
        connection = self._connection
        if connection is None or not connection.is_open or request.future.done():
            return
        request.sent_while_connected = True
        # The session's own timeout is generous: command() enforces the caller's.
        connection.send_command(request.command, timeout=max(timeout or 0.0, 60.0))

    def _give_up(self, request: _Request, timeout: float) -> pb.Result:
        request_id = request.command.request_id
        if request.sent_while_connected:
            code, reason = pb.ERROR_CODE_TIMEOUT, f"no answer from the adapter within {timeout:g} s"
        else:
            code, reason = pb.ERROR_CODE_CHANNEL_LOST, "the adapter is not reachable"
        return pb.Result(request_id=request_id, error=pb.Error(code=code, reason=reason))

    def _on_result(self, result: pb.Result) -> None:
        if result.request_id == self._snapshot_request_id:
            self._on_snapshot_result(result)
            return
        request = self._requests.get(result.request_id)
        if request is not None and not request.future.done():
            request.future.set_result(result)

    # ------------------------------------------------------ snapshots & events
    _snapshot_request_id = ""

    def _request_snapshot(self) -> None:
        connection = self._connection
        if connection is None or not connection.is_open:
            return
        if self._held_events is None:
            self._held_events = []
        command = pb.Command(get_snapshot=pb.GetSnapshot())
        command.request_id = f"{self.instance_id}:snapshot:{next(self._ids)}"
        self._snapshot_request_id = command.request_id
        connection.send_command(command, timeout=10.0)

    def _on_snapshot_result(self, result: pb.Result) -> None:
        held, self._held_events = self._held_events or [], None
        if result.WhichOneof("outcome") != "ok":
            log.warning("snapshot refused: %s", result.error.reason)
            return
        snapshot = result.ok.snapshot
        self._last_sequence = snapshot.sequence
        self.snapshots += 1
        for listener in self._listeners:
            listener.on_snapshot(snapshot)
        for event in held:
            self._deliver(event)

    def _on_event(self, event: pb.Event) -> None:
        if self._held_events is not None:
            self._held_events.append(event)
            return
        self._deliver(event)

    def _deliver(self, event: pb.Event) -> None:
        if event.sequence <= self._last_sequence:
            return  # already reflected in the snapshot
        gap = event.sequence > self._last_sequence + 1
        self._last_sequence = event.sequence
        for listener in self._listeners:
            listener.on_event(event)
        if gap:
            log.info("missed events before %d: resyncing", event.sequence)
            self._request_snapshot()

    def _set_status(self, **changes: object) -> None:
        status = replace(self._status, **changes)  # type: ignore[arg-type]
        if status == self._status:
            return
        self._status = status
        for listener in self._listeners:
            listener.on_status(status)
