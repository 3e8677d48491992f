"""Call control: the call commands and pjsua2's call callbacks, on the engine thread.

Theory of operation: every call is a ``CallLeg`` keyed by an id the engine makes
("call-17", never reused in the process). Commands check the leg's state against
``call_model.COMMANDS`` first, then act on its ``SipCall``. Callbacks update the leg
through ``call_model.advance`` and publish the whole ``pb.Call`` whenever it changed.
Work a callback triggers (answering after a NOTIFY, dropping a finished ``SipCall``)
is posted to the host loop, so it runs after pjsua2 has finished the callback.
``Allow-Events: talk, hold`` goes on our INVITE, 180 and 200, which tells servers
that we obey remote-control NOTIFYs (see ``remote.py``).
"""

from __future__ import annotations

import itertools
import logging
import time
from typing import Any, Protocol

import pjsua2 as pj

from protocol import pb
from vdi_adapter.engine import call_model, media, remote, sip_text
from vdi_adapter.engine.call_model import LocalAction
from vdi_adapter.engine.errors import (
    CommandError,
    invalid_argument,
    invalid_state,
    not_found,
    sip_failure,
)
from vdi_adapter.engine.legs import CallLeg, SipCall, now_ms
from vdi_adapter.engine.lines import Line

log = logging.getLogger(__name__)

_call_numbers = itertools.count(1)

_INV_STATE_NAMES = {
    pj.PJSIP_INV_STATE_NULL: "NULL",
    pj.PJSIP_INV_STATE_CALLING: "CALLING",
    pj.PJSIP_INV_STATE_INCOMING: "INCOMING",
    pj.PJSIP_INV_STATE_EARLY: "EARLY",
    pj.PJSIP_INV_STATE_CONNECTING: "CONNECTING",
    pj.PJSIP_INV_STATE_CONFIRMED: "CONFIRMED",
    pj.PJSIP_INV_STATE_DISCONNECTED: "DISCONNECTED",
}

ALLOW_EVENTS = "talk, hold"
DEFAULT_MAX_CALLS = 4
#: pjlib's status for "invalid operation", e.g. a re-INVITE while one is pending.
PJ_EINVALIDOP = 70013
#: Longest wait for the answer to a DTMF INFO before the next digit goes anyway.
INFO_ANSWER_WAIT_S = 1.0


class EngineContext(Protocol):
    """What call control needs from the engine."""

    audio: Any

    @property
    def policy(self) -> pb.CallPolicy: ...

    def publish(self, event: pb.Event) -> None: ...
    def post(self, job: Any) -> None: ...
    def line(self, account_id: str) -> Line: ...
    def dtmf_method(self, account_id: str) -> int: ...
    def warn(self, code: str, message: str, severity: int = pb.SEVERITY_WARNING) -> None: ...


def call_op(status_code: int = 0) -> Any:
    """CallOpParam carrying ``Allow-Events: talk, hold``."""
    prm = pj.CallOpParam(True)
    if status_code:
        prm.statusCode = status_code
    header = pj.SipHeader()
    header.hName = "Allow-Events"
    header.hValue = ALLOW_EVENTS
    prm.txOption.headers.append(header)
    return prm


