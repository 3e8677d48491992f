"""The FreeRDP-side relay: its deframer, and the real program between pipes and a socket."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
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
    """A stand-in adapter service: records what it gets, can greet, send and hang up."""

    def __init__(self, path: Path, greeting: bytes = b"") -> None:
        self.greeting = greeting
        self.received = bytearray()
        self.conns: list[socket.socket] = []
        self.ended = 0
        self.changed = threading.Condition()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        self.listener.listen(4)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.listener.accept()
                threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            if self.greeting:
                conn.sendall(self.greeting)
            while data := conn.recv(65536):
                with self.changed:
                    if conn not in self.conns:
                        self.conns.append(conn)  # a connection that carried data
                    self.received += data
                    self.changed.notify_all()
        with self.changed:
            self.ended += 1
            self.changed.notify_all()

    def wait(self, what: str, ready: Callable[[], object], timeout: float = 5.0) -> None:
        with self.changed:
            assert self.changed.wait_for(ready, timeout), f"timed out waiting for {what}"

    def stop(self) -> None:
        self.listener.close()
        for conn in self.conns:
            conn.close()


Relay = subprocess.Popen[bytes]


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


def stop_relay(relay: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(relay.pid, signal.SIGKILL)
    relay.wait(5)
    for pipe in (relay.stdin, relay.stdout, relay.stderr):
        with contextlib.suppress(OSError, ValueError):
            pipe.close()  # type: ignore[union-attr]


def send(relay: subprocess.Popen[bytes], *payloads: bytes) -> None:
    """Write to the relay's stdin as FreeRDP does (length-prefixed messages)."""
    assert relay.stdin is not None
    relay.stdin.write(prefixed(*payloads))
    relay.stdin.flush()


def finish(relay: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """Close stdin as FreeRDP does on exit; return what the relay wrote."""
    out, err = relay.communicate(timeout=10)
    return out, err


def readable(relay: subprocess.Popen[bytes], timeout: float) -> bool:
    assert relay.stdout is not None
    return bool(select.select([relay.stdout], [], [], timeout)[0])


@contextlib.contextmanager
def relay_to(
    folder: Path, greeting: bytes = b""
) -> Iterator[tuple[subprocess.Popen[bytes], Service]]:
    service = Service(folder / "adapter.sock", greeting)
    relay = start_relay(folder / "adapter.sock")
    try:
        yield relay, service
    finally:
        service.stop()
        stop_relay(relay)


def test_channel_messages_reach_the_service_without_prefixes(folder: Path) -> None:
    with relay_to(folder) as (relay, service):
        messages = [b"hello", os.urandom(1600), os.urandom(20000)]
        send(relay, *messages)
        service.wait("messages", lambda: len(service.received) >= 21605)
        assert bytes(service.received) == b"".join(messages)


def test_nothing_reaches_stdout_before_the_session_speaks(folder: Path) -> None:
    # FreeRDP starts the relay before the channel is open; output then would kill its reader.
    with relay_to(folder, greeting=b"SP\x01\x00hello from the adapter") as (relay, service):
        assert not readable(relay, 0.7)
        send(relay, b"app hello")
        assert readable(relay, 5)
        assert relay.stdout is not None
        assert relay.stdout.read1(100) == b"SP\x01\x00hello from the adapter"  # type: ignore[attr-defined]
        # The greeting is sent as the service accepts; its list may be updated just after.
        service.wait("one connection", lambda: len(service.conns) == 1)


def test_service_bytes_reach_stdout_raw_and_nothing_else_does(folder: Path) -> None:
    with relay_to(folder) as (relay, service):
        send(relay, b"app hello")
        service.wait("the relay", lambda: service.conns)
        service.conns[0].sendall(b"SP\x01\x00raw frame bytes")
        time.sleep(0.2)
        out, err = finish(relay)
    assert out == b"SP\x01\x00raw frame bytes"
    assert relay.returncode == 0
    assert b"FreeRDP closed the channel" in err


def test_a_lost_service_connection_is_remade_on_the_next_message(folder: Path) -> None:
    with relay_to(folder) as (relay, service):
        send(relay, b"first session")
        service.wait("the relay", lambda: service.conns)
        service.conns[0].shutdown(socket.SHUT_RDWR)  # the adapter restarts
        service.wait("the relay to notice", lambda: service.ended >= 1)
        assert relay.poll() is None, "the relay must outlive its service connection"
        send(relay, b"second session")
        service.wait("a new connection", lambda: len(service.conns) == 2)
        service.wait("the message", lambda: service.received.endswith(b"second session"))


def test_exits_cleanly_when_freerdp_closes_the_channel(folder: Path) -> None:
    with relay_to(folder) as (relay, service):
        send(relay, b"last words")
        assert relay.stdin is not None
        relay.stdin.close()
        assert relay.wait(5) == 0
        service.wait("the relay to hang up", lambda: service.ended >= 1)
        assert bytes(service.received) == b"last words"


def test_without_service_or_start_command_it_says_so(folder: Path) -> None:
    relay = start_relay(folder / "adapter.sock", "--start-command", "")
    try:
        send(relay, b"app hello")
        out, err = finish(relay)
    finally:
        stop_relay(relay)
    assert relay.returncode == 0
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
        send(relay, b"app hello")
        assert relay.stdout is not None
        assert relay.stdout.read(10) == b"adapter up"
    finally:
        stop_relay(relay)
        with contextlib.suppress(FileNotFoundError, ProcessLookupError, ValueError):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)


def test_refuses_a_socket_owned_by_another_user(folder: Path) -> None:
    service = Service(folder / "adapter.sock")
    os.chown(folder / "adapter.sock", 65534, 65534)
    relay = start_relay(folder / "adapter.sock")
    try:
        send(relay, b"app hello")
        out, err = finish(relay)
    finally:
        service.stop()
        stop_relay(relay)
    assert out == b""
    assert b"belongs to uid 65534" in err
    assert not service.received


def test_refuses_a_folder_others_can_write(folder: Path) -> None:
    service = Service(folder / "adapter.sock")
    folder.chmod(0o777)
    relay = start_relay(folder / "adapter.sock")
    try:
        send(relay, b"app hello")
        out, err = finish(relay)
    finally:
        folder.chmod(0o700)
        service.stop()
        stop_relay(relay)
    assert out == b""
    assert b"writable by other users" in err
    assert not service.received


def test_a_corrupt_length_prefix_ends_the_relay_with_a_reason(folder: Path) -> None:
    with relay_to(folder) as (relay, _service):
        assert relay.stdin is not None
        relay.stdin.write(b"\x00\x00\x00\x7f")
        relay.stdin.flush()
        assert relay.wait(5) == 1
        assert relay.stderr is not None
        assert b"announced a 2130706432-byte message" in relay.stderr.read()
