"""Calls through the engine against a far-end pjsua2 process (standalone, direct URIs)."""

from __future__ import annotations

import contextlib
import re
import socket
import time

import pytest

from protocol import pb
from simulator.far_end import FarEndError
from tests.integration.sip.helpers import ENGINE_PORT, base_configuration

pytestmark = pytest.mark.integration

ENGINE_URI = f"sip:agent@127.0.0.1:{ENGINE_PORT}"


def connected_call(engine, far_ends):
    """An outgoing call to a far end on 5081 that answers, with media flowing:
    (far end, engine call id, far end's call number)."""
    engine.configure(base_configuration())
    peer = far_ends(5081, auto_answer=200)
    call_id = engine.dial(peer.uri)
    peer_call = peer.wait_for("incoming")["call"]
    engine.log.wait_call(call_id, pb.CALL_STATE_CONNECTED)
    peer.wait_for("media", lambda e: e["status"] == "active")
    return peer, call_id, peer_call


def test_outgoing_call_connects_and_remote_hangup_is_reported(engine, far_ends):
    engine.configure(base_configuration())
    peer = far_ends(5081, auto_answer=200)
    call_id = engine.dial(peer.uri)
    incoming = peer.wait_for("incoming")
    assert "Allow-Events: talk, hold" in incoming["invite"]
    # public_address and the RTP port range of the configuration, as the far end sees them.
    assert "c=IN IP4 127.0.0.1" in incoming["invite"]
    assert f"Contact: <sip:softphone@127.0.0.1:{ENGINE_PORT}" in incoming["invite"]
    rtp_port = int(re.search(r"m=audio (\d+) ", incoming["invite"]).group(1))
    assert 40000 <= rtp_port <= 40198
    connected = engine.log.wait_call(call_id, pb.CALL_STATE_CONNECTED)
    assert connected.direction == pb.CALL_DIRECTION_OUTBOUND
    assert connected.remote_uri == peer.uri
    peer.request("hangup", call=incoming["call"])
    ended = engine.log.wait_call(call_id, pb.CALL_STATE_ENDED)
    assert ended.end_reason == pb.CALL_END_REASON_REMOTE_HANGUP
    assert ended.connected_unix_ms >= ended.started_unix_ms > 0
    states = [c.state for c in engine.log.calls(call_id)]
    assert states[0] == pb.CALL_STATE_DIALING
    assert engine.engine.snapshot().calls == []


def test_far_end_busy_and_decline_give_end_reasons(engine, far_ends):
    engine.configure(base_configuration())
    peer = far_ends(5082, auto_answer=486)
    call_id = engine.dial(peer.uri)
    ended = engine.log.wait_call(call_id, pb.CALL_STATE_ENDED)
    assert (ended.end_reason, ended.end_sip_code) == (pb.CALL_END_REASON_BUSY, 486)
    decline = far_ends(5083, auto_answer=603)
    call_id = engine.dial(decline.uri)
    ended = engine.log.wait_call(call_id, pb.CALL_STATE_ENDED)
    assert (ended.end_reason, ended.end_sip_code) == (pb.CALL_END_REASON_DECLINED, 603)


def test_incoming_call_rings_then_answer_and_local_hangup(engine, far_ends):
    engine.configure(base_configuration())
    peer = far_ends(5081)
    peer_call = peer.request("call", uri=ENGINE_URI)["call"]
    ringing = engine.log.wait_new_call(pb.CALL_STATE_RINGING)
    assert ringing.direction == pb.CALL_DIRECTION_INBOUND
    assert "customer@127.0.0.1" in ringing.remote_uri
    peer.wait_state(peer_call, "EARLY")
    answered = engine.run(answer=pb.Answer(call_id=ringing.call_id))
    assert answered.HasField("ok")
    engine.log.wait_call(ringing.call_id, pb.CALL_STATE_CONNECTED)
    peer.wait_state(peer_call, "CONFIRMED")
    again = engine.run(answer=pb.Answer(call_id=ringing.call_id))
    assert again.error.code == pb.ERROR_CODE_INVALID_STATE
    engine.ok(hangup=pb.Hangup(call_id=ringing.call_id))
    peer.wait_state(peer_call, "DISCONNECTED")
    ended = engine.log.wait_call(ringing.call_id, pb.CALL_STATE_ENDED)
    assert ended.end_reason == pb.CALL_END_REASON_LOCAL_HANGUP


@pytest.mark.parametrize("code", [486, 603])
def test_reject_sends_the_chosen_code(engine, far_ends, code):
    engine.configure(base_configuration())
    peer = far_ends(5084)
    peer_call = peer.request("call", uri=ENGINE_URI)["call"]
    ringing = engine.log.wait_new_call(pb.CALL_STATE_RINGING)
    engine.ok(reject=pb.Reject(call_id=ringing.call_id, sip_code=code))
    assert peer.wait_state(peer_call, "DISCONNECTED")["code"] == code
    ended = engine.log.wait_call(ringing.call_id, pb.CALL_STATE_ENDED)
    assert ended.end_reason == pb.CALL_END_REASON_REJECTED


