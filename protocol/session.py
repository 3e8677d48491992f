"""The session core both halves run over any channel (sans-I/O).

Theory of operation
-------------------
The core owns no socket, thread or clock. Its driver feeds it what arrived
(``receive``), what the local side wants (``send_command``/``send_result``/
``send_event``/``close``) and the time (``handle_timer``, every input takes
``now``). It hands back envelopes to send (``envelopes_to_send``), what happened
(``next_event``, frozen dataclasses from ``protocol.events``) and when it next
needs the clock (``next_deadline``).

Life of a session (the table in ``_TRANSITIONS`` is the only place it changes):

    AWAITING_HELLO --hello (same major)--> OPEN --goodbye / silence / close--> CLOSED
          |--hello (other major) / anything else / silence / close---------> CLOSED

* Hello both ways: protocol major.minor, software version, capabilities. Majors
  must match; minors interoperate (each side hides what the other lacks). An
  incompatible major is refused on *both* sides: we send a Goodbye naming both
  versions and which side to upgrade, so the UI can show it whichever side is older.
* Commands carry a request_id; exactly one Result answers each. A per-request
  deadline turns silence into ``RequestTimedOut``; a Result for an id we do not
  know (late, duplicated, invented) is a ``ProtocolNotice``, never a crash.
* Heartbeats: we send one whenever we have been quiet for ``heartbeat_interval``;
  any envelope from the peer proves it alive. A peer silent for ``peer_timeout``
  (default 3 s) is declared gone. A cut virtual channel often reads nothing and
  never errors, so this is what bounds the time to notice.
"""

from __future__ import annotations

import enum
import itertools
from collections import deque
from dataclasses import dataclass, field

from protocol import PROTOCOL_MAJOR, PROTOCOL_MINOR, SOFTWARE_VERSION, pb
from protocol.errors import LocalProtocolError
from protocol.events import (
    CommandReceived,
    EventReceived,
    HandshakeComplete,
    HandshakeRefused,
    ProtocolNotice,
    RequestTimedOut,
    ResultReceived,
    SessionClosed,
    SessionEvent,
)


class SessionState(enum.Enum):
    AWAITING_HELLO = "awaiting hello"
    OPEN = "open"
    CLOSED = "closed"


class Input(enum.Enum):
    HELLO_COMPATIBLE = "compatible hello"
    HELLO_INCOMPATIBLE = "incompatible hello"
    GOODBYE = "goodbye"
    SILENCE = "peer silent"
    CLOSE = "local close"
    UNEXPECTED = "unexpected envelope"


_S, _I = SessionState, Input
_TRANSITIONS: dict[SessionState, dict[Input, SessionState]] = {
    _S.AWAITING_HELLO: {
        _I.HELLO_COMPATIBLE: _S.OPEN,
        _I.HELLO_INCOMPATIBLE: _S.CLOSED,
        _I.GOODBYE: _S.CLOSED,
        _I.SILENCE: _S.CLOSED,
        _I.CLOSE: _S.CLOSED,
        _I.UNEXPECTED: _S.CLOSED,
    },
    _S.OPEN: {
        _I.GOODBYE: _S.CLOSED,
        _I.SILENCE: _S.CLOSED,
        _I.CLOSE: _S.CLOSED,
    },
    _S.CLOSED: {},
}

_ROLE_NAMES: dict[int, str] = {pb.ROLE_APP: "app", pb.ROLE_ADAPTER: "adapter"}


@dataclass
class SessionConfig:
    """What a side says about itself and how patient it is."""

    role: pb.Role
    instance_id: str = ""
    software_version: str = SOFTWARE_VERSION
    protocol: tuple[int, int] = (PROTOCOL_MAJOR, PROTOCOL_MINOR)
    capabilities: pb.Capabilities = field(default_factory=pb.Capabilities)
    heartbeat_interval: float = 1.0
    peer_timeout: float = 3.0
    request_timeout: float = 5.0
    #: Sequence of the last event seen (app) or published (adapter), sent in Hello.
    last_sequence: int = 0


@dataclass
class _Pending:
    command: pb.Command
    deadline: float


