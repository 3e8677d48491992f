"""The RDP virtual channel end to end: real xrdp, real FreeRDP, our relay and WTS backend.

One xrdp session for the module: the probe runs inside it (RDP alternate shell)
and opens the ``rdp2tcp`` static channel through ``protocol.vchannel.wts``;
FreeRDP starts ``vdi_adapter.rdp_relay``, which connects to the test's socket in
place of the adapter service. Assertions are on what each far end received.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.rdp.workstation import AdapterSocket, ProbeClient, rdp_bed, relay_command
from tests.support.rdp_harness import RdpHarness, descendants

pytestmark = pytest.mark.integration

Bed = tuple[RdpHarness, AdapterSocket, ProbeClient]


@pytest.fixture(scope="module")
def bed() -> Iterator[Bed]:
    with rdp_bed() as (harness, adapter, probe):
        reply = probe.call("reopen", timeout=20.0)
        assert reply.get("ok"), f"{reply}\n{harness.logs()}"
        yield harness, adapter, probe


@pytest.fixture
def echo(bed: Bed) -> Iterator[Bed]:
    _, adapter, _ = bed
    adapter.mode = "echo"
    yield bed
    adapter.mode = "echo"


def test_open_reports_rdp_static_channel(bed: Bed) -> None:
    _, _, probe = bed
    reply = probe.call("open")
    assert reply == {"ok": True, "max_write": 1600, "kind": "rdp"}


def test_session_writes_reach_the_adapter_socket_unprefixed(echo: Bed) -> None:
    _, adapter, probe = echo
    adapter.mode = "collect"
    before = len(adapter.received)
    messages = [b"first", b"second message", os.urandom(700)]
    for message in messages:
        assert probe.call("write", data=message.hex()) == {"ok": True}
    expected = b"".join(messages)
    adapter.wait("session bytes", lambda: len(adapter.received) >= before + len(expected))
    assert bytes(adapter.received[before:]) == expected


def test_adapter_bytes_reach_the_session_raw(echo: Bed) -> None:
    _, adapter, probe = echo
    adapter.mode = "collect"
    data = b"event from the workstation " + os.urandom(3000)
    adapter.send(data)
    reply = probe.call("read_exact", size=len(data), timeout=5.0)
    assert bytes.fromhex(reply["data"]) == data
    assert not reply.get("eof") and not reply.get("timeout")


@pytest.mark.parametrize("size", [1, 1599, 1600, 1601, 65_000])
def test_messages_split_at_1600_bytes_round_trip(echo: Bed, size: int) -> None:
    _, _, probe = echo
    data = os.urandom(size)
    assert probe.call("write", data=data.hex()) == {"ok": True}
    reply = probe.call("read_exact", size=size, timeout=10.0)
    assert bytes.fromhex(reply["data"]) == data


def test_framed_envelopes_round_trip(echo: Bed) -> None:
    _, adapter, probe = echo
    adapter.mode = "framed-echo"
    reply = probe.call("framed_rtt", count=20, size=3000)
    assert "error" not in reply, reply
    assert len(reply["rtts_ms"]) == 20


def test_raw_round_trip_is_fast(echo: Bed) -> None:
    _, _, probe = echo
    rtts = sorted(probe.call("rtt", size=64, count=100)["rtts_ms"])
    assert rtts[50] < 5.0, f"median round trip {rtts[50]:.2f} ms"


def test_client_disconnect_closes_channel_then_reopen_works(echo: Bed) -> None:
    harness, adapter, probe = echo
    relays = _relay_pids(harness)
    assert relays, "FreeRDP did not start the relay"
    ended = adapter.ended
    harness.client.disconnect()
    # The relay dies with the client and its socket to the adapter closes.
    adapter.wait("relay to close its socket", lambda: adapter.ended > ended)
    assert not [pid for pid in relays if _alive(pid)]
    # In the session: the handle reads nothing; writing (a heartbeat) soon fails with
    # ChannelClosed, and from then on reads give end-of-stream.
    assert probe.call("read_exact", size=1, timeout=1.0) == {"timeout": True, "data": ""}
    closed = probe.call("write_until_closed", timeout=5.0)
    assert closed["closed"], closed
    assert probe.call("read_exact", size=1, timeout=2.0) == {"data": "", "eof": True}
    assert probe.call("write", data="00")["error"] == "ChannelClosed"
    probe.call("close")
    started = time.monotonic()
    harness.client.connect()
    reply = probe.call("reopen", timeout=20.0)
    assert reply.get("ok"), f"{reply}\n{harness.logs()}"
    assert time.monotonic() - started < 10.0
    data = os.urandom(5000)
    probe.call("write", data=data.hex())
    assert bytes.fromhex(probe.call("read_exact", size=5000)["data"]) == data


def _alive(pid: int) -> bool:
    """True for a running process (a zombie has exited, it only awaits its parent)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _relay_pids(harness: RdpHarness) -> list[int]:
    assert harness.client.freerdp is not None
    pids = []
    for pid in descendants(harness.client.freerdp.pid):
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        if b"vdi_adapter.rdp_relay" in cmdline:
            pids.append(pid)
    return pids


def test_an_app_restart_in_the_session_gets_a_fresh_adapter_session(echo: Bed) -> None:
    """The app dies and starts again while the client stays: FreeRDP keeps the same
    relay, whose adapter connection carried the old session; the relay connects
    again once the adapter drops it, and the new app gets a session."""
    harness, _, probe = echo
    folder = Path(tempfile.mkdtemp(prefix="softphone-adapter-"))
    sock = folder / "adapter.sock"
    log = folder / "adapter.log"
    adapter = _start_adapter(sock, log)
    try:
        harness.client.disconnect()
        harness.client.relay_command = relay_command(sock)
        harness.client.connect()
        probe.call("close")
        for _ in range(2):
            assert probe.call("link_start") == {"ok": True}
            reply = probe.call("link_wait", connects=1, timeout=20.0)
            assert reply.get("ok"), f"{reply}\n{log.read_text()}"
            assert "rtts_ms" in probe.call("link_rtt", count=5, command="snapshot")
            probe.call("link_abandon")  # no Goodbye: the app just dies
        assert log.read_text().count("app session from") >= 2
    finally:
        adapter.send_signal(signal.SIGTERM)
        try:
            adapter.wait(10)
        except subprocess.TimeoutExpired:
            adapter.kill()
            adapter.wait(5)
        shutil.rmtree(folder, ignore_errors=True)


def _start_adapter(sock: Path, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "vdi_adapter.cli", "--unix", str(sock), "--audio", "null"]
    with log.open("wb") as out:
        adapter = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while not sock.exists():
        assert adapter.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)
    return adapter