def test_caller_cancel_ends_ringing_call_as_cancelled(engine, far_ends):
    engine.configure(base_configuration())
    peer = far_ends(5085)
    peer_call = peer.request("call", uri=ENGINE_URI)["call"]
    ringing = engine.log.wait_new_call(pb.CALL_STATE_RINGING)
    peer.wait_state(peer_call, "EARLY")
    peer.request("hangup", call=peer_call)
    ended = engine.log.wait_call(ringing.call_id, pb.CALL_STATE_ENDED)
    assert ended.end_reason == pb.CALL_END_REASON_CANCELLED
    assert ended.end_sip_code == 487


def test_dialling_out_can_be_cancelled_before_answer(engine, far_ends):
    engine.configure(base_configuration())
    peer = far_ends(5086)
    call_id = engine.dial(peer.uri)
    engine.log.wait_call(call_id, pb.CALL_STATE_RINGBACK)
    peer_call = peer.wait_for("incoming")["call"]
    engine.ok(hangup=pb.Hangup(call_id=call_id))
    assert peer.wait_state(peer_call, "DISCONNECTED")["code"] == 487
    ended = engine.log.wait_call(call_id, pb.CALL_STATE_ENDED)
    assert ended.end_reason == pb.CALL_END_REASON_LOCAL_HANGUP


def test_hold_and_retrieve_change_the_far_ends_media(engine, far_ends):
    peer, call_id, peer_call = connected_call(engine, far_ends)
    engine.ok(hold=pb.Hold(call_id=call_id))
    peer.wait_for("media", lambda e: e["call"] == peer_call and e["status"] == "remote_hold")
    peer.seen.clear()  # media events from before the hold are stale from here on
    assert engine.engine.snapshot().calls[0].on_hold
    assert engine.run(hold=pb.Hold(call_id=call_id)).error.code == pb.ERROR_CODE_INVALID_STATE
    engine.ok(retrieve=pb.Retrieve(call_id=call_id))
    peer.wait_for("media", lambda e: e["call"] == peer_call and e["status"] == "active")
    assert not engine.engine.snapshot().calls[0].on_hold
    time.sleep(0.2)  # the far end may re-INVITE only once our re-INVITE was ACKed
    peer.request("hold", call=peer_call)
    engine.log.wait(lambda e: e.HasField("call") and e.call.call.remote_hold)


def test_call_waiting_and_max_calls(engine, far_ends):
    engine.configure(base_configuration(max_calls=2))
    first, second, third = far_ends(5081), far_ends(5082), far_ends(5083)
    first.request("call", uri=ENGINE_URI)
    ringing = engine.log.wait_new_call(pb.CALL_STATE_RINGING)
    engine.ok(answer=pb.Answer(call_id=ringing.call_id))
    engine.log.wait_call(ringing.call_id, pb.CALL_STATE_CONNECTED)
    second.request("call", uri=ENGINE_URI)
    waiting = engine.log.wait_new_call(pb.CALL_STATE_RINGING, exclude=(ringing.call_id,))
    snapshot = engine.engine.snapshot()
    assert sorted(c.state for c in snapshot.calls) == [
        pb.CALL_STATE_RINGING,
        pb.CALL_STATE_CONNECTED,
    ]
    refused = third.request("call", uri=ENGINE_URI)["call"]
    assert third.wait_state(refused, "DISCONNECTED")["code"] == 486
    assert waiting.call_id != ringing.call_id
    assert len(engine.engine.snapshot().calls) == 2


