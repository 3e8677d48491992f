"""The phone as the app sees it: a view-model core built only from snapshots and events.

Theory of operation
-------------------
The adapter owns the truth (registrations, calls, devices); the app holds a copy.
``PhoneState`` is rebuilt wholesale from a ``pb.Snapshot`` and then kept current by
``pb.Event``s, each of which carries the *whole* object it describes (a whole
``Call``, a whole ``Registration``), so applying an event is a replace, never a merge.

Events are numbered by the adapter. A snapshot names the last event it reflects, so
events with ``sequence <= snapshot.sequence`` are stale and dropped. An event that
skips numbers means some were lost (a cut channel): it is still applied, because it
carries whole objects, but the outcome says ``GAP`` so the driver asks for a new
snapshot, which then overrides whatever was missed.

What the agent may do to a call depends on its phase. ``CALL_ACTIONS`` is the one
table (h11 style, ``phase -> {action: phase it leads to}``) that both the connector
(409 for an invalid action) and the window (greyed-out buttons) consult, so they can
never disagree. Mute is a flag beside the phase, so MUTE/UNMUTE are filtered on it.

The core does no I/O and reads no clock: durations take ``now_ms`` as an argument.
"""

from __future__ import annotations

import enum
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from protocol import pb

#: Ended calls kept for the call list and redial.
HISTORY_LIMIT = 20


class CallPhase(enum.Enum):
    """Where a call is in its life, as the agent sees it (hold folded in)."""

    DIALING = "dialing"
    RINGBACK = "ringback"
    RINGING = "ringing"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    HELD = "held"
    ENDED = "ended"


class CallAction(enum.Enum):
    """Something the agent (or a desktop application) can ask of one call."""

    ANSWER = "answer"
    REJECT = "reject"
    HANGUP = "hangup"
    HOLD = "hold"
    RETRIEVE = "retrieve"
    MUTE = "mute"
    UNMUTE = "unmute"
    DTMF = "dtmf"
    TRANSFER_BLIND = "transfer_blind"
    TRANSFER_ATTENDED = "transfer_attended"
    CONFERENCE = "conference"


_A = CallAction
_P = CallPhase
_TALKING = {_A.MUTE: _P.CONNECTED, _A.UNMUTE: _P.CONNECTED, _A.HANGUP: _P.ENDED}

#: phase -> {valid action: the phase the call reaches once the adapter has done it}.
CALL_ACTIONS: dict[CallPhase, dict[CallAction, CallPhase]] = {
    _P.DIALING: {_A.HANGUP: _P.ENDED},
    _P.RINGBACK: {_A.HANGUP: _P.ENDED},
    _P.RINGING: {_A.ANSWER: _P.CONNECTING, _A.REJECT: _P.ENDED},
    _P.CONNECTING: dict(_TALKING),
    _P.CONNECTED: {
        **_TALKING,
        _A.HOLD: _P.HELD,
        _A.DTMF: _P.CONNECTED,
        _A.TRANSFER_BLIND: _P.ENDED,
        _A.TRANSFER_ATTENDED: _P.ENDED,
        _A.CONFERENCE: _P.CONNECTED,
    },
    _P.HELD: {
        **{a: _P.HELD for a in (_A.MUTE, _A.UNMUTE)},
        _A.HANGUP: _P.ENDED,
        _A.RETRIEVE: _P.CONNECTED,
        _A.TRANSFER_BLIND: _P.ENDED,
        _A.TRANSFER_ATTENDED: _P.ENDED,
        _A.CONFERENCE: _P.CONNECTED,
    },
    _P.ENDED: {},
}

#: Actions that need a second live call to act with.
_NEEDS_PARTNER = frozenset({_A.TRANSFER_ATTENDED, _A.CONFERENCE})

#: The adapter feature (``Capabilities.features`` in its Hello) each action needs. An
#: older adapter (a lower minor version) that lacks one has the action hidden.
_FEATURE_OF = {
    _A.HOLD: "hold",
    _A.RETRIEVE: "hold",
    _A.MUTE: "mute",
    _A.UNMUTE: "mute",
    _A.TRANSFER_BLIND: "blind_transfer",
    _A.TRANSFER_ATTENDED: "attended_transfer",
    _A.CONFERENCE: "conference",
}

