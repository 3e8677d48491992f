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

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from simulator.ica_engine import IcaEngine
from tests.integration.rdp.workstation import ConnectorClient, SippUas, free_port, wait_until

pytestmark = pytest.mark.integration

SCENARIO = Path(__file__).with_name("uas_controlled_call.xml")


@dataclass
class Stack:
    workstation: Path
    engine: IcaEngine
    app: subprocess.Popen[bytes]
    client: ConnectorClient
    sip_port: int

    def adapter_pid(self) -> int | None:
        path = self.workstation / "adapter.pid"
        return int(path.read_text()) if path.exists() else None

    def text(self, name: str) -> str:
        path = self.workstation / name
        return path.read_text(errors="replace")[-4000:] if path.exists() else f"(no {name})"

    def why(self) -> str:
        events = "\n".join(self.engine.events[-20:])
        return (
            f"--- engine\n{events}\n--- driver.log\n{self.text('driver.log')}\n"
            f"--- adapter.log\n{self.text('adapter.log')}\n--- app.log\n{self.text('app.log')}"
        )

    def link(self) -> dict[str, str]:
        link: dict[str, str] = self.client.session()["link"]
        return link

    def call(self, call_id: str) -> dict[str, object]:
        return self.client.call(call_id) or {}

    def act(self, call_id: str, action: str, body: object = None) -> None:
        status, reply = self.client.request("POST", f"/v1/calls/{call_id}/{action}", body)
        assert status == 200, (action, reply)


def start_script(workstation: Path, sock: Path) -> Path:
    """What the driver runs when no adapter answers (records its PID so we can stop it)."""
    script = workstation / "start-adapter.sh"
    adapter = [sys.executable, "-m", "vdi_adapter.cli", "--unix", str(sock), "--audio", "null"]
    script.write_text(
        "#!/bin/sh\n"
        f"cd {Path.cwd()}\n"
        f"echo $$ > {workstation}/adapter.pid\n"
        f"exec {' '.join(adapter)} --grace-period 120 2>>{workstation}/adapter.log\n"
    )
    script.chmod(0o755)
    return script