class Session:
    """One side of one session over one channel."""

    def __init__(self, config: SessionConfig, now: float) -> None:
        self.config = config
        self.state = SessionState.AWAITING_HELLO
        self.peer_hello: pb.Hello | None = None
        self._outbox: list[pb.Envelope] = []
        self._events: deque[SessionEvent] = deque()
        self._pending: dict[str, _Pending] = {}
        self._ids = itertools.count(1)
        self._last_received = now
        self._last_sent = now
        self._send(pb.Envelope(hello=self._hello()), now)

    # ----------------------------------------------------------------- outputs
    def envelopes_to_send(self) -> list[pb.Envelope]:
        """Envelopes queued for the channel, oldest first; clears the queue."""
        out, self._outbox = self._outbox, []
        return out

    def envelopes_to_send_pending(self) -> bool:
        return bool(self._outbox)

    def next_event(self) -> SessionEvent | None:
        return self._events.popleft() if self._events else None

    def next_deadline(self) -> float | None:
        """When ``handle_timer`` must next run (None once closed)."""
        if self.state is SessionState.CLOSED:
            return None
        times = [self._last_sent + self.config.heartbeat_interval]
        times.append(self._last_received + self.config.peer_timeout)
        times.extend(p.deadline for p in self._pending.values())
        return min(times)

    @property
    def pending_requests(self) -> list[pb.Command]:
        return [p.command for p in self._pending.values()]

    # ------------------------------------------------------------ local inputs
    def send_command(self, command: pb.Command, now: float, timeout: float | None = None) -> str:
        """Queue ``command``; fill its request_id unless set; return the id."""
        self._require_open("send a command")
        if not command.request_id:
            command.request_id = f"{self.config.instance_id}:{next(self._ids)}"
        if command.request_id in self._pending:
            raise LocalProtocolError(f"request {command.request_id} is already pending")
        limit = self.config.request_timeout if timeout is None else timeout
        self._pending[command.request_id] = _Pending(command, now + limit)
        self._send(pb.Envelope(command=command), now)
        return command.request_id

    def send_result(self, result: pb.Result, now: float) -> None:
        self._require_open("send a result")
        self._send(pb.Envelope(result=result), now)

    def send_event(self, event: pb.Event, now: float) -> None:
        self._require_open("send an event")
        self._send(pb.Envelope(event=event), now)

    def close(self, reason: pb.GoodbyeReason, message: str, now: float) -> None:
        """Say goodbye and close; idempotent."""
        if self.state is SessionState.CLOSED:
            return
        self._send(pb.Envelope(goodbye=pb.Goodbye(reason=reason, message=message)), now)
        self._finish(Input.CLOSE, message, peer_gone=False, goodbye=reason)

    def connection_lost(self, reason: str, now: float) -> None:
        """The driver saw the channel end or fail."""
        if self.state is not SessionState.CLOSED:
            self._finish(
                Input.SILENCE, reason, peer_gone=True, goodbye=pb.GOODBYE_REASON_UNSPECIFIED
            )

    def handle_timer(self, now: float) -> None:
        if self.state is SessionState.CLOSED:
            return
        silence = now - self._last_received
        if silence >= self.config.peer_timeout:
            reason = f"no word from the peer for {silence:.1f} s"
            self._finish(
                Input.SILENCE, reason, peer_gone=True, goodbye=pb.GOODBYE_REASON_UNSPECIFIED
            )
            return
        self._expire_requests(now)
        if now - self._last_sent >= self.config.heartbeat_interval:
            self._send(pb.Envelope(heartbeat=pb.Heartbeat()), now)

    # ----------------------------------------------------------- remote inputs
    def receive(self, envelope: pb.Envelope, now: float) -> None:
        """Take one envelope from the peer."""
        if self.state is SessionState.CLOSED:
            return
        self._last_received = now
        kind = envelope.WhichOneof("body")
        if kind == "goodbye":
            self._on_goodbye(envelope.goodbye)
        elif kind == "hello":
            self._on_hello(envelope.hello, now)
        elif self.state is SessionState.AWAITING_HELLO:
            self._protocol_error(f"{kind or 'unknown envelope'} before hello", now)
        elif kind == "heartbeat":
            pass
        elif kind == "command":
            self._on_command(envelope.command)
        elif kind == "result":
            self._on_result(envelope.result)
        elif kind == "event":
            self._events.append(EventReceived(envelope.event))
        else:
            # A body added by a newer minor version: ignore it, keep the session.
            self._events.append(ProtocolNotice("ignored an envelope of an unknown kind"))

    # ---------------------------------------------------------------- helpers
    def _hello(self) -> pb.Hello:
        major, minor = self.config.protocol
        return pb.Hello(
            role=self.config.role,
            protocol=pb.ProtocolVersion(major=major, minor=minor),
            software_version=self.config.software_version,
            capabilities=self.config.capabilities,
            instance_id=self.config.instance_id,
            last_sequence=self.config.last_sequence,
        )

    def _on_hello(self, hello: pb.Hello, now: float) -> None:
        if self.state is not SessionState.AWAITING_HELLO:
            self._events.append(ProtocolNotice("ignored a second hello"))
            return
        if hello.protocol.major != self.config.protocol[0]:
            reason = self._incompatibility(hello)
            self._events.append(HandshakeRefused(reason, hello))
            self._send(
                pb.Envelope(
                    goodbye=pb.Goodbye(
                        reason=pb.GOODBYE_REASON_INCOMPATIBLE_VERSION, message=reason
                    )
                ),
                now,
            )
            self._finish(
                Input.HELLO_INCOMPATIBLE,
                reason,
                peer_gone=False,
                goodbye=pb.GOODBYE_REASON_INCOMPATIBLE_VERSION,
            )
            return
        self.peer_hello = hello
        self._transition(Input.HELLO_COMPATIBLE)
        self._events.append(HandshakeComplete(hello))

    def _incompatibility(self, hello: pb.Hello) -> str:
        ours, theirs = self.config.protocol[0], hello.protocol.major
        me = _ROLE_NAMES.get(self.config.role, "this side")
        peer = _ROLE_NAMES.get(hello.role, "the peer")
        older = me if ours < theirs else peer
        return (
            f"incompatible versions: {me} {self.config.software_version} speaks protocol "
            f"{ours}.{self.config.protocol[1]}, {peer} {hello.software_version or '?'} speaks "
            f"{theirs}.{hello.protocol.minor}; upgrade the {older}"
        )

    def _on_goodbye(self, goodbye: pb.Goodbye) -> None:
        message = goodbye.message or "peer closed the session"
        if goodbye.reason == pb.GOODBYE_REASON_INCOMPATIBLE_VERSION:
            self._events.append(HandshakeRefused(message, None))
        self._finish(Input.GOODBYE, message, peer_gone=False, goodbye=goodbye.reason)

    def _on_command(self, command: pb.Command) -> None:
        self._events.append(CommandReceived(command))

    def _on_result(self, result: pb.Result) -> None:
        pending = self._pending.pop(result.request_id, None)
        if pending is None:
            self._events.append(
                ProtocolNotice(
                    f"ignored a result for unknown or expired request {result.request_id!r}"
                )
            )
            return
        self._events.append(ResultReceived(result, pending.command))

    def _expire_requests(self, now: float) -> None:
        for request_id, pending in list(self._pending.items()):
            if now >= pending.deadline:
                del self._pending[request_id]
                self._events.append(RequestTimedOut(pending.command))

    def _protocol_error(self, message: str, now: float) -> None:
        self._send(
            pb.Envelope(
                goodbye=pb.Goodbye(reason=pb.GOODBYE_REASON_PROTOCOL_ERROR, message=message)
            ),
            now,
        )
        self._finish(
            Input.UNEXPECTED,
            f"protocol error: {message}",
            peer_gone=False,
            goodbye=pb.GOODBYE_REASON_PROTOCOL_ERROR,
        )

    def _finish(
        self, event: Input, reason: str, *, peer_gone: bool, goodbye: pb.GoodbyeReason
    ) -> None:
        self._transition(event)
        self._events.append(SessionClosed(reason, peer_gone, goodbye))

    def _transition(self, event: Input) -> None:
        try:
            self.state = _TRANSITIONS[self.state][event]
        except KeyError:
            role = _ROLE_NAMES.get(self.config.role, "?")
            raise LocalProtocolError(
                f"{role} session cannot take {event.value!r} in state {self.state.value!r}"
            ) from None

    def _require_open(self, action: str) -> None:
        if self.state is not SessionState.OPEN:
            raise LocalProtocolError(f"cannot {action}: session is {self.state.value}")

    def _send(self, envelope: pb.Envelope, now: float) -> None:
        self._outbox.append(envelope)
        self._last_sent = now
