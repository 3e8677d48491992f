"""Transfers, conference, mute, in-band DTMF, DTMF relay, auto-answer, SRTP: far-end peers."""

from __future__ import annotations

import time

import pytest

from protocol import pb
from tests.integration.sip.helpers import ENGINE_PORT, base_configuration, tone_level_db
from tests.support.certs import make_pki

pytestmark = pytest.mark.integration

ENGINE_URI = f"sip:agent@127.0.0.1:{ENGINE_PORT}"


def _connect(engine, far_ends, port: int, **options: object):
    peer = far_ends(port, auto_answer=200, **options)
    call_id = engine.dial(peer.uri)
    peer_call = peer.wait_for("incoming")["call"]
    engine.log.wait_call(call_id, pb.CALL_STATE_CONNECTED)
    peer.wait_for("media", lambda e: e["call"] == peer_call and e["status"] == "active")
    return peer, call_id, peer_call


def test_blind_transfer_sends_refer_and_ends_the_call_as_transferred(engine, far_ends):
    engine.configure(base_configuration())
    customer, call_id, _ = _connect(engine, far_ends, 5081)
    colleague = far_ends(5082, auto_answer=200)
    engine.ok(blind_transfer=pb.BlindTransfer(call_id=call_id, to=colleague.uri))
    refer = customer.wait_for("request", lambda e: e["method"] == "REFER")
    assert f"Refer-To: <{colleague.uri}>" in refer["text"] or colleague.uri in refer["text"]
    assert colleague.uri in customer.wait_for("transfer_request")["target"]
    colleague.wait_for("incoming")
    ended = engine.log.wait_call(call_id, pb.CALL_STATE_ENDED)
    assert ended.end_reason == pb.CALL_END_REASON_TRANSFERRED


def test_attended_transfer_sends_refer_with_replaces(engine, far_ends):
    engine.configure(base_configuration())
    customer, call_id, _ = _connect(engine, far_ends, 5081)
    engine.ok(hold=pb.Hold(call_id=call_id))
    colleague, consult_id, _ = _connect(engine, far_ends, 5082)
    engine.ok(attended_transfer=pb.AttendedTransfer(call_id=call_id, consult_call_id=consult_id))
    refer = customer.wait_for("request", lambda e: e["method"] == "REFER")
    assert "Replaces" in refer["text"]
    replaced = colleague.wait_for("replaced")
    assert replaced["new_call"] != replaced["call"]
    first = engine.log.wait_call(call_id, pb.CALL_STATE_ENDED)
    consult = engine.log.wait_call(consult_id, pb.CALL_STATE_ENDED)
    assert first.end_reason == pb.CALL_END_REASON_TRANSFERRED
    assert consult.end_reason == pb.CALL_END_REASON_TRANSFERRED
    colleague.wait_state(replaced["new_call"], "CONFIRMED")


def test_incoming_refer_is_followed_when_policy_allows(engine, far_ends):
    engine.configure(base_configuration(follow_refer=True))
    customer, call_id, customer_call = _connect(engine, far_ends, 5081)
    colleague = far_ends(5082, auto_answer=200)
    customer.request("transfer", call=customer_call, target=colleague.uri)
    colleague.wait_for("incoming")
    new_call = engine.log.wait_new_call(pb.CALL_STATE_CONNECTED, exclude=(call_id,))
    assert new_call.remote_uri == colleague.uri
    customer.request("hangup", call=customer_call)
    ended = engine.log.wait_call(call_id, pb.CALL_STATE_ENDED)
    assert ended.end_reason == pb.CALL_END_REASON_TRANSFERRED


def test_incoming_refer_is_refused_when_policy_forbids(engine, far_ends):
    engine.configure(base_configuration(follow_refer=False))
    customer, call_id, customer_call = _connect(engine, far_ends, 5081)
    customer.request("transfer", call=customer_call, target="sip:someone@127.0.0.1:5089")
    refused = customer.wait_for("response", lambda e: e["method"] == "REFER")
    assert refused["code"] == 603
    time.sleep(0.3)
    assert [c.call_id for c in engine.engine.snapshot().calls] == [call_id]