def test_dtmf_both_ways_by_rfc2833_and_sip_info_and_inband_received(engine, far_ends):
    peer, call_id, peer_call = connected_call(engine, far_ends)
    for digits, method, name in (
        ("12", pb.DTMF_METHOD_RFC2833, "rfc2833"),
        ("#9", pb.DTMF_METHOD_SIP_INFO, "info"),
    ):
        engine.ok(send_dtmf=pb.SendDtmf(call_id=call_id, digits=digits, method=method))
        for digit in digits:
            got = peer.wait_for("dtmf", lambda e, d=digit: e["digit"] == d)
            assert got["method"] == name
    peer.request("dtmf", call=peer_call, digits="5", method="rfc2833")
    peer.request("dtmf", call=peer_call, digits="*", method="info")
    five = engine.log.wait(lambda e: e.HasField("dtmf") and e.dtmf.digit == "5")
    star = engine.log.wait(lambda e: e.HasField("dtmf") and e.dtmf.digit == "*")
    assert five.dtmf.method == pb.DTMF_METHOD_RFC2833 and five.dtmf.call_id == call_id
    assert star.dtmf.method == pb.DTMF_METHOD_SIP_INFO
    # The far end's stream sends no audio while its RFC 2833 event is still going out.
    time.sleep(0.5)
    peer.request("dtmf", call=peer_call, digits="73#", method="inband")
    for digit in "73#":
        inband = engine.log.wait(
            lambda e, d=digit: (
                e.HasField("dtmf") and e.dtmf.digit == d and e.dtmf.method == pb.DTMF_METHOD_INBAND
            )
        )
        assert inband.dtmf.call_id == call_id
    inband_digits = [
        e.dtmf.digit
        for e in engine.log.events
        if e.HasField("dtmf") and e.dtmf.method == pb.DTMF_METHOD_INBAND
    ]
    assert inband_digits == list("73#")
    bad = engine.run(send_dtmf=pb.SendDtmf(call_id=call_id, digits="1x"))
    assert bad.error.code == pb.ERROR_CODE_INVALID_ARGUMENT


def test_errors_for_unknown_calls_and_bad_targets(engine):
    engine.configure(base_configuration())
    assert engine.run(answer=pb.Answer(call_id="call-0")).error.code == pb.ERROR_CODE_NOT_FOUND
    bad = engine.run(dial=pb.Dial(to="not a number"))
    assert bad.error.code == pb.ERROR_CODE_INVALID_ARGUMENT
    digits = engine.run(dial=pb.Dial(to="1234"))
    assert digits.error.code == pb.ERROR_CODE_INVALID_ARGUMENT
    assert "domain" in digits.error.reason
    empty = engine.run()
    assert empty.error.code == pb.ERROR_CODE_UNKNOWN_COMMAND
    devices = engine.run(set_volumes=pb.SetVolumes())
    assert devices.error.code == pb.ERROR_CODE_NOT_SUPPORTED


def test_quality_reports_while_connected_and_final_at_end(engine, far_ends):
    peer, call_id, peer_call = connected_call(engine, far_ends)
    peer.request("tone", call=peer_call, frequency=440)
    report = engine.log.wait(lambda e: e.HasField("quality") and not e.quality.quality.final)
    assert report.quality.quality.call_id == call_id
    assert 4.0 < report.quality.quality.mos <= 4.5
    assert report.quality.quality.codec
    engine.ok(hangup=pb.Hangup(call_id=call_id))
    final = engine.log.wait(lambda e: e.HasField("quality") and e.quality.quality.final)
    assert final.quality.quality.call_id == call_id
    assert final.quality.quality.loss_rx_pct == 0.0


def test_port_in_use_and_reconfiguring_lines_during_a_call_are_clear_errors(engine, far_ends):
    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blocker.bind(("0.0.0.0", 5079))
    try:
        busy = base_configuration()
        busy.network.sip_port = 5079
        result = engine.run(configure=pb.Configure(configuration=busy))
        assert result.error.code == pb.ERROR_CODE_INVALID_ARGUMENT
        assert "5079" in result.error.reason
    finally:
        blocker.close()
    engine.configure(base_configuration())
    peer = far_ends(5081, auto_answer=200)
    call_id = engine.dial(peer.uri)
    engine.log.wait_call(call_id, pb.CALL_STATE_CONNECTED)
    changed = base_configuration()
    changed.accounts.append(pb.Account(account_id="other", register=False))
    refused = engine.run(configure=pb.Configure(configuration=changed))
    assert refused.error.code == pb.ERROR_CODE_INVALID_STATE
    policy_only = base_configuration(max_calls=1)
    engine.configure(policy_only)
    assert engine.run(dial=pb.Dial(to=peer.uri)).error.code == pb.ERROR_CODE_REFUSED
    assert [c.state for c in engine.engine.snapshot().calls] == [pb.CALL_STATE_CONNECTED]


def test_retrieve_right_after_hold_waits_for_the_pending_reinvite(engine, far_ends):
    peer, call_id, peer_call = connected_call(engine, far_ends)
    for _ in range(3):
        engine.ok(hold=pb.Hold(call_id=call_id))
        engine.ok(retrieve=pb.Retrieve(call_id=call_id))
    time.sleep(1.0)
    statuses = []
    with contextlib.suppress(FarEndError):
        while True:
            statuses.append(peer.wait_for("media", timeout=0.3)["status"])
    assert "remote_hold" in statuses and statuses[-1] == "active"
    assert not engine.engine.snapshot().calls[0].on_hold
    peer.request("hold", call=peer_call)  # nothing is pending: the far end may re-INVITE
    engine.log.wait(lambda e: e.HasField("call") and e.call.call.remote_hold)
