"""Third-party call control: in-dialog NOTIFY ``Event: talk`` / ``hold`` and DTMF relay.

Theory of operation: Genesys SIP Server and BroadSoft-style servers drive a phone
with in-dialog NOTIFYs: ``Event: talk`` answers a ringing call or retrieves a held
one, ``Event: hold`` holds it, and an ``application/dtmf-relay`` body asks the phone
to play digits. ``decide`` is the pure rule: given the NOTIFY, the policy and the
call's state it returns the status code to answer and the action to take. The driver
replies first (``tsx_reply``, since pjsua2 cannot) and posts the action to the engine
loop, so the 200 leaves before the 200 OK of the answer or the re-INVITE of a hold.
When the policy turns remote control off, the NOTIFY is refused with 489 Bad Event
(RFC 6665 section 8.2.1: the package is not accepted) or 403 Forbidden, as configured.
NOTIFYs of other packages (e.g. ``refer`` during a transfer) are left to pjsip.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from typing import Any

import pjsua2 as pj

from vdi_adapter.engine import call_model, sip_text, tsx_reply
from vdi_adapter.engine.errors import CommandError
from vdi_adapter.engine.legs import CallLeg

log = logging.getLogger(__name__)

REMOTE_CONTROL_PACKAGES = frozenset({"talk", "hold"})
DTMF_RELAY = "application/dtmf-relay"


class RemoteAction(enum.Enum):
    NONE = "none"
    ANSWER = "answer"
    RETRIEVE = "retrieve"
    HOLD = "hold"
    DTMF = "dtmf"


@dataclass(frozen=True)
class RemoteDecision:
    """How to answer one NOTIFY and what to do after."""

    status_code: int
    action: RemoteAction = RemoteAction.NONE
    digits: str = ""


def decide(
    message: sip_text.SipMessage,
    allowed: bool,
    refusal_code: int,
    state: int,
    on_hold: bool,
) -> RemoteDecision | None:
    """The reply and action for a NOTIFY, or None when it is not a remote-control NOTIFY."""
    package = sip_text.event_package(message)
    is_dtmf = sip_text.content_type(message) == DTMF_RELAY
    if package not in REMOTE_CONTROL_PACKAGES and not is_dtmf:
        return None
    if not allowed:
        return RemoteDecision(refusal_code if refusal_code in (403, 489) else 489)
    if is_dtmf:
        digits, _ = sip_text.dtmf_relay_digits(message.body)
        if not digits:
            return RemoteDecision(400)
        if state != call_model.CONNECTED:
            return RemoteDecision(481 if state == call_model.ENDED else 200)
        return RemoteDecision(200, RemoteAction.DTMF, digits)
    if package == "talk":
        if state == call_model.RINGING:
            return RemoteDecision(200, RemoteAction.ANSWER)
        if state == call_model.CONNECTED and on_hold:
            return RemoteDecision(200, RemoteAction.RETRIEVE)
        return RemoteDecision(200)
    if state == call_model.CONNECTED and not on_hold:
        return RemoteDecision(200, RemoteAction.HOLD)
    return RemoteDecision(200)


def incoming_notify(prm: Any) -> tuple[Any, Any] | None:
    """(rx data, transaction) of a NOTIFY just received on a call, else None."""
    event = prm.e
    if event.type != pj.PJSIP_EVENT_TSX_STATE:
        return None
    state_event = event.body.tsxState
    tsx = state_event.tsx
    if tsx.role != pj.PJSIP_ROLE_UAS or tsx.method != "NOTIFY":
        return None
    if tsx.state != pj.PJSIP_TSX_STATE_TRYING or state_event.type != pj.PJSIP_EVENT_RX_MSG:
        return None
    return state_event.src.rdata, tsx


class RemoteControl:
    """Driver: answers remote-control NOTIFYs on a call and posts what they ask for."""

    def __init__(self, calls: Any) -> None:
        self.calls = calls

    def on_request(self, leg: CallLeg, prm: Any) -> None:
        found = incoming_notify(prm)
        if found is None:
            return
        rdata, tsx = found
        message = sip_text.parse_message(str(rdata.wholeMsg))
        policy = self.calls.context.policy
        decision = decide(
            message,
            policy.remote_control,
            policy.remote_control_refusal_code,
            leg.state,
            leg.on_hold,
        )
        if decision is None:
            return
        tsx_reply.reply(rdata.pjRxData, tsx.pjTransaction, decision.status_code)
        if decision.action != RemoteAction.NONE:
            self.calls.context.post(lambda: self._act(leg.call_id, decision))

    def _act(self, call_id: str, decision: RemoteDecision) -> None:
        calls = self.calls
        try:
            if decision.action == RemoteAction.ANSWER:
                calls.answer(call_id)
            elif decision.action == RemoteAction.RETRIEVE:
                calls.retrieve(call_id)
            elif decision.action == RemoteAction.HOLD:
                calls.hold(call_id)
            elif decision.action == RemoteAction.DTMF:
                calls.send_dtmf(call_id, decision.digits, 0)
        except CommandError as error:
            log.warning("remote %s of %s failed: %s", decision.action.value, call_id, error.reason)