def test_conference_merge_retrieves_held_calls_parties_hear_each_other_split_stops_it(
    engine, far_ends, tmp_path
):
    engine.configure(base_configuration())
    alice, alice_id, alice_call = _connect(engine, far_ends, 5081)
    engine.ok(hold=pb.Hold(call_id=alice_id))
    bob, bob_id, bob_call = _connect(engine, far_ends, 5082)
    alice.wait_for("media", lambda e: e["status"] == "remote_hold")
    alice.seen.clear()
    engine.ok(merge=pb.Merge(call_ids=[alice_id, bob_id]))
    alice.wait_for("media", lambda e: e["status"] == "active")
    assert not any(c.on_hold for c in engine.engine.snapshot().calls)
    alice.request("tone", call=alice_call, frequency=1000)
    snapshot = engine.engine.snapshot()
    conference_ids = {c.conference_id for c in snapshot.calls}
    assert len(conference_ids) == 1 and conference_ids != {""}
    merged = tmp_path / "merged.wav"
    bob.request("record", call=bob_call, wav=str(merged))
    time.sleep(1.0)
    bob.request("record_stop", call=bob_call)
    engine.ok(split=pb.Split(call_id=bob_id))
    assert {c.conference_id for c in engine.engine.snapshot().calls} == {""}
    split = tmp_path / "split.wav"
    bob.request("record", call=bob_call, wav=str(split))
    time.sleep(1.0)
    bob.request("record_stop", call=bob_call)
    assert tone_level_db(merged, 1000) > -30
    assert tone_level_db(split, 1000) < -60


def test_inband_dtmf_reaches_the_far_end_and_mute_silences_it(engine, far_ends, tmp_path):
    engine.configure(base_configuration())
    peer, call_id, peer_call = _connect(engine, far_ends, 5081)
    audible = tmp_path / "audible.wav"
    peer.request("record", call=peer_call, wav=str(audible))
    engine.ok(send_dtmf=pb.SendDtmf(call_id=call_id, digits="5555", method=pb.DTMF_METHOD_INBAND))
    time.sleep(1.0)
    peer.request("record_stop", call=peer_call)
    engine.ok(mute=pb.Mute(call_id=call_id, muted=True))
    assert engine.engine.snapshot().calls[0].muted
    muted = tmp_path / "muted.wav"
    peer.request("record", call=peer_call, wav=str(muted))
    engine.ok(send_dtmf=pb.SendDtmf(call_id=call_id, digits="5555", method=pb.DTMF_METHOD_INBAND))
    time.sleep(1.0)
    peer.request("record_stop", call=peer_call)
    for frequency in (770, 1336):
        assert tone_level_db(audible, frequency) > -40
        assert tone_level_db(muted, frequency) < -70
    assert not [e for e in peer.seen if e.get("event") == "request" and e["method"] == "INVITE"]


def test_dtmf_relay_notify_plays_digits_with_the_configured_method(engine, far_ends):
    configuration = base_configuration(remote_control=True)
    configuration.dtmf_method = pb.DTMF_METHOD_SIP_INFO
    engine.configure(configuration)
    peer, _, peer_call = _connect(engine, far_ends, 5081)
    peer.request(
        "notify",
        call=peer_call,
        event="dtmf",
        content_type="application/dtmf-relay",
        body="Signal=7\r\nDuration=160\r\n",
    )
    assert peer.wait_for("response", lambda e: e["method"] == "NOTIFY")["code"] == 200
    digit = peer.wait_for("dtmf")
    assert (digit["digit"], digit["method"]) == ("7", "info")


def test_auto_answer_by_policy_after_its_delay(engine, far_ends):
    auto = pb.AutoAnswerPolicy(enabled=True, delay_s=1)
    engine.configure(base_configuration(auto_answer=auto))
    caller = far_ends(5081)
    caller.request("call", uri=ENGINE_URI)
    ringing = engine.log.wait_new_call(pb.CALL_STATE_RINGING)
    assert ringing.auto_answer_after_s == 1
    started = time.monotonic()
    engine.log.wait_call(ringing.call_id, pb.CALL_STATE_CONNECTED, timeout=5)
    assert 0.7 < time.monotonic() - started < 3


@pytest.mark.parametrize(
    "header",
    [
        ("Alert-Info", "<http://127.0.0.1/x>;info=alert-autoanswer"),
        ("Alert-Info", "Ring Answer"),
        ("Alert-Info", "<sip:127.0.0.1>;info=Intercom"),
        ("Alert-Info", "Auto Answer"),
        ("Call-Info", "<sip:127.0.0.1>;answer-after=0"),
    ],
)
def test_auto_answer_on_the_callers_request(engine, far_ends, header):
    auto = pb.AutoAnswerPolicy(honour_caller_request=True)
    engine.configure(base_configuration(auto_answer=auto))
    caller = far_ends(5081)
    caller_call = caller.request("call", uri=ENGINE_URI, headers=dict([header]))["call"]
    caller.wait_state(caller_call, "CONFIRMED", timeout=5)
    call = engine.log.wait_new_call(pb.CALL_STATE_CONNECTED)
    assert call.auto_answer_after_s == 0


