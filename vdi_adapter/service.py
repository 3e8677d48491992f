"""The adapter's side of the channel: serves the app's sessions, calls outlive them.

Theory of operation
-------------------
The adapter runs for as long as the workstation is on; app sessions come and go
with the remote desktop. So the service keeps no call state of its own: the
``CommandHandler`` (the SIP engine) owns calls and publishes events to the
``EventSink``; the service forwards those events to whichever app session is
live and turns the session's commands into handler calls.

* One live app session at a time. A new one (the agent reconnected, maybe from
  another workstation) replaces the old, which is told ``GOODBYE_REASON_REPLACED``.
* Exactly-once commands across reconnects: results are remembered by request_id
  (the app resends what it did not hear back about after a reconnect). A repeat
  gets the remembered result, a command still running gets its result when done,
  so nothing is executed twice.
* Grace period: when the last session ends, calls keep running (audio does not
  need the channel). If no session comes back within the configured grace period,
  the calls are hung up, or kept, as the policy says.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

from protocol import SOFTWARE_VERSION, pb
from protocol.channel import MessageChannel
from protocol.connection import SessionConnection
from protocol.events import CommandReceived, HandshakeComplete, SessionClosed, SessionEvent
from protocol.session import SessionConfig
from vdi_adapter.event_sink import EventSink

log = logging.getLogger(__name__)

#: Commands one peer may have running at once.
MAX_IN_FLIGHT = 64
_RESULT_MEMORY = 512
_DEFAULT_GRACE_S = 300.0


class CommandHandler(Protocol):
    """What executes commands: the SIP engine, or a test double of a pure core."""

    def submit(self, command: pb.Command) -> concurrent.futures.Future[pb.Result]: ...

    def snapshot(self) -> pb.Snapshot: ...


def error_result(request_id: str, code: pb.ErrorCode, reason: str) -> pb.Result:
    return pb.Result(request_id=request_id, error=pb.Error(code=code, reason=reason))


class AdapterService:
    """Serves app sessions over any channel for one adapter."""

    def __init__(
        self,
        handler: CommandHandler,
        sink: EventSink,
        *,
        capabilities: pb.Capabilities | None = None,
        instance_id: str | None = None,
        heartbeat_interval: float = 1.0,
        peer_timeout: float = 3.0,
        grace_period_s: float = _DEFAULT_GRACE_S,
        hangup_after_grace: bool = True,
        on_session_change: Callable[[str], None] | None = None,
    ) -> None:
        self.handler = handler
        self.sink = sink
        self.capabilities = capabilities or pb.Capabilities()
        self.instance_id = instance_id or f"adapter-{uuid.uuid4().hex[:8]}"
        self.heartbeat_interval = heartbeat_interval
        self.peer_timeout = peer_timeout
        self.grace_period_s = grace_period_s
        self.hangup_after_grace = hangup_after_grace
        self._on_session_change = on_session_change or (lambda _text: None)
        self._loop = asyncio.get_running_loop()
        self._started = time.monotonic()
        self._live: SessionConnection | None = None
        self._results: OrderedDict[str, pb.Result] = OrderedDict()
        self._running: dict[str, asyncio.Task[pb.Result]] = {}
        self._grace_timer: asyncio.TimerHandle | None = None
        self.sessions_served = 0
        sink.subscribe(self._on_sink_event)

    # --------------------------------------------------------------- serving
    async def serve_channel(self, channel: MessageChannel) -> SessionClosed:
        """Run one app session on ``channel`` until it ends."""
        config = SessionConfig(
            role=pb.ROLE_ADAPTER,
            instance_id=self.instance_id,
            capabilities=self.capabilities,
            heartbeat_interval=self.heartbeat_interval,
            peer_timeout=self.peer_timeout,
            last_sequence=self.sink.last_sequence,
        )
        holder: list[SessionConnection] = []
        connection = SessionConnection(channel, config, lambda e: self._on_session(holder[0], e))
        holder.append(connection)
        ended = await connection.run()
        if self._live is connection:
            self._live = None
            self._on_session_change(f"app session ended: {ended.reason}")
            self._start_grace_period()
        return ended

    async def close(self) -> None:
        """Say goodbye to the live session (adapter shutting down)."""
        self.sink.unsubscribe(self._on_sink_event)
        if self._grace_timer:
            self._grace_timer.cancel()
        if self._live is not None:
            self._live.close(pb.GOODBYE_REASON_SHUTDOWN, "the adapter is shutting down")
            await asyncio.sleep(0.05)  # let the goodbye reach the wire
        for task in list(self._running.values()):
            task.cancel()

    @property
    def app_connected(self) -> bool:
        return self._live is not None and self._live.is_open

    # ---------------------------------------------------------- session events
    def _on_session(self, connection: SessionConnection, event: SessionEvent) -> None:
        if isinstance(event, HandshakeComplete):
            self._adopt(connection, event.peer_hello)
        elif isinstance(event, CommandReceived):
            self._on_command(event.command)

    def _adopt(self, connection: SessionConnection, hello: pb.Hello) -> None:
        previous, self._live = self._live, connection
        if previous is not None and previous is not connection:
            previous.close(pb.GOODBYE_REASON_REPLACED, "another app session took over this adapter")
        if self._grace_timer:
            self._grace_timer.cancel()
            self._grace_timer = None
        self.sessions_served += 1
        who = hello.instance_id or "app"
        self._on_session_change(f"app session from {who} ({hello.software_version}) started")

    def _on_command(self, command: pb.Command) -> None:
        request_id = command.request_id
        if request_id in self._results:
            self._reply(self._results[request_id])
        elif request_id in self._running:
            pass  # a retransmission: the answer comes when the first one finishes
        elif len(self._running) >= MAX_IN_FLIGHT:
            # A peer that floods commands gets a clear answer, not an ever-growing queue.
            busy = f"more than {MAX_IN_FLIGHT} commands in flight; retry"
            self._reply(error_result(request_id, pb.ERROR_CODE_UNAVAILABLE, busy))
        else:
            task = self._loop.create_task(self._execute(command))
            self._running[request_id] = task
            task.add_done_callback(lambda t: self._finished(request_id, t))

    def _finished(self, request_id: str, task: asyncio.Task[pb.Result]) -> None:
        self._running.pop(request_id, None)
        if task.cancelled():
            return
        result = task.result()
        self._results[request_id] = result
        while len(self._results) > _RESULT_MEMORY:
            self._results.popitem(last=False)
        self._reply(result)

    def _reply(self, result: pb.Result) -> None:
        # To whichever session is live now: the app may have reconnected meanwhile.
        if self._live is not None and self._live.is_open:
            self._live.send_result(result)

    async def _execute(self, command: pb.Command) -> pb.Result:
        kind = command.WhichOneof("action")
        try:
            if kind is None:
                return error_result(
                    command.request_id,
                    pb.ERROR_CODE_UNKNOWN_COMMAND,
                    "this adapter does not know that command; upgrade the adapter",
                )
            if kind == "get_snapshot":
                snapshot = await self._loop.run_in_executor(None, self.snapshot)
                return pb.Result(request_id=command.request_id, ok=pb.Ok(snapshot=snapshot))
            if kind == "configure":
                self._apply_policy(command.configure.configuration.policy)
            result = await asyncio.wrap_future(self.handler.submit(command))
        except Exception as error:  # a broken handler must not take the channel down
            log.exception("command %s failed", kind)
            return error_result(
                command.request_id, pb.ERROR_CODE_INTERNAL, f"adapter error: {error}"
            )
        result.request_id = command.request_id
        return result

    def snapshot(self) -> pb.Snapshot:
        snapshot = self.handler.snapshot()
        snapshot.adapter_version = SOFTWARE_VERSION
        snapshot.adapter_uptime_s = time.monotonic() - self._started
        return snapshot

    def _apply_policy(self, policy: pb.CallPolicy) -> None:
        if policy.session_grace_period_s:
            self.grace_period_s = float(policy.session_grace_period_s)
        self.hangup_after_grace = policy.hangup_after_grace

    # ----------------------------------------------------------------- events
    def _on_sink_event(self, event: pb.Event) -> None:
        # Called on the publishing thread (the engine's); hop onto the loop.
        copy = pb.Event()
        copy.CopyFrom(event)
        with contextlib.suppress(RuntimeError):  # loop already closed at shutdown
            self._loop.call_soon_threadsafe(self._forward, copy)

    def _forward(self, event: pb.Event) -> None:
        if self._live is not None and self._live.is_open:
            self._live.send_event(event)

    # ------------------------------------------------------------ grace period
    def _start_grace_period(self) -> None:
        if self._grace_timer:
            self._grace_timer.cancel()
        self._grace_timer = self._loop.call_later(self.grace_period_s, self._grace_expired)

    def _grace_expired(self) -> None:
        self._grace_timer = None
        if self._live is not None or not self.hangup_after_grace:
            return
        self._loop.create_task(self._hang_up_everything())

    async def _hang_up_everything(self) -> None:
        snapshot = await self._loop.run_in_executor(None, self.handler.snapshot)
        for call in snapshot.calls:
            if call.state != pb.CALL_STATE_ENDED:
                log.warning(
                    "no app session for %.0f s: hanging up call %s",
                    self.grace_period_s,
                    call.call_id,
                )
                command = pb.Command(
                    request_id=f"grace:{call.call_id}", hangup=pb.Hangup(call_id=call.call_id)
                )
                await asyncio.wrap_future(self.handler.submit(command))
