"""Registration with kamailio (digest auth): register, refresh, failover, unregister."""

from __future__ import annotations

import time

import pytest

from protocol import pb
from simulator.registrar import Registrar
from tests.integration.sip.helpers import USERS, agent_account, base_configuration

pytestmark = pytest.mark.integration

REGISTERED = pb.REGISTRATION_STATE_REGISTERED
AGENT_VIA_REGISTRAR = "sip:7001@127.0.0.1:5060"


def _configure_agent(engine, account: pb.Account) -> None:
    configuration = base_configuration()
    configuration.accounts.append(account)
    engine.configure(configuration)


def test_registers_with_digest_auth_and_calls_reach_us_through_the_registrar(
    engine, registrar, far_ends
):
    _configure_agent(engine, agent_account("7001"))
    registration = engine.log.wait_registration(REGISTERED, "agent-7001")
    assert (registration.status_code, registration.server) == (200, "127.0.0.1:5060")
    assert registration.expires_s > 0
    caller = far_ends(5081)
    peer_call = caller.request("call", uri=AGENT_VIA_REGISTRAR)["call"]
    ringing = engine.log.wait_new_call(pb.CALL_STATE_RINGING)
    assert ringing.account_id == "agent-7001"
    caller.wait_state(peer_call, "EARLY")


def _agent_dials_registered_customer(engine, far_ends):
    """Customer 8001 and agent 7001 registered at kamailio; the agent dials "8001"."""
    customer = far_ends(5082, user="8001", registrar="127.0.0.1:5060", password=USERS["8001"])
    assert customer.wait_for("registration")["code"] == 200
    _configure_agent(engine, agent_account("7001"))
    engine.log.wait_registration(REGISTERED)
    call_id = engine.dial("8001")
    return customer, call_id


def test_dialled_digits_go_to_the_registered_customer(engine, registrar, far_ends):
    customer, call_id = _agent_dials_registered_customer(engine, far_ends)
    incoming = customer.wait_for("incoming")
    assert incoming["invite"].startswith("INVITE sip:8001@")
    assert "Allow-Events: talk, hold" in incoming["invite"]
    customer.request("answer", call=incoming["call"])
    connected = engine.log.wait_call(call_id, pb.CALL_STATE_CONNECTED)
    assert connected.remote_uri == "sip:8001@127.0.0.1"


def test_wrong_password_fails_with_the_servers_code_and_no_secret_leaks(engine, registrar):
    _configure_agent(engine, agent_account("7001", password="not-the-password"))
    failed = engine.log.wait_registration(pb.REGISTRATION_STATE_FAILED)
    assert failed.status_code in (401, 403)
    assert failed.reason
    diagnostics = engine.ok(
        collect_diagnostics=pb.CollectDiagnostics(include_sip_trace=True)
    ).ok.diagnostics
    assert "REGISTER sip:127.0.0.1:5060" in "\n".join(diagnostics.sip_trace)
    everything = engine.log.all_text() + str(diagnostics)
    assert "not-the-password" not in everything
    assert "agent-secret" not in everything
    assert "password" not in str(engine.engine.snapshot())


def test_registration_is_refreshed_before_expiry(engine, registrar, far_ends):
    # pjsip refreshes no sooner than 5 s after a REGISTER: 6 s is the shortest useful expiry.
    _configure_agent(engine, agent_account("7001", expiry=6))
    engine.log.wait_registration(REGISTERED)
    time.sleep(11.5)
    refreshed = [
        e
        for e in engine.log.events
        if e.HasField("registration") and e.registration.registration.status_code == 200
    ]
    assert len(refreshed) >= 3, "expected a REGISTER refresh before each 6 s expiry"
    caller = far_ends(5081)
    caller.request("call", uri=AGENT_VIA_REGISTRAR)
    engine.log.wait_new_call(pb.CALL_STATE_RINGING)


def test_unregister_and_register_commands(engine, registrar, far_ends):
    _configure_agent(engine, agent_account("7001"))
    engine.log.wait_registration(REGISTERED)
    engine.ok(unregister=pb.Unregister(account_id="agent-7001"))
    engine.log.wait_registration(pb.REGISTRATION_STATE_UNREGISTERED, "agent-7001")
    caller = far_ends(5081)
    refused = caller.request("call", uri=AGENT_VIA_REGISTRAR)["call"]
    assert caller.wait_state(refused, "DISCONNECTED")["code"] == 404
    engine.log.clear()
    engine.ok(register=pb.Register())
    engine.log.wait_registration(REGISTERED)
    missing = engine.run(unregister=pb.Unregister(account_id="nobody"))
    assert missing.error.code == pb.ERROR_CODE_NOT_FOUND