def stop_pid(pid: int | None) -> None:
    if pid is None:
        return
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 2.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                return
            if state == "Z":
                return
            time.sleep(0.05)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    workstation = Path(tempfile.mkdtemp(prefix="softphone-citrix-"))
    workstation.chmod(0o700)
    (workstation / "softphone").mkdir(mode=0o700)
    sock = workstation / "softphone" / "adapter.sock"
    engine = IcaEngine(
        env={
            "SOFTPHONE_ADAPTER_SOCKET": str(sock),
            "SOFTPHONE_ADAPTER_START": str(start_script(workstation, sock)),
            "SOFTPHONE_DRIVER_LOG": str(workstation / "driver.log"),
        }
    ).start()
    sip_port = free_port(socket.SOCK_DGRAM)
    config = workstation / "config.toml"
    config.write_text(f'[network]\nsip_port = {sip_port}\n\n[calls]\ndtmf_method = "sip_info"\n')
    port = free_port()
    token = workstation / "connector.token"
    app_cmd = [sys.executable, "-m", "app_layer.cli", "--headless", "--transport", "auto"]
    app_cmd += ["--config", str(config), "--connector-port", str(port), "--token-file", str(token)]
    with (workstation / "app.log").open("wb") as log:
        app = subprocess.Popen(
            app_cmd,
            env={**os.environ, **engine.session_env()},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stack = Stack(workstation, engine, app, ConnectorClient(port), sip_port)
    try:
        wait_until(token.exists, 30, stack.why)
        stack.client.token = token.read_text().strip()
        wait_until(lambda: stack.client.link_state() == "connected", 30, stack.why)
        yield stack
    finally:
        stop_pid(app.pid)
        app.wait(5)
        engine.stop()
        stop_pid(stack.adapter_pid())
        shutil.rmtree(workstation, ignore_errors=True)


def connected(stack: Stack, call_id: str) -> bool:
    return stack.call(call_id).get("state") == "connected"


def test_auto_picks_the_citrix_channel_and_the_driver_started_the_adapter(stack: Stack) -> None:
    link = stack.link()
    assert link["transport"] == "citrix" and link["media_offloaded"], link
    assert link["transport_choice"].startswith("chose citrix"), link
    driver_log = stack.text("driver.log")
    assert "started the adapter service" in driver_log
    assert "connected to the adapter service" in driver_log
    assert stack.engine.saw("session-open SOFTPH")


def test_dial_hold_retrieve_dtmf_and_hang_up(stack: Stack, tmp_path: Path) -> None:
    sipp = SippUas(tmp_path, scenario=SCENARIO)
    try:
        status, body = stack.client.request("POST", "/v1/calls", {"to": sipp.uri})
        assert status == 201, body
        call_id = body["call_id"]
        wait_until(lambda: connected(stack, call_id), 15, sipp.tail)
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


def ringing_call(stack: Stack) -> dict[str, str] | None:
    return next((c for c in stack.client.session()["calls"] if c["state"] == "ringing"), None)


def test_an_incoming_call_is_answered_from_the_session(stack: Stack, tmp_path: Path) -> None:
    args = ["sipp", "-sn", "uac", f"127.0.0.1:{stack.sip_port}", "-s", "agent"]
    args += ["-i", "127.0.0.1", "-p", str(free_port(socket.SOCK_DGRAM))]
    args += ["-m", "1", "-d", "2000", "-nostdin", "-trace_msg"]
    args += ["-message_file", str(tmp_path / "uac.msg")]
    with (tmp_path / "uac.log").open("wb") as log:
        uac = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        ringing = wait_until(lambda: ringing_call(stack), 15, stack.why)
        stack.act(ringing["id"], "answer")
        wait_until(lambda: connected(stack, ringing["id"]), 10, stack.why)
        assert uac.wait(20) == 0, (tmp_path / "uac.log").read_text()  # sipp's BYE was answered
        trace = (tmp_path / "uac.msg").read_text()
        assert "SIP/2.0 200 OK" in trace
    finally:
        stop_pid(uac.pid)


def test_a_cut_session_keeps_the_call_and_the_reconnect_resyncs_it(
    stack: Stack, tmp_path: Path
) -> None:
    sipp = SippUas(tmp_path)
    try:
        _, body = stack.client.request("POST", "/v1/calls", {"to": sipp.uri})
        call_id = body["call_id"]
        wait_until(lambda: connected(stack, call_id), 15, sipp.tail)
        stack.act(call_id, "mute")
        wait_until(lambda: stack.call(call_id).get("muted"), 10, stack.why)
        stack.engine.cut()  # DriverClose and unload while the call is up
        wait_until(lambda: stack.link()["state"] != "connected", 8, stack.why)
        time.sleep(1.0)
        assert not sipp.saw("BYE "), "the adapter hung up when the session went away"
        started = time.monotonic()
        stack.engine.reconnect()
        wait_until(lambda: stack.link()["state"] == "connected", 10, stack.why)
        wait_until(lambda: connected(stack, call_id), 10, stack.why)
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


def test_an_adapter_restarted_while_the_session_is_up_is_found_again(stack: Stack) -> None:
    first = stack.adapter_pid()
    assert first is not None
    stop_pid(first)
    wait_until(lambda: stack.link()["state"] != "connected", 10, stack.why)
    # The app keeps writing; the driver finds nothing and starts a new adapter.
    wait_until(lambda: stack.link()["state"] == "connected", 45, stack.why)
    assert stack.adapter_pid() not in (None, first)
    assert stack.text("driver.log").count("started the adapter service") >= 2


def test_garbage_from_the_session_leaves_the_phone_working(stack: Stack, tmp_path: Path) -> None:
    stack.engine.misbehave("garbage")
    stack.engine.misbehave("unknown-info")
    wait_until(lambda: stack.link()["state"] == "connected", 30, stack.why)
    sipp = SippUas(tmp_path)
    try:
        _, body = stack.client.request("POST", "/v1/calls", {"to": sipp.uri})
        call_id = body["call_id"]
        wait_until(lambda: connected(stack, call_id), 15, sipp.tail)
        stack.act(call_id, "hangup")
        wait_until(lambda: sipp.saw("BYE "), 10, sipp.tail)
    finally:
        sipp.stop()
    assert stack.engine.alive()
