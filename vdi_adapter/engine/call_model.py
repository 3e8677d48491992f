"""The call state model the app sees, as a table, and why calls end.

Theory of operation: pjsua reports INVITE-session states (CALLING, INCOMING, EARLY,
CONNECTING, CONFIRMED, DISCONNECTED). The app sees ``pb.CallState``, which also says
who is alerting (RINGBACK vs RINGING). ``TRANSITIONS`` lists, h11 style, every legal
move; anything else is a local error that names the call, the state and the move.
``COMMANDS`` lists in which states each call command makes sense, so a misplaced
command gets ERROR_CODE_INVALID_STATE before pjsua2 is touched. ``end_reason`` decides
the CallEndReason from what we did (our last action) and what the far end said
(RFC 3261 status code), in that order, because our own action explains a 487 or a BYE
better than the code does.
"""

from __future__ import annotations

import enum

from protocol import pb

DIALING = pb.CALL_STATE_DIALING
RINGBACK = pb.CALL_STATE_RINGBACK
RINGING = pb.CALL_STATE_RINGING
CONNECTING = pb.CALL_STATE_CONNECTING
CONNECTED = pb.CALL_STATE_CONNECTED
ENDED = pb.CALL_STATE_ENDED
NEW = pb.CALL_STATE_UNSPECIFIED

TRANSITIONS: dict[int, frozenset[int]] = {
    NEW: frozenset({DIALING, RINGING, CONNECTING, ENDED}),
    DIALING: frozenset({RINGBACK, CONNECTING, CONNECTED, ENDED}),
    RINGBACK: frozenset({CONNECTING, CONNECTED, ENDED}),
    RINGING: frozenset({CONNECTING, CONNECTED, ENDED}),
    CONNECTING: frozenset({CONNECTED, ENDED}),
    CONNECTED: frozenset({ENDED}),
    ENDED: frozenset(),
}

_LIVE = frozenset({DIALING, RINGBACK, RINGING, CONNECTING, CONNECTED})

#: Command name -> states in which it is accepted.
COMMANDS: dict[str, frozenset[int]] = {
    "answer": frozenset({RINGING}),
    "reject": frozenset({RINGING}),
    "hangup": _LIVE,
    "hold": frozenset({CONNECTED}),
    "retrieve": frozenset({CONNECTED}),
    "mute": _LIVE,
    "send_dtmf": frozenset({CONNECTED}),
    "blind_transfer": frozenset({CONNECTED}),
    "attended_transfer": frozenset({CONNECTED}),
    "merge": frozenset({CONNECTED}),
    "split": frozenset({CONNECTED}),
}


class IllegalTransition(Exception):
    """A call was asked to move to a state the table does not allow from its own."""


class LocalAction(enum.Enum):
    """The last thing we did to a call, which explains how it ended."""

    NONE = "none"
    HANGUP = "hangup"
    REJECT = "reject"
    POLICY_REJECT = "policy_reject"
    TRANSFER = "transfer"
    SHUTDOWN = "shutdown"
    REPLACED = "replaced"


def advance(call_id: str, state: int, new_state: int) -> int:
    """Return ``new_state`` if the table allows it from ``state``; same state is a no-op."""
    if new_state == state:
        return state
    if new_state not in TRANSITIONS[state]:
        raise IllegalTransition(
            f"call {call_id}: cannot go from {pb.CallState.Name(state)} "
            f"to {pb.CallState.Name(new_state)}"
        )
    return new_state


def state_from_invite(inv_state_name: str, outbound: bool) -> int:
    """Map a pjsip INVITE session state name (e.g. 'EARLY') to ``pb.CallState``."""
    mapping = {
        "NULL": NEW,
        "CALLING": DIALING,
        "INCOMING": RINGING,
        "EARLY": RINGBACK if outbound else RINGING,
        "CONNECTING": CONNECTING,
        "CONFIRMED": CONNECTED,
        "DISCONNECTED": ENDED,
    }
    return mapping[inv_state_name]


def command_allowed(command: str, state: int) -> bool:
    return state in COMMANDS.get(command, frozenset())


_BY_ACTION = {
    LocalAction.HANGUP: pb.CALL_END_REASON_LOCAL_HANGUP,
    LocalAction.REJECT: pb.CALL_END_REASON_REJECTED,
    LocalAction.POLICY_REJECT: pb.CALL_END_REASON_POLICY,
    LocalAction.TRANSFER: pb.CALL_END_REASON_TRANSFERRED,
    LocalAction.SHUTDOWN: pb.CALL_END_REASON_ADAPTER_SHUTDOWN,
    LocalAction.REPLACED: pb.CALL_END_REASON_REPLACED,
}

_BY_CODE = {
    486: pb.CALL_END_REASON_BUSY,
    600: pb.CALL_END_REASON_BUSY,
    603: pb.CALL_END_REASON_DECLINED,
    408: pb.CALL_END_REASON_NO_ANSWER,
    480: pb.CALL_END_REASON_NO_ANSWER,
    487: pb.CALL_END_REASON_CANCELLED,
    503: pb.CALL_END_REASON_NETWORK_ERROR,
}


def end_reason(action: LocalAction, outbound: bool, was_connected: bool, sip_code: int) -> int:
    """Why a call ended, from our last action, its direction and the final status code."""
    if action in _BY_ACTION:
        return _BY_ACTION[action]
    if was_connected:
        return pb.CALL_END_REASON_REMOTE_HANGUP
    if not outbound:
        return pb.CALL_END_REASON_CANCELLED
    return _BY_CODE.get(sip_code, pb.CALL_END_REASON_FAILED)
