"""Call legs: the engine's plain record of a call, and the thin pjsua2 ``Call`` behind it.

Theory of operation: a ``CallLeg`` is what the app knows about a call and outlives the
pjsua2 object. ``SipCall`` only forwards pjsua2's callbacks to its owner (the engine's
call control) and never acts itself. pjsua reuses call slots round-robin, so a stale
``Call`` collected later could hang up a different, live call: the owner drops the
``SipCall`` right after DISCONNECTED, outside the callback, and keeps the leg.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import pjsua2 as pj

from protocol import pb
from vdi_adapter.engine import call_model

log = logging.getLogger(__name__)


class CallEvents(Protocol):
    """What ``SipCall`` forwards; implemented by the engine's call control."""

    def on_call_state(self, sip_call: SipCall) -> None: ...
    def on_media_state(self, sip_call: SipCall) -> None: ...
    def on_dtmf(self, sip_call: SipCall, digit: str, method: int) -> None: ...
    def on_tsx_state(self, sip_call: SipCall, prm: Any) -> None: ...
    def on_transfer_request(self, sip_call: SipCall, prm: Any) -> None: ...
    def on_transfer_status(self, sip_call: SipCall, prm: Any) -> None: ...
    def on_replaced(self, sip_call: SipCall, prm: Any) -> None: ...


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class CallLeg:
    """One call as the engine tracks it (pb.Call fields plus driver bookkeeping)."""

    call_id: str
    account_id: str
    direction: int
    remote_uri: str = ""
    remote_display_name: str = ""
    state: int = call_model.NEW
    codec: str = ""
    on_hold: bool = False
    remote_hold: bool = False
    muted: bool = False
    end_reason: int = pb.CALL_END_REASON_UNSPECIFIED
    end_sip_code: int = 0
    end_reason_text: str = ""
    started_unix_ms: int = field(default_factory=now_ms)
    connected_unix_ms: int = 0
    ended_unix_ms: int = 0
    conference_id: str = ""
    auto_answer_after_s: int = 0
    #: Monotonic time at which to answer by itself (None: not auto-answering).
    auto_answer_at: float | None = None
    action: call_model.LocalAction = call_model.LocalAction.NONE
    sip_call: SipCall | None = None
    audio_media: Any = None
    tone_generator: Any = None
    media_started: bool = False
    media_index: int = -1
    ringing: bool = False
    next_quality_at: float = 0.0
    #: SIP INFO digits waiting to be sent, one INFO at a time.
    info_digits: str = ""
    #: Monotonic time the INFO in flight was sent (None: none in flight).
    info_sent_at: float | None = None
    #: The hold or retrieve re-INVITE waits for a pending offer/answer to finish.
    hold_pending: bool = False
    quality: pb.CallQuality | None = None

    @property
    def outbound(self) -> bool:
        return self.direction == pb.CALL_DIRECTION_OUTBOUND

    @property
    def live(self) -> bool:
        return self.state != call_model.ENDED

    def to_pb(self) -> pb.Call:
        return pb.Call(
            call_id=self.call_id,
            account_id=self.account_id,
            direction=self.direction,  # type: ignore[arg-type]
            remote_uri=self.remote_uri,
            remote_display_name=self.remote_display_name,
            state=self.state,  # type: ignore[arg-type]
            codec=self.codec,
            on_hold=self.on_hold,
            remote_hold=self.remote_hold,
            muted=self.muted,
            end_reason=self.end_reason,  # type: ignore[arg-type]
            end_sip_code=self.end_sip_code,
            end_reason_text=self.end_reason_text,
            started_unix_ms=self.started_unix_ms,
            connected_unix_ms=self.connected_unix_ms,
            ended_unix_ms=self.ended_unix_ms,
            conference_id=self.conference_id,
            auto_answer_after_s=self.auto_answer_after_s,
        )


class SipCall(pj.Call):
    """pjsua2 call whose callbacks go to ``owner``; knows its leg's id."""

    def __init__(self, owner: CallEvents, account: Any, call_id: str, pj_id: int = -1) -> None:
        if pj_id < 0:
            super().__init__(account)
        else:
            super().__init__(account, pj_id)
        self.owner = owner
        self.call_id = call_id

    def _forward(self, name: str, *args: Any) -> None:
        try:
            getattr(self.owner, name)(self, *args)
        except Exception:
            log.exception("call %s: %s failed", self.call_id, name)

    def onCallState(self, prm: Any) -> None:
        self._forward("on_call_state")

    def onCallMediaState(self, prm: Any) -> None:
        self._forward("on_media_state")

    def onDtmfDigit(self, prm: Any) -> None:
        self._forward("on_dtmf", str(prm.digit), int(prm.method))

    def onCallTsxState(self, prm: Any) -> None:
        self._forward("on_tsx_state", prm)

    def onCallTransferRequest(self, prm: Any) -> None:
        self._forward("on_transfer_request", prm)

    def onCallTransferStatus(self, prm: Any) -> None:
        self._forward("on_transfer_status", prm)

    def onCallReplaced(self, prm: Any) -> None:
        self._forward("on_replaced", prm)
