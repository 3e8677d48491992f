"""The FreeRDP-side relay: its deframer, and the real program between pipes and a socket."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from vdi_adapter.rdp_relay import Rdp2tcpDeframer, RelayError


def prefixed(*payloads: bytes) -> bytes:
    return b"".join(struct.pack("<I", len(p)) + p for p in payloads)


def test_deframer_strips_prefixes_across_any_split() -> None:
    stream = prefixed(b"one", b"", b"three" * 1000)
    for cut in (1, 2, 5, 7, 100, len(stream)):
        deframer = Rdp2tcpDeframer()
        out = []
        for i in range(0, len(stream), cut):
            out += deframer.feed(stream[i : i + cut])
        assert out == [b"one", b"", b"three" * 1000]
        assert deframer.buffered == 0


def test_deframer_holds_an_incomplete_message() -> None:
    deframer = Rdp2tcpDeframer()
    assert deframer.feed(prefixed(b"abcdef")[:7]) == []
    assert deframer.buffered == 7


def test_deframer_refuses_an_absurd_length() -> None:
    with pytest.raises(RelayError, match="announced a 4294967295-byte message"):
        Rdp2tcpDeframer().feed(b"\xff\xff\xff\xff")


class Service:
    """A stand-in adapter service: records what it gets, can send and hang up."""

    def __init__(self, path: Path) -> None:
        self.received = bytearray()
        self.conn: socket.socket | None = None
        self.closed = threading.Event()
        self.connected = threading.Event()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        self.listener.listen(1)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            self.conn, _ = self.listener.accept()
            self.connected.set()
            while data := self.conn.recv(65536):
                self.received += data
        self.closed.set()

    def wait_received(self, size: int) -> bytes:
        deadline = time.monotonic() + 5
        while len(self.received) < size and time.monotonic() < deadline:
            time.sleep(0.01)
        return bytes(self.received)

    def stop(self) -> None:
        self.listener.close()
        if self.conn:
            self.conn.close()


@pytest.fixture
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="relay-test-") as name:
        path = Path(name)
        path.chmod(0o700)
        yield path


def start_relay(socket_path: Path, *extra: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "vdi_adapter.rdp_relay", "--socket", str(socket_path)]
    return subprocess.Popen(
        [*command, *extra],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


@contextlib.contextmanager
def relay_to(folder: Path) -> Iterator[tuple[subprocess.Popen[bytes], Service]]:
    service = Service(folder / "adapter.sock")
    relay = start_relay(folder / "adapter.sock")
    try:
        assert service.connected.wait(10), "the relay did not connect"
        yield relay, service
    finally:
        service.stop()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(relay.pid, signal.SIGKILL)
        relay.wait(5)
        for pipe in (relay.stdin, relay.stdout, relay.stderr):
            with contextlib.suppress(OSError, ValueError):
                pipe.close()  # type: ignore[union-attr]


def test_channel_messages_reach_the_service_without_prefixes(folder: Path) -> None:
    with relay_to(folder) as (relay, service):
        assert relay.stdin is not None
        messages = [b"hello", os.urandom(1600), os.urandom(20000)]
        relay.stdin.write(prefixed(*messages))
        relay.stdin.flush()
        assert service.wait_received(21605) == b"".join(messages)


def test_service_bytes_reach_stdout_raw_and_nothing_else_does(folder: Path) -> None:
    with relay_to(folder) as (relay, service):
        assert service.conn is not None and relay.stdin is not None
        service.conn.sendall(b"SP\x01\x00raw frame bytes")
        service.conn.shutdown(socket.SHUT_RDWR)  # the service goes away: the relay must exit
        assert relay.stdout is not None and relay.stderr is not None
        out = relay.stdout.read()  # to end of file: the relay closed its stdout
        assert relay.wait(5) == 0
        err = relay.stderr.read()
    assert out == b"SP\x01\x00raw frame bytes", err
    assert b"adapter service closed" in err


def test_exits_cleanly_when_freerdp_closes_the_channel(folder: Path) -> None:
    with relay_to(folder) as (relay, service):
        assert relay.stdin is not None
        relay.stdin.write(prefixed(b"last words"))
        relay.stdin.close()
        assert relay.wait(5) == 0
        assert service.closed.wait(5)
        assert bytes(service.received) == b"last words"


def test_without_service_or_start_command_it_says_so(folder: Path) -> None:
    relay = start_relay(folder / "adapter.sock", "--start-command", "")
    out, err = relay.communicate(timeout=10)
    assert relay.returncode == 1
    assert out == b""
    assert b"no adapter service answers on" in err


def test_starts_the_service_when_nothing_answers(folder: Path) -> None:
    path = folder / "adapter.sock"
    pid_file = folder / "service.pid"
    script = folder / "service.py"
    script.write_text(
        textwrap.dedent(f"""
            import os, socket
            open({str(pid_file)!r}, "w").write(str(os.getpid()))
            s = socket.socket(socket.AF_UNIX); s.bind({str(path)!r}); s.listen(1)
            c, _ = s.accept(); c.sendall(b"adapter up"); c.recv(1)
        """)
    )
    relay = start_relay(path, "--start-command", f"{sys.executable} {script}")
    try:
        assert relay.stdout is not None
        assert relay.stdout.read(10) == b"adapter up"
    finally:
        relay.kill()
        relay.communicate(timeout=5)
        with contextlib.suppress(FileNotFoundError, ProcessLookupError, ValueError):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)


def test_refuses_a_socket_owned_by_another_user(folder: Path) -> None:
    service = Service(folder / "adapter.sock")
    try:
        os.chown(folder / "adapter.sock", 65534, 65534)
        relay = start_relay(folder / "adapter.sock")
        out, err = relay.communicate(timeout=10)
    finally:
        service.stop()
    assert relay.returncode == 1
    assert out == b""
    assert b"belongs to uid 65534" in err
    assert not service.connected.is_set()


def test_refuses_a_folder_others_can_write(folder: Path) -> None:
    service = Service(folder / "adapter.sock")
    try:
        folder.chmod(0o777)
        relay = start_relay(folder / "adapter.sock")
        out, err = relay.communicate(timeout=10)
    finally:
        folder.chmod(0o700)
        service.stop()
    assert relay.returncode == 1
    assert out == b""
    assert b"writable by other users" in err


def test_a_corrupt_length_prefix_ends_the_relay_with_a_reason(folder: Path) -> None:
    with relay_to(folder) as (relay, service):
        assert relay.stdin is not None
        relay.stdin.write(b"\x00\x00\x00\x7f")
        relay.stdin.flush()
        assert relay.wait(5) == 0
        assert relay.stderr is not None
        assert b"announced a 2130706432-byte message" in relay.stderr.read()
        assert service.closed.wait(5)
