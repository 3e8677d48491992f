"""The product over an emulated Citrix session: ``softphone --headless --transport auto`` in the
"VDA" (SESSIONNAME=ICA-TCP#1, the emulator's WFAPI), the ICA engine emulator on the
"workstation" with our SOFTPH driver, the real adapter service (pjsua2) behind it, sipp as
the far end.

Nothing here is Python in the channel's path: the app's ``protocol/vchannel/citrix.py``
calls libwfapi.so, the emulator (C) calls the driver (C), which relays to the adapter's
Unix socket and starts the adapter when nothing answers. The test speaks only to the
app's connector API, as a CTI integration would, and checks the SIP side at sipp.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.ica_engine.stack import CitrixStack, citrix_stack, stop_pid
from simulator.processes import wait_until
from simulator.sipp import SippUas, free_port

pytestmark = pytest.mark.integration

SCENARIO = Path(__file__).with_name("uas_controlled_call.xml")


@pytest.fixture(scope="module")
def stack() -> Iterator[CitrixStack]:
    with citrix_stack(config='[calls]\ndtmf_method = "sip_info"\n') as stack:
        yield stack


def test_auto_picks_the_citrix_channel_and_the_driver_started_the_adapter(
    stack: CitrixStack,
) -> None:
    link = stack.link()
    assert link["transport"] == "citrix" and link["media_offloaded"], link
    assert link["transport_choice"].startswith("chose citrix"), link
    driver_log = stack.text("driver.log")
    assert "started the adapter service" in driver_log
    assert "connected to the adapter service" in driver_log
    assert stack.engine.saw("session-open SOFTPH")


def test_dial_hold_retrieve_dtmf_and_hang_up(stack: CitrixStack, tmp_path: Path) -> None:
    sipp = SippUas(tmp_path, scenario=SCENARIO)
    try:
        call_id = stack.dial(sipp.uri)
        wait_until(lambda: stack.connected(call_id), 15, sipp.tail)
        stack.act(call_id, "hold")
        wait_until(lambda: stack.call(call_id).get("on_hold"), 10, sipp.tail)
        stack.act(call_id, "retrieve")
        wait_until(lambda: stack.call(call_id).get("on_hold") is False, 10, sipp.tail)
        stack.act(call_id, "dtmf", {"digits": "7"})
        wait_until(lambda: sipp.saw("INFO "), 10, sipp.tail)
        stack.act(call_id, "hangup")
        assert sipp.process.wait(15) == 0, sipp.tail()  # every step of the scenario was met
        wait_until(lambda: stack.call(call_id).get("state", "ended") == "ended", 10, stack.why)
    finally:
        sipp.stop()


def ringing_call(stack: CitrixStack) -> dict[str, str] | None:
    return next((c for c in stack.client.session()["calls"] if c["state"] == "ringing"), None)


def test_an_incoming_call_is_answered_from_the_session(stack: CitrixStack, tmp_path: Path) -> None:
    args = ["sipp", "-sn", "uac", f"127.0.0.1:{stack.sip_port}", "-s", "agent"]
    args += ["-i", "127.0.0.1", "-p", str(free_port(socket.SOCK_DGRAM))]
    args += ["-m", "1", "-d", "2000", "-nostdin", "-trace_msg"]
    args += ["-message_file", str(tmp_path / "uac.msg")]
    with (tmp_path / "uac.log").open("wb") as log:
        uac = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        ringing = wait_until(lambda: ringing_call(stack), 15, stack.why)
        stack.act(ringing["id"], "answer")
        wait_until(lambda: stack.connected(ringing["id"]), 10, stack.why)
        assert uac.wait(20) == 0, (tmp_path / "uac.log").read_text()  # sipp's BYE was answered
        trace = (tmp_path / "uac.msg").read_text()
        assert "SIP/2.0 200 OK" in trace
    finally:
        stop_pid(uac.pid)


def test_a_cut_session_keeps_the_call_and_the_reconnect_resyncs_it(
    stack: CitrixStack, tmp_path: Path
) -> None:
    sipp = SippUas(tmp_path)
    try:
        call_id = stack.dial(sipp.uri)
        wait_until(lambda: stack.connected(call_id), 15, sipp.tail)
        stack.act(call_id, "mute")
        wait_until(lambda: stack.call(call_id).get("muted"), 10, stack.why)
        stack.engine.cut()  # DriverClose and unload while the call is up
        wait_until(lambda: stack.link()["state"] != "connected", 8, stack.why)
        time.sleep(1.0)
        assert not sipp.saw("BYE "), "the adapter hung up when the session went away"
        started = time.monotonic()
        stack.engine.reconnect()
        wait_until(lambda: stack.link()["state"] == "connected", 10, stack.why)
        wait_until(lambda: stack.connected(call_id), 10, stack.why)
        resync_s = time.monotonic() - started
        assert stack.call(call_id)["muted"], stack.call(call_id)
        assert resync_s < 3.0, f"resynced in {resync_s:.2f} s"
        stack.act(call_id, "unmute")
        wait_until(lambda: stack.call(call_id).get("muted") is False, 10, stack.why)
        stack.act(call_id, "hangup")
        wait_until(lambda: sipp.saw("BYE "), 10, sipp.tail)
        assert stack.engine.saw("unloaded") and stack.engine.events.count("cut") >= 1
    finally:
        sipp.stop()


def test_an_adapter_restarted_while_the_session_is_up_is_found_again(stack: CitrixStack) -> None:
    first = stack.adapter_pid()
    assert first is not None
    stop_pid(first)
    wait_until(lambda: stack.link()["state"] != "connected", 10, stack.why)
    # The app keeps writing; the driver finds nothing and starts a new adapter.
    wait_until(lambda: stack.link()["state"] == "connected", 45, stack.why)
    assert stack.adapter_pid() not in (None, first)
    assert stack.text("driver.log").count("started the adapter service") >= 2


def test_garbage_from_the_session_leaves_the_phone_working(
    stack: CitrixStack, tmp_path: Path
) -> None:
    stack.engine.misbehave("garbage")
    stack.engine.misbehave("unknown-info")
    wait_until(lambda: stack.link()["state"] == "connected", 30, stack.why)
    sipp = SippUas(tmp_path)
    try:
        call_id = stack.dial(sipp.uri)
        wait_until(lambda: stack.connected(call_id), 15, sipp.tail)
        stack.act(call_id, "hangup")
        wait_until(lambda: sipp.saw("BYE "), 10, sipp.tail)
    finally:
        sipp.stop()
    assert stack.engine.alive()