class CallControl:
    """Owns the call legs of one engine and implements ``legs.CallEvents``."""

    def __init__(self, context: EngineContext) -> None:
        self.context = context
        self.legs: dict[str, CallLeg] = {}
        #: Transferred call id -> its consult call id, while an attended transfer runs.
        self._consults: dict[str, str] = {}
        self.media = media.MediaControl(context, self.legs)
        self.remote = remote.RemoteControl(self)

    # ----- queries -------------------------------------------------------------------

    def live_legs(self) -> list[CallLeg]:
        return [leg for leg in self.legs.values() if leg.live]

    def leg(self, call_id: str, command: str = "") -> CallLeg:
        """The live leg ``call_id``; raises NOT_FOUND / INVALID_STATE for ``command``."""
        leg = self.legs.get(call_id)
        if leg is None or (not leg.live and command):
            raise not_found("call", call_id)
        if command and not call_model.command_allowed(command, leg.state):
            state = pb.CallState.Name(leg.state).removeprefix("CALL_STATE_").lower()
            raise invalid_state(f"cannot {command.replace('_', ' ')} a call that is {state}")
        return leg

    @property
    def max_calls(self) -> int:
        return self.context.policy.max_calls or DEFAULT_MAX_CALLS

    # ----- commands ------------------------------------------------------------------

    def dial(self, to: str, account_id: str) -> str:
        line = self.context.line(account_id)
        try:
            target = sip_text.dial_target(to, line.dial_domain)
        except ValueError as error:
            raise invalid_argument(str(error)) from None
        if len(self.live_legs()) >= self.max_calls:
            raise CommandError(pb.ERROR_CODE_REFUSED, f"already {self.max_calls} calls up")
        leg = self._new_leg(line, pb.CALL_DIRECTION_OUTBOUND, target)
        leg.sip_call = SipCall(self, line.sip_account, leg.call_id)
        leg.state = call_model.DIALING
        try:
            leg.sip_call.makeCall(target, call_op())
        except Exception as error:
            self.legs.pop(leg.call_id, None)
            self._drop(leg)
            raise sip_failure(f"calling {target}", error) from None
        self.publish(leg)
        return leg.call_id

    def answer(self, call_id: str) -> None:
        leg = self.leg(call_id, "answer")
        leg.auto_answer_at = None
        self._invoke(leg, "answer", lambda call: call.answer(call_op(200)))

    def reject(self, call_id: str, sip_code: int) -> None:
        leg = self.leg(call_id, "reject")
        code = sip_code or self.context.policy.default_reject_code or 486
        if code not in (486, 603):
            raise invalid_argument(f"reject code must be 486 or 603, not {code}")
        leg.action = LocalAction.REJECT
        self._invoke(leg, "reject", lambda call: call.hangup(call_op(code)))

    def hangup(self, call_id: str) -> None:
        leg = self.leg(call_id, "hangup")
        if leg.state == call_model.RINGING:
            self.reject(call_id, 0)
            return
        if leg.action == LocalAction.NONE:
            leg.action = LocalAction.HANGUP
        self._invoke(leg, "hang up", lambda call: call.hangup(pj.CallOpParam(True)))

    def hold(self, call_id: str) -> None:
        leg = self.leg(call_id, "hold")
        if leg.on_hold:
            raise invalid_state("the call is already on hold")
        self._set_hold(leg, True)

    def retrieve(self, call_id: str) -> None:
        leg = self.leg(call_id, "retrieve")
        if not leg.on_hold:
            raise invalid_state("the call is not on hold")
        self._set_hold(leg, False)

    def _set_hold(self, leg: CallLeg, held: bool) -> None:
        """Send the re-INVITE for ``held`` now, or as soon as the pending one completes."""
        leg.on_hold = held
        try:
            self._send_hold_reinvite(leg)
        except CommandError:
            leg.on_hold = not held
            raise
        # Media callbacks may have run inside the re-INVITE with the old flag: publish now.
        self.publish(leg)

    def _send_hold_reinvite(self, leg: CallLeg) -> None:
        prm = pj.CallOpParam(True)
        if not leg.on_hold:
            prm.opt.flag = pj.PJSUA_CALL_UNHOLD
        try:
            if leg.sip_call is None:
                raise invalid_state("the call is ending")
            if leg.on_hold:
                leg.sip_call.setHold(prm)
            else:
                leg.sip_call.reinvite(prm)
            leg.hold_pending = False
        except CommandError:
            raise
        except Exception as error:
            if getattr(error, "status", 0) != PJ_EINVALIDOP:
                raise sip_failure("hold" if leg.on_hold else "retrieve", error) from None
            # An offer/answer exchange is still running (RFC 3261 section 14.1): retry.
            leg.hold_pending = True

    def mute(self, call_id: str, muted: bool) -> None:
        leg = self.leg(call_id, "mute")
        leg.muted = muted
        self.media.apply_mute(leg)
        self.publish(leg)

    def send_dtmf(self, call_id: str, digits: str, method: int) -> None:
        leg = self.leg(call_id, "send_dtmf")
        if not digits or any(c not in sip_text.DTMF_DIGITS for c in digits.upper()):
            raise invalid_argument("DTMF digits must be 0-9, *, #, A-D")
        method = method or self.context.dtmf_method(leg.account_id)
        try:
            self.media.send_dtmf(leg, digits.upper(), method)
        except CommandError:
            raise
        except Exception as error:
            raise sip_failure("sending DTMF", error) from None

    def blind_transfer(self, call_id: str, to: str) -> None:
        leg = self.leg(call_id, "blind_transfer")
        try:
            target = sip_text.dial_target(to, self.context.line(leg.account_id).dial_domain)
        except ValueError as error:
            raise invalid_argument(str(error)) from None
        self._invoke(leg, "transfer", lambda call: call.xfer(target, pj.CallOpParam(True)))

    def attended_transfer(self, call_id: str, consult_call_id: str) -> None:
        leg = self.leg(call_id, "attended_transfer")
        consult = self.leg(consult_call_id, "attended_transfer")
        if consult is leg:
            raise invalid_argument("a call cannot be transferred to itself")
        target = consult.sip_call
        self._invoke(leg, "transfer", lambda call: call.xferReplaces(target, pj.CallOpParam(True)))
        self._consults[leg.call_id] = consult.call_id
        # The transfer target may hang up the consult call before the REFER's final NOTIFY.
        consult.action = LocalAction.TRANSFER

    def merge(self, call_ids: list[str]) -> None:
        legs = [self.leg(call_id, "merge") for call_id in dict.fromkeys(call_ids)]
        self.media.merge(legs)
        for leg in legs:
            if leg.on_hold:
                self.retrieve(leg.call_id)
            self.publish(leg)

    def split(self, call_id: str) -> None:
        for changed in self.media.split(self.leg(call_id, "split"), self.legs):
            self.publish(changed)

    def _invoke(self, leg: CallLeg, action: str, operation: Any) -> None:
        if leg.sip_call is None:
            raise invalid_state("the call is ending")
        try:
            operation(leg.sip_call)
        except Exception as error:
            raise sip_failure(action, error) from None

    # ----- incoming calls ------------------------------------------------------------

    def on_incoming_call(self, line: Line, pj_id: int, message: str) -> None:
        parsed = sip_text.parse_message(message)
        leg = self._new_leg(line, pb.CALL_DIRECTION_INBOUND, "")
        sip_call = SipCall(self, line.sip_account, leg.call_id, pj_id)
        leg.sip_call = sip_call
        info = sip_call.getInfo()
        leg.remote_uri, leg.remote_display_name = _split_name_addr(info.remoteUri)
        if len(self.live_legs()) > self.max_calls:
            self._turn_away(leg, sip_call, 486, f"more than {self.max_calls} calls")
            return
        no_headset = self._missing_headset_code()
        if no_headset:
            self._turn_away(leg, sip_call, no_headset, "no headset connected")
            return
        leg.state = call_model.RINGING
        for other in self.live_legs():
            if other is not leg and other.state == call_model.CONNECTED and not other.on_hold:
                self.media.tone(other, "call_waiting")  # a second call rings while talking
        self._plan_auto_answer(leg, sip_text.auto_answer_request(parsed))
        self.media.ringing(leg, True)
        sip_call.answer(call_op(180))
        self.publish(leg)

    def _turn_away(self, leg: CallLeg, sip_call: SipCall, code: int, why: str) -> None:
        """Reject an incoming call by policy; the agent's app sees it ended, and why."""
        leg.action = LocalAction.POLICY_REJECT
        leg.end_reason_text = why
        sip_call.hangup(call_op(code))

    def _missing_headset_code(self) -> int:
        """The policy's SIP code when no headset is present (0: take the call)."""
        check = getattr(self.context.audio, "incoming_call_reject_code", None)
        if check is None:
            return 0
        try:
            return int(check(self.context.policy))
        except Exception as error:  # a device problem must not lose the call
            log.warning("missing-headset check failed: %s", error)
            return 0

    def _plan_auto_answer(self, leg: CallLeg, requested: int | None) -> None:
        policy = self.context.policy.auto_answer
        delay: int | None = None
        if requested is not None and policy.honour_caller_request:
            delay = requested
        elif policy.enabled:
            delay = policy.delay_s
        others_up = len(self.live_legs()) > 1
        if delay is None or (others_up and not policy.when_busy):
            return
        leg.auto_answer_after_s = delay
        leg.auto_answer_at = time.monotonic() + delay

    def _new_leg(self, line: Line, direction: int, remote_uri: str) -> CallLeg:
        call_id = f"call-{next(_call_numbers)}"
        leg = CallLeg(call_id=call_id, account_id=line.account_id, direction=direction)
        leg.remote_uri = remote_uri
        self.legs[call_id] = leg
        return leg

    # ----- callbacks (legs.CallEvents) -------------------------------------------------

    def on_call_state(self, sip_call: SipCall) -> None:
        leg = self.legs.get(sip_call.call_id)
        if leg is None or leg.sip_call is not sip_call:
            return
        info = sip_call.getInfo()
        name = _INV_STATE_NAMES[info.state]
        new_state = call_model.state_from_invite(name, leg.outbound)
        if new_state == call_model.NEW:
            return
        try:
            leg.state = call_model.advance(leg.call_id, leg.state, new_state)
        except call_model.IllegalTransition as error:
            log.warning("%s", error)
            return
        if leg.remote_uri == "" or leg.outbound:
            leg.remote_uri, leg.remote_display_name = _split_name_addr(info.remoteUri)
        self._on_state_entered(leg, int(info.lastStatusCode), str(info.lastReason))

    def _on_state_entered(self, leg: CallLeg, code: int, reason: str) -> None:
        if leg.state != call_model.RINGING and leg.ringing:
            self.media.ringing(leg, False)
        self._local_tones(leg, code)
        if leg.state == call_model.CONNECTED and not leg.connected_unix_ms:
            leg.connected_unix_ms = now_ms()
            leg.auto_answer_at = None
        if leg.state == call_model.ENDED:
            self._on_ended(leg, code, reason)
        self.publish(leg)

    def _local_tones(self, leg: CallLeg, code: int) -> None:
        """Ringback when the network alerts without early media; busy/error at a failed dial."""
        if leg.state == call_model.RINGBACK and code == 180:
            self.media.tone(leg, "ringback")
        elif leg.outbound and leg.state != call_model.RINGBACK:
            self.media.tone(leg, None)
        failed = leg.outbound and not leg.connected_unix_ms and code >= 400
        # Not after our own hang-up or cancel (487): the agent knows why it stopped.
        if leg.state == call_model.ENDED and failed and leg.action == LocalAction.NONE:
            busy = code in (486, 600)
            self.media.tone(leg, "busy" if busy else "error", seconds=3.0)

    def _on_ended(self, leg: CallLeg, code: int, reason: str) -> None:
        connected = leg.connected_unix_ms > 0
        leg.end_reason = call_model.end_reason(leg.action, leg.outbound, connected, code)
        leg.end_sip_code = code
        if leg.action != LocalAction.POLICY_REJECT:  # our own reason is the one to show
            leg.end_reason_text = reason
        leg.ended_unix_ms = now_ms()
        leg.auto_answer_at = None
        for changed in self.media.split_all(leg, self.legs):
            self.publish(changed)
        self.media.final_quality(leg)
        self.media.stopped(leg)
        self.context.post(lambda: self._drop(leg))

    def _drop(self, leg: CallLeg) -> None:
        """Release the pjsua2 objects of a finished call (never inside its callback)."""
        self.media.release(leg)
        sip_call, leg.sip_call = leg.sip_call, None
        del sip_call

    def on_media_state(self, sip_call: SipCall) -> None:
        leg = self.legs.get(sip_call.call_id)
        if leg is not None and leg.sip_call is sip_call:
            self.media.update(leg, sip_call)
            self.publish(leg)

    def on_dtmf(self, sip_call: SipCall, digit: str, method: int) -> None:
        methods = {pj.PJSUA_DTMF_METHOD_SIP_INFO: pb.DTMF_METHOD_SIP_INFO}
        received = pb.DtmfReceived(
            call_id=sip_call.call_id,
            digit=digit,
            method=methods.get(method, pb.DTMF_METHOD_RFC2833),
        )
        self.context.publish(pb.Event(dtmf=received))

    def on_tsx_state(self, sip_call: SipCall, prm: Any) -> None:
        leg = self.legs.get(sip_call.call_id)
        if leg is None or not leg.live:
            return
        if _info_answered(prm):
            self.context.post(lambda: self._send_next_info(leg, answered=True))
        self.remote.on_request(leg, prm)

    def _send_next_info(self, leg: CallLeg, answered: bool) -> None:
        try:
            self.media.next_info_digit(leg, answered)
        except Exception as error:
            leg.info_sent_at, leg.info_digits = None, ""
            log.warning("INFO DTMF on %s failed: %s", leg.call_id, getattr(error, "reason", error))

    def on_transfer_request(self, sip_call: SipCall, prm: Any) -> None:
        leg = self.legs.get(sip_call.call_id)
        if leg is None or not self.context.policy.follow_refer:
            prm.statusCode = 603
            return
        line = self.context.line(leg.account_id)
        new_leg = self._new_leg(line, pb.CALL_DIRECTION_OUTBOUND, str(prm.dstUri))
        new_leg.state = call_model.DIALING
        new_leg.sip_call = SipCall(self, line.sip_account, new_leg.call_id)
        prm.newCall = new_leg.sip_call
        prm.statusCode = 202
        leg.action = LocalAction.TRANSFER
        self.publish(new_leg)

    def on_transfer_status(self, sip_call: SipCall, prm: Any) -> None:
        leg = self.legs.get(sip_call.call_id)
        code = int(prm.statusCode)
        if leg is None or code < 200 or not leg.live:
            return
        prm.cont = False
        if code < 300:
            leg.action = LocalAction.TRANSFER
            self._consults.pop(leg.call_id, None)
            self.context.post(lambda: self._hangup_quietly(leg))
            return
        consult = self.legs.get(self._consults.pop(leg.call_id, ""))
        if consult is not None and consult.action == LocalAction.TRANSFER:
            consult.action = LocalAction.NONE
        self.context.warn(
            "transfer_failed", f"Transfer of {leg.call_id} failed: {code} {prm.reason}"
        )

    def _hangup_quietly(self, leg: CallLeg) -> None:
        if leg.live and leg.sip_call is not None:
            try:
                leg.sip_call.hangup(pj.CallOpParam(True))
            except Exception as error:
                log.warning(
                    "hang up of %s failed: %s", leg.call_id, getattr(error, "reason", error)
                )

    def on_replaced(self, sip_call: SipCall, prm: Any) -> None:
        old = self.legs.get(sip_call.call_id)
        if old is None:
            return
        line = self.context.line(old.account_id)
        new_leg = self._new_leg(line, pb.CALL_DIRECTION_INBOUND, old.remote_uri)
        new_leg.state = call_model.CONNECTING
        new_leg.sip_call = SipCall(self, line.sip_account, new_leg.call_id, int(prm.newCallId))
        prm.newCall = new_leg.sip_call
        old.action = LocalAction.REPLACED
        self.publish(new_leg)

    # ----- timers and teardown -------------------------------------------------------

    def tick(self, now: float) -> None:
        for leg in self.live_legs():
            if leg.auto_answer_at is not None and now >= leg.auto_answer_at:
                leg.auto_answer_at = None
                self._answer_quietly(leg)
            if leg.hold_pending and leg.state == call_model.CONNECTED:
                self._retry_hold(leg)
            if leg.info_sent_at is not None and now - leg.info_sent_at > INFO_ANSWER_WAIT_S:
                self._send_next_info(leg, answered=True)
            if leg.state == call_model.CONNECTED and now >= leg.next_quality_at:
                leg.next_quality_at = now + media.QUALITY_INTERVAL_S
                self.media.report_quality(leg)

    def _retry_hold(self, leg: CallLeg) -> None:
        try:
            self._send_hold_reinvite(leg)
        except CommandError as error:
            leg.hold_pending = False
            self.context.warn("hold_failed", f"Hold change of {leg.call_id} failed: {error.reason}")

    def _answer_quietly(self, leg: CallLeg) -> None:
        try:
            self.answer(leg.call_id)
        except CommandError as error:
            log.warning("auto-answer of %s failed: %s", leg.call_id, error.reason)

    def hangup_all(self) -> None:
        """Hang up every live call because the engine stops."""
        for leg in self.live_legs():
            leg.action = LocalAction.SHUTDOWN
            code = 486 if leg.state == call_model.RINGING else 0
            try:
                if leg.sip_call is not None:
                    leg.sip_call.hangup(call_op(code) if code else pj.CallOpParam(True))
            except Exception as error:
                log.warning(
                    "hang up of %s failed: %s", leg.call_id, getattr(error, "reason", error)
                )

    def force_end_all(self) -> None:
        """Mark calls that did not end in time as ended and drop every pjsua2 object."""
        for leg in self.live_legs():
            leg.state = call_model.ENDED
            self._on_ended(leg, 0, "adapter stopped")
            self.publish(leg)
        for leg in self.legs.values():
            self._drop(leg)

    def publish(self, leg: CallLeg) -> None:
        """Publish the whole call if anything changed since the last time."""
        call = leg.to_pb()
        encoded = call.SerializeToString(deterministic=True)
        if encoded == getattr(leg, "_published", b""):
            return
        leg._published = encoded  # type: ignore[attr-defined]
        self.context.publish(pb.Event(call=pb.CallChanged(call=call)))


def _info_answered(prm: Any) -> bool:
    """Whether this transaction event is the final answer to an INFO we sent."""
    event = prm.e
    if event.type != pj.PJSIP_EVENT_TSX_STATE:
        return False
    tsx = event.body.tsxState.tsx
    return bool(
        tsx.role == pj.PJSIP_ROLE_UAC
        and tsx.method == "INFO"
        and tsx.state == pj.PJSIP_TSX_STATE_COMPLETED
    )


def _split_name_addr(text: str) -> tuple[str, str]:
    """'"Alice" <sip:a@h>' -> ('sip:a@h', 'Alice')."""
    text = str(text).strip()
    if "<" in text and text.endswith(">"):
        name, _, uri = text.partition("<")
        return uri.rstrip(">"), name.strip().strip('"')
    return text, ""