def test_no_auto_answer_while_another_call_is_up(engine, far_ends):
    auto = pb.AutoAnswerPolicy(honour_caller_request=True, when_busy=False)
    engine.configure(base_configuration(auto_answer=auto))
    _, first_id, _ = _connect(engine, far_ends, 5081)
    caller = far_ends(5082)
    caller.request("call", uri=ENGINE_URI, headers={"Alert-Info": "Auto Answer"})
    ringing = engine.log.wait_new_call(pb.CALL_STATE_RINGING, exclude=(first_id,))
    time.sleep(1.0)
    states = {c.call_id: c.state for c in engine.engine.snapshot().calls}
    assert states[ringing.call_id] == pb.CALL_STATE_RINGING


def test_srtp_mandatory_offers_savp_and_optional_offers_crypto_over_avp(engine, far_ends):
    configuration = base_configuration()
    configuration.network.srtp = pb.SRTP_POLICY_MANDATORY
    engine.configure(configuration)
    plain = far_ends(5083, auto_answer=200)
    call_id = engine.dial(plain.uri)
    refused = engine.log.wait_call(call_id, pb.CALL_STATE_ENDED)
    assert (refused.end_reason, refused.end_sip_code) == (pb.CALL_END_REASON_FAILED, 488)
    peer = far_ends(5081, auto_answer=200, srtp=1)
    call_id = engine.dial(peer.uri)
    invite = peer.wait_for("incoming")["invite"]
    assert "RTP/SAVP" in invite and "a=crypto:" in invite
    engine.log.wait_call(call_id, pb.CALL_STATE_CONNECTED)
    engine.ok(hangup=pb.Hangup(call_id=call_id))
    engine.log.wait_call(call_id, pb.CALL_STATE_ENDED)
    configuration.network.srtp = pb.SRTP_POLICY_OPTIONAL
    engine.configure(configuration)
    call_id = engine.dial(peer.uri)
    invite = peer.wait_for("incoming")["invite"]
    assert "RTP/AVP" in invite and "a=crypto:" in invite
    engine.log.wait_call(call_id, pb.CALL_STATE_CONNECTED)


@pytest.mark.parametrize("trusted", [True, False])
def test_tls_call_verifies_the_server_against_the_ca_file(engine, far_ends, tmp_path, trusted):
    pki = make_pki(tmp_path)
    configuration = base_configuration()
    configuration.network.tls_ca_file = str(pki.ca if trusted else pki.other_ca)
    configuration.network.tls_verify_server = True
    entry = pb.Connectivity(user="agent", server="127.0.0.1:5089", transport=pb.SIP_TRANSPORT_TLS)
    configuration.accounts.append(pb.Account(account_id="tls", connectivities=[entry]))
    engine.configure(configuration)
    peer = far_ends(5088, auto_answer=200, tls=(5089, str(pki.server_cert), str(pki.server_key)))
    call_id = engine.dial("sip:customer@127.0.0.1:5089;transport=tls", account_id="tls")
    if trusted:
        incoming = peer.wait_for("incoming")["invite"]
        assert "SIP/2.0/TLS" in incoming
        engine.log.wait_call(call_id, pb.CALL_STATE_CONNECTED)
    else:
        ended = engine.log.wait_call(call_id, pb.CALL_STATE_ENDED)
        assert ended.end_reason in (pb.CALL_END_REASON_NETWORK_ERROR, pb.CALL_END_REASON_FAILED)
        assert not [e for e in peer.seen if e.get("event") == "incoming"]


def test_tls_without_a_readable_ca_file_is_a_clear_configuration_error(engine, tmp_path):
    configuration = base_configuration()
    configuration.network.tls_ca_file = str(tmp_path / "missing.pem")
    configuration.network.tls_verify_server = True
    entry = pb.Connectivity(user="a", server="127.0.0.1:5089", transport=pb.SIP_TRANSPORT_TLS)
    configuration.accounts.append(pb.Account(account_id="tls", connectivities=[entry]))
    result = engine.run(configure=pb.Configure(configuration=configuration))
    assert result.error.code == pb.ERROR_CODE_INVALID_ARGUMENT
    assert "CA file" in result.error.reason