_PHASE_OF_STATE = {
    pb.CALL_STATE_DIALING: _P.DIALING,
    pb.CALL_STATE_RINGBACK: _P.RINGBACK,
    pb.CALL_STATE_RINGING: _P.RINGING,
    pb.CALL_STATE_CONNECTING: _P.CONNECTING,
    pb.CALL_STATE_CONNECTED: _P.CONNECTED,
    pb.CALL_STATE_ENDED: _P.ENDED,
}


class InvalidAction(Exception):
    """The agent asked for an action the call's phase does not allow (our misuse)."""

    def __init__(
        self, call_id: str, phase: CallPhase | None, action: CallAction, why: str = ""
    ) -> None:
        where = f"is {phase.value}" if phase else "does not exist"
        why = why or f"call {call_id} {where}"
        super().__init__(f"cannot {action.value.replace('_', ' ')}: {why}")
        self.call_id = call_id
        self.phase = phase
        self.action = action


def _features(capabilities: pb.Capabilities | None) -> frozenset[str] | None:
    if capabilities is None or not capabilities.features:
        return None
    return frozenset(capabilities.features)


def call_phase(call: pb.Call) -> CallPhase:
    """The phase of a call; a held connected call is HELD."""
    phase = _PHASE_OF_STATE.get(call.state, _P.DIALING)
    if phase is _P.CONNECTED and call.on_hold:
        return _P.HELD
    return phase


def is_live(call: pb.Call) -> bool:
    return call_phase(call) is not _P.ENDED


class EventOutcome(enum.Enum):
    """What ``apply_event`` did with an event."""

    APPLIED = "applied"
    #: Already reflected by the snapshot or an earlier event: ignored.
    STALE = "stale"
    #: Applied, but numbers were skipped: ask the adapter for a new snapshot.
    GAP = "gap"


class Aspect(enum.Enum):
    """Which part of the phone an update touched, so views refresh only that."""

    LINK = "link"
    REGISTRATIONS = "registrations"
    CALLS = "calls"
    DEVICES = "devices"
    LEVELS = "levels"
    QUALITY = "quality"
    WARNINGS = "warnings"
    DTMF = "dtmf"


@dataclass(frozen=True)
class Update:
    """The result of applying one snapshot, event or link status."""

    #: What happened to the input.
    outcome: EventOutcome
    #: Parts of the state that changed.
    aspects: frozenset[Aspect] = frozenset()
    #: Calls whose record changed.
    call_ids: tuple[str, ...] = ()


class LinkStatusLike(Protocol):
    """The fields of ``app_layer.link.LinkStatus`` the view needs."""

    @property
    def state(self) -> str: ...
    @property
    def transport(self) -> str: ...
    @property
    def media_offloaded(self) -> bool: ...
    @property
    def adapter_version(self) -> str: ...
    @property
    def detail(self) -> str: ...


@dataclass(frozen=True)
class LinkView:
    """The channel to the adapter, as shown in the status bar."""

    #: "connecting", "connected", "reconnecting", "incompatible", "unreachable", "closed".
    state: str = "connecting"
    #: "rdp", "citrix", "grpc+tls", "grpc", "unix", "tcp", "loopback", "inproc" ("": unknown).
    transport: str = ""
    #: True when audio runs on the workstation, not in this process.
    media_offloaded: bool = False
    #: Software version of the adapter (empty until the handshake).
    adapter_version: str = ""
    #: Why the link is not connected, in words the agent can act on.
    detail: str = ""
    #: Why this transport: what ``auto`` tried first and why it failed.
    transport_choice: str = ""
    #: Features the adapter announced; None when it announced none (all assumed).
    features: frozenset[str] | None = None

    @classmethod
    def from_status(cls, status: LinkStatusLike) -> LinkView:
        return cls(
            state=status.state,
            transport=status.transport,
            media_offloaded=status.media_offloaded,
            adapter_version=status.adapter_version,
            detail=status.detail,
            transport_choice=getattr(status, "transport_choice", ""),
            features=_features(getattr(status, "capabilities", None)),
        )

    @property
    def connected(self) -> bool:
        return self.state == "connected"


@dataclass
class Levels:
    """Last audio levels of a call, in dBFS."""

    microphone_dbfs: float = -120.0
    speaker_dbfs: float = -120.0


