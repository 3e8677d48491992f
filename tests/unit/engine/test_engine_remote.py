"""Remote-control NOTIFY decisions (talk, hold, DTMF relay, refusal)."""

from __future__ import annotations

import pytest

from protocol import pb
from vdi_adapter.engine import sip_text
from vdi_adapter.engine.remote import RemoteAction, decide


def notify(event: str, body: str = "", content_type: str = "") -> sip_text.SipMessage:
    headers = f"Event: {event}\r\n" if event else ""
    if content_type:
        headers += f"Content-Type: {content_type}\r\n"
    return sip_text.parse_message(f"NOTIFY sip:a@b SIP/2.0\r\n{headers}\r\n{body}")


@pytest.mark.parametrize(
    ("event", "state", "held", "action"),
    [
        ("talk", pb.CALL_STATE_RINGING, False, RemoteAction.ANSWER),
        ("talk", pb.CALL_STATE_CONNECTED, True, RemoteAction.RETRIEVE),
        ("talk", pb.CALL_STATE_CONNECTED, False, RemoteAction.NONE),
        ("hold", pb.CALL_STATE_CONNECTED, False, RemoteAction.HOLD),
        ("hold", pb.CALL_STATE_CONNECTED, True, RemoteAction.NONE),
        ("hold", pb.CALL_STATE_RINGING, False, RemoteAction.NONE),
    ],
)
def test_talk_and_hold(event, state, held, action):
    decision = decide(notify(event), True, 489, state, held)
    assert decision is not None
    assert (decision.status_code, decision.action) == (200, action)


@pytest.mark.parametrize(("configured", "sent"), [(489, 489), (403, 403), (0, 489), (500, 489)])
def test_refusal_codes(configured, sent):
    decision = decide(notify("talk"), False, configured, pb.CALL_STATE_RINGING, False)
    assert decision is not None and decision.status_code == sent
    assert decision.action == RemoteAction.NONE


def test_dtmf_relay():
    body = "Signal=4\r\nDuration=100\r\n"
    decision = decide(
        notify("", body, "application/dtmf-relay"), True, 489, pb.CALL_STATE_CONNECTED, False
    )
    assert decision is not None
    assert (decision.action, decision.digits) == (RemoteAction.DTMF, "4")
    empty = decide(
        notify("", "nothing", "application/dtmf-relay"), True, 489, pb.CALL_STATE_CONNECTED, False
    )
    assert empty is not None and empty.status_code == 400


def test_other_packages_are_left_to_pjsip():
    assert decide(notify("refer"), True, 489, pb.CALL_STATE_CONNECTED, False) is None
    assert decide(notify("refer"), False, 403, pb.CALL_STATE_CONNECTED, False) is None
