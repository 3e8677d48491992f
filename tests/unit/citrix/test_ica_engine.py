"""The SOFTPH driver in the ICA engine emulator, with the emulated VDA's WFAPI on one side and
a stand-in adapter socket on the other: bytes, reconnects, limits and every misuse."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from protocol.vchannel.capi import NativeChannel
from protocol.vchannel.citrix import load_library_file
from protocol.vchannel.pipe import VirtualChannelUnavailable
from simulator.ica_engine import WFAPI, WIN64_DRIVER, IcaEngine, Wine
from simulator.ica_engine.adapter_standin import EchoAdapter

SECRET = b"sip-password-Zq9xWv"  # must never reach the driver's log


@dataclass
class Bed:
    folder: Path
    socket: Path
    adapter: EchoAdapter
    engine: IcaEngine

    @property
    def log(self) -> str:
        path = self.folder / "driver.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def open(self) -> NativeChannel:
        os.environ["SOFTPHONE_ICA_ENGINE"] = f"127.0.0.1:{self.engine.port}"
        return load_library_file(str(WFAPI)).open("SOFTPH")

    def wait_log(self, text: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log:
            assert time.monotonic() < deadline, f"driver log never said {text!r}:\n{self.log}"
            time.sleep(0.05)


def private_folder(tmp_path: Path) -> tuple[Path, Path]:
    tmp_path.chmod(0o700)
    (tmp_path / "softphone").mkdir(mode=0o700)
    return tmp_path, tmp_path / "softphone" / "adapter.sock"


def driver_env(folder: Path, sock: Path, start: str = "/bin/false") -> dict[str, str]:
    return {
        "SOFTPHONE_ADAPTER_SOCKET": str(sock),
        "SOFTPHONE_DRIVER_LOG": str(folder / "driver.log"),
        "SOFTPHONE_ADAPTER_START": start,
    }


@pytest.fixture
def bed(tmp_path: Path) -> Iterator[Bed]:
    folder, sock = private_folder(tmp_path)
    adapter = EchoAdapter(sock)
    engine = IcaEngine(env=driver_env(folder, sock)).start()
    try:
        yield Bed(folder, sock, adapter, engine)
    finally:
        engine.stop()
        adapter.stop()


def read_exactly(channel: NativeChannel, size: int, timeout: float = 10.0) -> bytes:
    got = b""
    deadline = time.monotonic() + timeout
    while len(got) < size:
        assert time.monotonic() < deadline, f"read {len(got)} of {size} bytes"
        chunk = channel.read(200)
        assert chunk != b"", "the channel closed"
        got += chunk or b""
    return got


def test_bytes_cross_unchanged_both_ways_and_the_driver_connects_only_once_spoken_to(
    bed: Bed,
) -> None:
    channel = bed.open()
    time.sleep(0.5)
    assert bed.adapter.accepted == 0, "the driver connected before the session spoke"
    payload = SECRET + os.urandom(200_000)  # many ICA packets each way
    channel.write(payload)
    assert read_exactly(channel, len(payload)) == payload
    assert bytes(bed.adapter.received) == payload
    assert bed.adapter.accepted == 1
    channel.close()
    assert "channel SOFTPH open as number 13, writes of up to 1599 bytes" in bed.log
    assert SECRET.decode() not in bed.log


def test_after_the_adapter_closes_the_next_write_reconnects(bed: Bed) -> None:
    channel = bed.open()
    channel.write(b"first")
    assert read_exactly(channel, 5) == b"first"
    bed.adapter.drop_connections()
    bed.wait_log("the adapter service closed the connection")
    channel.write(b"second")
    assert read_exactly(channel, 6) == b"second"
    assert bed.adapter.accepted == 2


def test_a_cut_unloads_the_driver_and_a_reconnect_loads_a_fresh_one(bed: Bed) -> None:
    channel = bed.open()
    channel.write(b"before")
    assert read_exactly(channel, 6) == b"before"
    bed.engine.cut()
    assert bed.engine.saw("unloaded")
    assert channel.read(500) == b"", "the session side did not see the cut"
    with pytest.raises(VirtualChannelUnavailable):
        bed.open()  # no driver between cut and reconnect
    assert "ok=1" in bed.engine.reconnect()
    again = bed.open()
    again.write(b"after")
    assert read_exactly(again, 5) == b"after"
    assert bed.log.count("loaded (channel SOFTPH)") == 2
    assert "session closed: 6 bytes passed to the adapter, 6 to the session" in bed.log


def test_writes_follow_a_smaller_announced_maximum(bed: Bed) -> None:
    bed.engine.set_max_packet(64)
    bed.engine.cut()
    bed.engine.reconnect()
    channel = bed.open()
    payload = os.urandom(20_000)
    channel.write(payload)
    assert read_exactly(channel, len(payload)) == payload
    assert bed.engine.stats()["oversize"] == 0
    assert "writes of up to 63 bytes" in bed.log


def test_a_session_that_does_not_read_gets_backpressure_and_loses_nothing(bed: Bed) -> None:
    channel = bed.open()
    channel.write(b"x")
    bed.adapter.wait("the first byte", lambda: bed.adapter.received == b"x")
    payload = os.urandom(8_000_000)  # far more than the engine's queue to the session holds
    sender = threading.Thread(target=bed.adapter.send, args=(payload,), daemon=True)
    sender.start()
    deadline = time.monotonic() + 10
    while bed.engine.stats()["no_outbuf"] == 0:
        assert time.monotonic() < deadline, "the engine never refused a write"
        time.sleep(0.1)
    assert read_exactly(channel, 1 + len(payload), timeout=60) == b"x" + payload
    sender.join(10)


def test_nothing_answering_starts_the_adapter_and_says_so(tmp_path: Path) -> None:
    folder, sock = private_folder(tmp_path)
    script = folder / "start-adapter.sh"
    standin = Path(__file__).with_name("echo_service.py")
    script.write_text(f"#!/bin/sh\nexec {sys.executable} {standin} {sock} {folder}/standin.pid\n")
    script.chmod(0o755)
    engine = IcaEngine(env=driver_env(folder, sock, start=str(script))).start()
    bed = Bed(folder, sock, None, engine)  # type: ignore[arg-type]
    try:
        channel = bed.open()
        channel.write(b"hello")  # waits in the driver while the service starts
        assert read_exactly(channel, 5) == b"hello"
        assert f"started the adapter service: {script}" in bed.log
    finally:
        engine.stop()
        pid_file = folder / "standin.pid"
        if pid_file.exists():
            os.kill(int(pid_file.read_text()), 15)


def test_no_adapter_at_all_is_logged_and_the_bytes_dropped(tmp_path: Path) -> None:
    folder, sock = private_folder(tmp_path)
    engine = IcaEngine(env=driver_env(folder, sock, start="/bin/false")).start()
    bed = Bed(folder, sock, None, engine)  # type: ignore[arg-type]
    try:
        channel = bed.open()
        channel.write(b"anyone?")
        bed.wait_log(f"nothing answers on {sock}")
        bed.wait_log("started the adapter service: /bin/false")
        bed.wait_log("did not answer within 15 s", timeout=25)
        assert engine.alive()
    finally:
        engine.stop()


@pytest.mark.parametrize("owner", ["socket", "folder-writable"])
def test_an_adapter_socket_another_user_controls_is_refused(tmp_path: Path, owner: str) -> None:
    folder, sock = private_folder(tmp_path)
    adapter = EchoAdapter(sock)
    if owner == "socket":
        os.chown(sock, 65534, 65534)  # as if "nobody" listened there
        expected = f"{sock} belongs to uid 65534, not to us; refusing it"
    else:
        sock.parent.chmod(0o777)
        expected = f"{sock.parent} is writable by other users; refusing it"
    engine = IcaEngine(env=driver_env(folder, sock)).start()
    bed = Bed(folder, sock, adapter, engine)
    try:
        channel = bed.open()
        channel.write(SECRET)
        bed.wait_log(expected)
        time.sleep(0.3)
        assert adapter.accepted == 0 and not adapter.received
        assert engine.alive()
    finally:
        engine.stop()
        adapter.stop()


@pytest.mark.parametrize(
    ("case", "logged"),
    [
        ("close-twice", "DriverClose on a channel that is not open; nothing to do"),
        ("data-before-open", "16 bytes arrived while the channel is not open; ignored"),
        ("oversize", "a 1700-byte packet from the session exceeds the announced maximum of 1599"),
        ("garbage", "data for channel 14 (ours is 13, buffer given); ignored"),
        ("unknown-info", ""),
        ("null", "DriverPoll called with a control block this driver did not make; ignored"),
    ],
)
def test_misuse_by_the_engine_is_logged_and_the_channel_still_works(
    bed: Bed, case: str, logged: str
) -> None:
    channel = bed.open()
    channel.write(b"ping")
    assert read_exactly(channel, 4) == b"ping"
    outcome = bed.engine.misbehave(case)
    assert "reloaded=0" not in outcome, outcome
    if logged:
        bed.wait_log(logged)
    # A reloaded driver serves the same session: the app's handle stays good.
    before = len(bed.adapter.received)
    channel.write(b"still here")
    deadline = time.monotonic() + 10
    while b"still here" not in bytes(bed.adapter.received[before:]):
        assert time.monotonic() < deadline, bytes(bed.adapter.received[-64:])
        time.sleep(0.05)
    assert bed.engine.alive()
    assert bed.engine.stats()["wrong_thread"] == 0


def test_the_windows_driver_runs_in_the_windows_engine_under_wine(tmp_path: Path) -> None:
    folder, _ = private_folder(tmp_path)
    endpoint = folder / "adapter.endpoint"
    adapter = EchoAdapter(endpoint_file=endpoint)
    wine = Wine()
    env = {
        "SOFTPHONE_ADAPTER_ENDPOINT": Wine.path(endpoint),
        "SOFTPHONE_DRIVER_LOG": Wine.path(folder / "driver.log"),
        "SOFTPHONE_ADAPTER_START": "cmd /c exit 1",
    }
    engine = IcaEngine(driver=WIN64_DRIVER, env=env, wine=wine)
    try:
        engine.start(timeout=120)
        bed = Bed(folder, folder / "unused", adapter, engine)
        channel = bed.open()
        payload = SECRET + os.urandom(50_000)
        channel.write(payload)
        assert read_exactly(channel, len(payload), timeout=30) == payload
        assert adapter.accepted == 1 and adapter.refused_prefaces == 0
        assert "channel SOFTPH open as number 13" in bed.log
        assert SECRET.decode() not in bed.log
    finally:
        engine.stop()
        adapter.stop()
        wine.close()