def test_stop_unregisters(engine, registrar, far_ends):
    _configure_agent(engine, agent_account("7001"))
    engine.log.wait_registration(REGISTERED)
    engine.engine.stop()
    engine.log.wait_registration(pb.REGISTRATION_STATE_UNREGISTERED, timeout=1)
    caller = far_ends(5081)
    refused = caller.request("call", uri=AGENT_VIA_REGISTRAR)["call"]
    assert caller.wait_state(refused, "DISCONNECTED")["code"] == 404
    after = engine.run(dial=pb.Dial(to="sip:x@127.0.0.1:5081"))
    assert after.error.code == pb.ERROR_CODE_UNAVAILABLE


def test_fails_over_to_the_next_server_when_the_first_stops(engine, far_ends):
    first = Registrar(USERS, port=5062)
    second = Registrar(USERS, port=5064)
    first.start()
    second.start()
    try:
        account = agent_account(
            "7001",
            servers=("127.0.0.1:5062", "127.0.0.1:5064"),
            transport=pb.SIP_TRANSPORT_TCP,
            expiry=3,
        )
        _configure_agent(engine, account)
        assert engine.log.wait_registration(REGISTERED).server == "127.0.0.1:5062"
        first.stop()
        moved = engine.log.wait(
            lambda e: (
                e.HasField("registration")
                and e.registration.registration.state == REGISTERED
                and e.registration.registration.server == "127.0.0.1:5064"
            ),
            timeout=15,
        )
        assert moved.registration.registration.status_code == 200
        warning = engine.log.wait(lambda e: e.HasField("warning"))
        assert warning.warning.warning.code == "registration_failover"
        assert "127.0.0.1:5064" in warning.warning.warning.message
        caller = far_ends(5081)
        caller.request("call", uri="sip:7001@127.0.0.1:5064")
        engine.log.wait_new_call(pb.CALL_STATE_RINGING)
    finally:
        first.stop()
        second.stop()


def test_sip_info_digits_through_the_proxy_all_arrive_in_order(engine, registrar, far_ends):
    customer, call_id = _agent_dials_registered_customer(engine, far_ends)
    customer.request("answer", call=customer.wait_for("incoming")["call"])
    engine.log.wait_call(call_id, pb.CALL_STATE_CONNECTED)
    digits = "*9#0123"
    engine.ok(send_dtmf=pb.SendDtmf(call_id=call_id, digits=digits, method=pb.DTMF_METHOD_SIP_INFO))
    heard = [customer.wait_for("dtmf")["digit"] for _ in digits]
    assert "".join(heard) == digits
    assert all(e["method"] == "info" for e in customer.seen if e.get("event") == "dtmf")


def test_sip_info_digits_from_the_far_end_through_the_proxy_all_arrive(engine, registrar, far_ends):
    customer, call_id = _agent_dials_registered_customer(engine, far_ends)
    peer_call = customer.wait_for("incoming")["call"]
    customer.request("answer", call=peer_call)
    engine.log.wait_call(call_id, pb.CALL_STATE_CONNECTED)
    customer.request("dtmf", call=peer_call, digits="0#4*", method="info")
    for digit in "0#4*":
        engine.log.wait(lambda e, d=digit: e.HasField("dtmf") and e.dtmf.digit == d)
    heard = [e.dtmf.digit for e in engine.log.events if e.HasField("dtmf")]
    assert heard == list("0#4*")


def _register_from_tags(engine) -> set[str]:
    """From tags of the REGISTERs in the engine's SIP trace: one per registration attempt."""
    trace = engine.ok(collect_diagnostics=pb.CollectDiagnostics(include_sip_trace=True))
    text = "\n".join(trace.ok.diagnostics.sip_trace)
    tags = set()
    for message in text.split("\nREGISTER sip:")[1:]:
        from_line = next(line for line in message.splitlines() if line.startswith("From:"))
        tags.add(from_line.split("tag=", 1)[1].split(";")[0].strip())
    return tags


def test_one_login_is_one_register_transaction(engine, registrar):
    # The app's login: configure the account, and once that is done, register.
    before = _register_from_tags(engine)
    configuration = base_configuration()
    configuration.accounts.append(agent_account("7001"))
    engine.configure(configuration)
    engine.log.wait_registration(REGISTERED, "agent-7001")
    assert engine.run(register=pb.Register()).HasField("ok")
    # The registration the app asked for is reported, and no second REGISTER chain starts.
    engine.log.wait_registration(REGISTERED, "agent-7001")
    assert len(_register_from_tags(engine) - before) == 1