@dataclass
class PhoneState:
    """Everything the window and the connector show, rebuilt from the adapter's reports."""

    link: LinkView = field(default_factory=LinkView)
    #: Sequence of the last event reflected (from a snapshot or an event).
    sequence: int = 0
    #: True once a snapshot arrived; events before it are applied but flagged as a gap.
    synced: bool = False
    registrations: dict[str, pb.Registration] = field(default_factory=dict)
    #: Live and recently ended calls, oldest first.
    calls: OrderedDict[str, pb.Call] = field(default_factory=OrderedDict)
    devices: list[pb.AudioDevice] = field(default_factory=list)
    active_devices: pb.ActiveDevices = field(default_factory=pb.ActiveDevices)
    quality: dict[str, pb.CallQuality] = field(default_factory=dict)
    levels: dict[str, Levels] = field(default_factory=dict)
    warnings: list[pb.AdapterWarning] = field(default_factory=list)
    adapter_version: str = ""
    available_codecs: list[str] = field(default_factory=list)
    #: Last digits received per call (DTMF from the far end).
    received_dtmf: dict[str, str] = field(default_factory=dict)
    #: Remote URI of the last outbound call, for redial.
    last_dialled: str = ""

    # -- inputs ---------------------------------------------------------------------

    def apply_link(self, status: LinkStatusLike) -> Update:
        """Record the channel's status; leaving "connected" marks the state unsynced."""
        self.link = LinkView.from_status(status)
        if not self.link.connected:
            self.synced = False
        if status.adapter_version:
            self.adapter_version = status.adapter_version
        return Update(EventOutcome.APPLIED, frozenset({Aspect.LINK}))

    def apply_snapshot(self, snapshot: pb.Snapshot) -> Update:
        """Replace everything with the adapter's whole state."""
        self.sequence = snapshot.sequence
        self.synced = True
        self.registrations = {r.account_id: _copy(r) for r in snapshot.registrations}
        self.calls = OrderedDict((c.call_id, _copy(c)) for c in snapshot.calls)
        self.devices = [_copy(d) for d in snapshot.devices]
        self.active_devices = _copy(snapshot.active_devices)
        self.quality = {q.call_id: _copy(q) for q in snapshot.quality}
        self.levels = {cid: lv for cid, lv in self.levels.items() if cid in self.calls}
        self.warnings = [_copy(w) for w in snapshot.warnings]
        self.adapter_version = snapshot.adapter_version or self.adapter_version
        self.available_codecs = list(snapshot.available_codecs)
        self._trim_history()
        return Update(EventOutcome.APPLIED, frozenset(Aspect), tuple(self.calls))

    def apply_event(self, event: pb.Event) -> Update:
        """Apply one event unless stale; report a gap in the numbering."""
        if self.synced and event.sequence <= self.sequence:
            return Update(EventOutcome.STALE)
        gap = not self.synced or event.sequence != self.sequence + 1
        self.sequence = max(self.sequence, event.sequence)
        aspects, call_ids = self._apply_kind(event)
        outcome = EventOutcome.GAP if gap else EventOutcome.APPLIED
        return Update(outcome, aspects, call_ids)

    # -- queries --------------------------------------------------------------------

    def call(self, call_id: str) -> pb.Call | None:
        return self.calls.get(call_id)

    def live_calls(self) -> list[pb.Call]:
        return [c for c in self.calls.values() if is_live(c)]

    def ringing_calls(self) -> list[pb.Call]:
        return [c for c in self.calls.values() if call_phase(c) is _P.RINGING]

    def allowed_actions(self, call_id: str) -> frozenset[CallAction]:
        """The actions valid for a call right now (empty for an unknown call)."""
        call = self.calls.get(call_id)
        if call is None or not self.link.connected:
            return frozenset()
        allowed = set(CALL_ACTIONS[call_phase(call)])
        allowed.discard(_A.UNMUTE if not call.muted else _A.MUTE)
        if not self._partners(call_id):
            allowed -= _NEEDS_PARTNER
        features = self.link.features
        if features is not None:
            allowed = {a for a in allowed if _FEATURE_OF.get(a, "") in features | {""}}
        return frozenset(allowed)

    def check_action(self, call_id: str, action: CallAction) -> None:
        """Raise ``InvalidAction`` unless ``action`` is valid for the call now."""
        if action in self.allowed_actions(call_id):
            return
        call = self.calls.get(call_id)
        phase = call_phase(call) if call else None
        feature = _FEATURE_OF.get(action, "")
        if self.link.features is not None and feature and feature not in self.link.features:
            version = self.link.adapter_version or "this version"
            why = f"the adapter ({version}) does not offer {feature.replace('_', ' ')}; upgrade it"
            raise InvalidAction(call_id, phase, action, why)
        raise InvalidAction(call_id, phase, action)

    def partners(self, call_id: str) -> list[str]:
        """Other answered calls this one could be transferred to or merged with."""
        return self._partners(call_id)

    def can_dial(self) -> bool:
        return self.link.connected

    def call_duration_s(self, call_id: str, now_ms: int) -> int:
        """Seconds since the call was answered (0 before), frozen once it ended."""
        call = self.calls.get(call_id)
        if call is None or not call.connected_unix_ms:
            return 0
        end = call.ended_unix_ms or now_ms
        return max(0, (end - call.connected_unix_ms) // 1000)

    # -- event kinds ----------------------------------------------------------------

    def _apply_kind(self, event: pb.Event) -> tuple[frozenset[Aspect], tuple[str, ...]]:
        kind = event.WhichOneof("kind")
        handler = self._HANDLERS.get(kind or "")
        if handler is None:
            # A kind added by a newer minor: ignored, as minors interoperate.
            return frozenset(), ()
        return handler(self, getattr(event, kind or ""))

    def _on_registration(self, msg: pb.RegistrationChanged) -> _Applied:
        self.registrations[msg.registration.account_id] = _copy(msg.registration)
        return frozenset({Aspect.REGISTRATIONS}), ()

    def _on_call(self, msg: pb.CallChanged) -> _Applied:
        call = _copy(msg.call)
        self.calls[call.call_id] = call
        if call.direction == pb.CALL_DIRECTION_OUTBOUND and call.remote_uri:
            self.last_dialled = call.remote_uri
        if not is_live(call):
            self.levels.pop(call.call_id, None)
        self._trim_history()
        return frozenset({Aspect.CALLS}), (call.call_id,)

    def _on_dtmf(self, msg: pb.DtmfReceived) -> _Applied:
        self.received_dtmf[msg.call_id] = self.received_dtmf.get(msg.call_id, "") + msg.digit
        return frozenset({Aspect.DTMF}), (msg.call_id,)

    def _on_device_list(self, msg: pb.DeviceListChanged) -> _Applied:
        self.devices = [_copy(d) for d in msg.devices]
        return frozenset({Aspect.DEVICES}), ()

    def _on_active_devices(self, msg: pb.ActiveDevicesChanged) -> _Applied:
        self.active_devices = _copy(msg.active)
        return frozenset({Aspect.DEVICES}), ()

    def _on_level(self, msg: pb.AudioLevel) -> _Applied:
        self.levels[msg.call_id] = Levels(msg.microphone_dbfs, msg.speaker_dbfs)
        return frozenset({Aspect.LEVELS}), (msg.call_id,)

    def _on_quality(self, msg: pb.QualityReport) -> _Applied:
        self.quality[msg.quality.call_id] = _copy(msg.quality)
        return frozenset({Aspect.QUALITY}), (msg.quality.call_id,)

    def _on_warning(self, msg: pb.WarningRaised) -> _Applied:
        self.warnings = [w for w in self.warnings if w.code != msg.warning.code]
        self.warnings.append(_copy(msg.warning))
        return frozenset({Aspect.WARNINGS}), ()

    _HANDLERS: ClassVar[dict[str, Any]] = {
        "registration": _on_registration,
        "call": _on_call,
        "dtmf": _on_dtmf,
        "device_list": _on_device_list,
        "active_devices": _on_active_devices,
        "audio_level": _on_level,
        "quality": _on_quality,
        "warning": _on_warning,
    }

    def _partners(self, call_id: str) -> list[str]:
        answered = (_P.CONNECTED, _P.HELD)
        return [
            c.call_id
            for c in self.calls.values()
            if c.call_id != call_id and call_phase(c) in answered
        ]

    def _trim_history(self) -> None:
        ended = [cid for cid, c in self.calls.items() if not is_live(c)]
        for cid in ended[: max(0, len(ended) - HISTORY_LIMIT)]:
            del self.calls[cid]
            self.quality.pop(cid, None)
            self.received_dtmf.pop(cid, None)


_Applied = tuple[frozenset[Aspect], tuple[str, ...]]


def _copy(message: Any) -> Any:
    """A private copy, so later changes to the caller's message cannot reach the state."""
    clone = type(message)()
    clone.CopyFrom(message)
    return clone
