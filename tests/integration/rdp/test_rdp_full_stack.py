"""The product over real RDP: ``softphone --headless`` in an xrdp session, the adapter on
the workstation behind FreeRDP's relay, sipp as the far end of the calls.

The app runs as the session's alternate shell with ``--transport rdp`` (the WTS
channel); FreeRDP starts ``vdi_adapter.rdp_relay``, which starts the real adapter
service (pjsua2) on first use. The test talks to the app only through its
connector API, as a CTI integration would, and checks the SIP side at sipp.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from protocol import SOFTWARE_VERSION
from tests.integration.rdp.workstation import ConnectorClient, SippUas, free_port, wait_until
from tests.support.rdp_harness import RdpHarness

pytestmark = pytest.mark.integration


@dataclass
class Stack:
    harness: RdpHarness
    client: ConnectorClient
    workstation: Path

    def adapter_pid(self) -> int | None:
        path = self.workstation / "adapter.pid"
        return int(path.read_text()) if path.exists() else None

    def adapter_log(self) -> str:
        path = self.workstation / "adapter.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else "(no adapter log)"

    def why(self) -> str:
        return f"{self.harness.logs()}\n--- adapter.log\n{self.adapter_log()}"

    def link(self) -> dict[str, str]:
        link: dict[str, str] = self.client.session()["link"]
        return link


def adapter_start_script(workstation: Path, sock: Path) -> Path:
    """What the relay runs when no adapter answers (records its PID so we can stop it)."""
    script = workstation / "start-adapter.sh"
    adapter = [sys.executable, "-m", "vdi_adapter.cli", "--unix", str(sock), "--audio", "null"]
    script.write_text(
        "#!/bin/sh\n"
        f"echo $$ > {workstation}/adapter.pid\n"
        f"exec {' '.join(adapter)} --grace-period 120 2>>{workstation}/adapter.log\n"
    )
    script.chmod(0o755)
    return script


def stop_adapter(stack: Stack) -> None:
    pid = stack.adapter_pid()
    if pid is None:
        return
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 2.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            if _zombie(pid):
                return
            time.sleep(0.05)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    workstation = Path(tempfile.mkdtemp(prefix="softphone-workstation-"))
    workstation.chmod(0o700)
    sock = workstation / "softphone" / "adapter.sock"
    relay = [sys.executable, "-m", "vdi_adapter.rdp_relay", "--socket", str(sock)]
    relay += ["--start-command", str(adapter_start_script(workstation, sock))]
    port = free_port()
    app = ["-m", "app_layer.cli", "--headless", "--transport", "rdp"]
    app += ["--connector-port", str(port), "--token-file", "{session_dir}/connector.token"]
    harness = RdpHarness(app, relay)
    stack = Stack(harness, ConnectorClient(port), workstation)
    try:
        harness.start()
        token = harness.session_dir / "connector.token"
        wait_until(token.exists, 30, stack.why)
        stack.client.token = token.read_text().strip()
        wait_until(lambda: stack.client.link_state() == "connected", 30, stack.why)
        yield stack
    finally:
        harness.stop()
        stop_adapter(stack)
        shutil.rmtree(workstation, ignore_errors=True)


def test_the_app_in_the_session_talks_to_the_adapter_over_rdp(stack: Stack) -> None:
    link = stack.link()
    assert link["transport"] == "rdp" and link["media_offloaded"]
    assert link["adapter_version"] == SOFTWARE_VERSION
    assert "app session from" in stack.adapter_log()


def connected(stack: Stack, call_id: str) -> bool:
    call = stack.client.call(call_id)
    return bool(call and call["state"] == "connected")


def test_a_call_placed_in_the_session_reaches_sipp(stack: Stack, tmp_path: Path) -> None:
    sipp = SippUas(tmp_path)
    try:
        status, body = stack.client.request("POST", "/v1/calls", {"to": sipp.uri})
        assert status == 201, body
        call_id = body["call_id"]
        wait_until(lambda: connected(stack, call_id), 15, sipp.tail)
        assert sipp.saw(f"INVITE {sipp.uri}")
        assert stack.client.request("POST", f"/v1/calls/{call_id}/mute")[0] == 200
        wait_until(lambda: (stack.client.call(call_id) or {}).get("muted"), 10, stack.why)
        assert stack.client.request("POST", f"/v1/calls/{call_id}/hangup")[0] == 200
        wait_until(lambda: sipp.saw("BYE "), 10, sipp.tail)
    finally:
        sipp.stop()


def test_a_call_survives_an_rdp_disconnect_and_the_app_resyncs(
    stack: Stack, tmp_path: Path
) -> None:
    sipp = SippUas(tmp_path)
    try:
        _, body = stack.client.request("POST", "/v1/calls", {"to": sipp.uri})
        call_id = body["call_id"]
        wait_until(lambda: connected(stack, call_id), 15, sipp.tail)
        assert stack.client.request("POST", f"/v1/calls/{call_id}/mute")[0] == 200
        wait_until(lambda: (stack.client.call(call_id) or {}).get("muted"), 10, stack.why)
        stack.harness.client.disconnect()  # the relay dies with FreeRDP
        wait_until(lambda: stack.link()["state"] != "connected", 8, stack.why)
        time.sleep(1.0)
        assert not sipp.saw("BYE "), "the adapter hung up when the session went away"
        started = time.monotonic()
        stack.harness.client.connect()
        wait_until(lambda: stack.link()["state"] == "connected", 20, stack.why)
        resync_s = time.monotonic() - started
        call = stack.client.call(call_id)
        assert call is not None, stack.client.session()["calls"]
        assert call["state"] == "connected" and call["muted"], call
        assert resync_s < 10.0
        assert stack.client.request("POST", f"/v1/calls/{call_id}/hangup")[0] == 200
        wait_until(lambda: sipp.saw("BYE "), 10, sipp.tail)
    finally:
        sipp.stop()


def test_a_dead_adapter_is_reported_then_restarted_by_the_relay(stack: Stack) -> None:
    first = stack.adapter_pid()
    assert first is not None
    os.kill(first, signal.SIGKILL)
    killed = time.monotonic()
    wait_until(lambda: stack.link()["state"] != "connected", 10, stack.why)
    assert time.monotonic() - killed < 6.0  # heartbeat bound (3 s without a word) plus slack
    # The app reopens; the relay finds nothing on the socket and starts a new adapter.
    wait_until(lambda: stack.link()["state"] == "connected", 45, stack.why)
    assert stack.adapter_pid() not in (None, first)
