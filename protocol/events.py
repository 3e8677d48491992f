"""What the session core tells its driver. One frozen dataclass per event."""

from __future__ import annotations

from dataclasses import dataclass

from protocol import pb


@dataclass(frozen=True)
class HandshakeComplete:
    """Both Hellos exchanged and the versions are compatible."""

    peer_hello: pb.Hello
    """The peer's Hello: role, protocol, software version, capabilities, instance id."""


@dataclass(frozen=True)
class HandshakeRefused:
    """The versions are incompatible; the session is closed."""

    reason: str
    """Text for the UI: both versions and which side to upgrade."""
    peer_hello: pb.Hello | None
    """The peer's Hello when we refused it; None when the peer refused ours."""


@dataclass(frozen=True)
class CommandReceived:
    """The app asked the adapter to do something; answer with exactly one Result."""

    command: pb.Command
    """The command, with its request_id."""


@dataclass(frozen=True)
class ResultReceived:
    """The result of one of our commands arrived."""

    result: pb.Result
    """The result, echoing the request_id."""
    command: pb.Command
    """The command it answers."""


@dataclass(frozen=True)
class RequestTimedOut:
    """No result within the request's time limit; a late result is ignored."""

    command: pb.Command
    """The command that got no answer."""


@dataclass(frozen=True)
class EventReceived:
    """An adapter event arrived."""

    event: pb.Event
    """The event, with its sequence number."""


@dataclass(frozen=True)
class ProtocolNotice:
    """The peer sent something odd that we ignored (non-fatal)."""

    message: str
    """What was ignored and why."""


@dataclass(frozen=True)
class SessionClosed:
    """The session is over; the driver closes the channel."""

    reason: str
    """Why, in words for a log line or a banner."""
    peer_gone: bool
    """True when the peer vanished (heartbeat loss, cut) rather than said goodbye."""
    goodbye: pb.GoodbyeReason
    """The Goodbye reason sent or received (UNSPECIFIED when the peer vanished)."""


SessionEvent = (
    HandshakeComplete
    | HandshakeRefused
    | CommandReceived
    | ResultReceived
    | RequestTimedOut
    | EventReceived
    | ProtocolNotice
    | SessionClosed
)
