"""What sipp sees on the wire: hold directions, codec order, remote control, auto-answer."""

from __future__ import annotations

import time

import pytest

from protocol import pb
from tests.integration.sip.helpers import ENGINE_PORT, SCENARIOS, base_configuration

pytestmark = pytest.mark.integration

ENGINE = f"127.0.0.1:{ENGINE_PORT}"


def _connected_remote_hold(engine, call_id: str) -> None:
    engine.log.wait(
        lambda e: e.HasField("call") and e.call.call.call_id == call_id and e.call.call.remote_hold
    )


def test_hold_and_retrieve_reinvites_and_codec_order_on_the_wire(engine, sipp):
    configuration = base_configuration()
    configuration.codec_order.extend(["PCMA/8000", "PCMU/8000", "G729/8000"])
    engine.configure(configuration)
    warning = engine.log.wait(lambda e: e.HasField("warning"))
    assert "G729/8000" in warning.warning.warning.message
    assert "PCMU/8000" in warning.warning.warning.message
    server = sipp("uas_hold.xml", 5092)
    call_id = engine.dial("sip:service@127.0.0.1:5092")
    connected = engine.log.wait_call(call_id, pb.CALL_STATE_CONNECTED)
    engine.log.wait(lambda e: e.HasField("call") and e.call.call.codec == "PCMA/8000")
    assert connected.call_id == call_id
    engine.ok(hold=pb.Hold(call_id=call_id))
    engine.log.wait(lambda e: e.HasField("call") and e.call.call.on_hold)
    engine.ok(retrieve=pb.Retrieve(call_id=call_id))
    engine.log.wait(
        lambda e: (
            e.HasField("call")
            and not e.call.call.on_hold
            and e.call.call.codec != ""
            and e.sequence > warning.sequence + 3
        )
    )
    time.sleep(0.3)
    engine.ok(hangup=pb.Hangup(call_id=call_id))
    messages = server.assert_success()
    assert messages.count("a=sendonly") >= 1


def test_notify_talk_answers_a_ringing_call_after_its_200(engine, sipp):
    engine.configure(base_configuration(remote_control=True))
    caller = sipp("uac_notify_talk.xml", 5093, "-s", "agent", ENGINE)
    ringing = engine.log.wait_new_call(pb.CALL_STATE_RINGING)
    connected = engine.log.wait_call(ringing.call_id, pb.CALL_STATE_CONNECTED)
    assert connected.direction == pb.CALL_DIRECTION_INBOUND
    messages = caller.assert_success()
    notify_ok = messages.index("CSeq: 2 NOTIFY", messages.index("SIP/2.0 200 OK"))
    invite_ok = messages.index("CSeq: 1 INVITE", messages.index("SIP/2.0 200 OK", notify_ok))
    assert notify_ok < invite_ok
    ended = engine.log.wait_call(ringing.call_id, pb.CALL_STATE_ENDED)
    assert ended.end_reason == pb.CALL_END_REASON_REMOTE_HANGUP


def test_notify_hold_and_talk_hold_and_retrieve_a_call_answered_by_call_info(engine, sipp):
    auto = pb.AutoAnswerPolicy(honour_caller_request=True)
    engine.configure(base_configuration(remote_control=True, auto_answer=auto))
    caller = sipp("uac_notify_hold.xml", 5094, "-s", "agent", ENGINE)
    call = engine.log.wait_new_call(pb.CALL_STATE_CONNECTED)
    assert call.auto_answer_after_s == 0
    engine.log.wait(lambda e: e.HasField("call") and e.call.call.on_hold)
    caller.assert_success()
    ended = engine.log.wait_call(call.call_id, pb.CALL_STATE_ENDED)
    assert ended.end_reason == pb.CALL_END_REASON_REMOTE_HANGUP
    assert not any(c.remote_hold for c in engine.log.calls(call.call_id))


def test_remote_hold_then_local_hold_offers_inactive(engine, sipp):
    auto = pb.AutoAnswerPolicy(honour_caller_request=True)
    engine.configure(base_configuration(auto_answer=auto))
    caller = sipp("uac_remote_hold.xml", 5095, "-s", "agent", ENGINE)
    call = engine.log.wait_new_call(pb.CALL_STATE_CONNECTED)
    _connected_remote_hold(engine, call.call_id)
    engine.ok(hold=pb.Hold(call_id=call.call_id))
    caller.assert_success()


@pytest.mark.parametrize("code", [489, 403])
def test_remote_control_off_refuses_notify_and_the_call_keeps_ringing(engine, sipp, tmp_path, code):
    engine.configure(base_configuration(remote_control=False, remote_control_refusal_code=code))
    scenario = tmp_path / f"refused-{code}.xml"
    text = (SCENARIOS / "uac_notify_refused.xml").read_text()
    scenario.write_text(text.replace('response="489"', f'response="{code}"'))
    caller = sipp(str(scenario), 5096, "-s", "agent", ENGINE)
    ringing = engine.log.wait_new_call(pb.CALL_STATE_RINGING)
    deadline = time.monotonic() + 5
    while f"SIP/2.0 {code}" not in caller.messages.read_text(errors="replace"):
        assert time.monotonic() < deadline, "no refusal of the NOTIFY on the wire"
        time.sleep(0.05)
    assert engine.engine.snapshot().calls[0].state == pb.CALL_STATE_RINGING
    engine.ok(reject=pb.Reject(call_id=ringing.call_id, sip_code=486))
    caller.assert_success()


def test_blind_transfer_refer_and_sipfrag_notify_on_the_wire(engine, sipp):
    engine.configure(base_configuration(remote_control=True))
    transferee = sipp("uas_refer.xml", 5090)
    call_id = engine.dial("sip:service@127.0.0.1:5090")
    engine.log.wait_call(call_id, pb.CALL_STATE_CONNECTED)
    engine.ok(blind_transfer=pb.BlindTransfer(call_id=call_id, to="sip:colleague@127.0.0.1:5099"))
    ended = engine.log.wait_call(call_id, pb.CALL_STATE_ENDED)
    assert ended.end_reason == pb.CALL_END_REASON_TRANSFERRED
    messages = transferee.assert_success()
    assert "REFER sip:service@127.0.0.1:5090" in messages
