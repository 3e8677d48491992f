"""The two ends the RDP tests hold: a stand-in adapter socket and the in-session probe.

``AdapterSocket`` listens where the relay connects (the adapter service's Unix
socket) and echoes, collects or echoes whole frames, recording what it saw.
``ProbeClient`` drives ``session_probe.py`` inside the xrdp session. ``rdp_bed``
brings up the harness with both and stops everything on the way out. For the
product tests: ``ConnectorClient`` (the app's connector API) and ``SippUas``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from protocol.framing import FrameDecoder, encode_frame
from tests.support.rdp_harness import RdpHarness, rdp_harness

PROBE = Path(__file__).with_name("session_probe.py")


class AdapterSocket:
    """A Unix socket server on the workstation side, in place of the adapter service."""

    def __init__(self, mode: str = "echo") -> None:
        self.mode = mode
        self.dir = Path(tempfile.mkdtemp(prefix="softphone-adapter-"))
        self.path = self.dir / "adapter.sock"
        self.received = bytearray()
        self.accepted = 0
        self.ended = 0
        self._changed = threading.Condition()
        self._connections: list[socket.socket] = []
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(self.path))
        self._listener.listen(4)
        threading.Thread(target=self._accept, daemon=True).start()

    def send(self, data: bytes) -> None:
        """Send bytes towards the session on the newest relay connection."""
        self._connections[-1].sendall(data)

    def wait(self, what: str, ready: Any, timeout: float = 10.0) -> None:
        with self._changed:
            if not self._changed.wait_for(ready, timeout):
                raise AssertionError(f"timed out waiting for {what}")

    def stop(self) -> None:
        self._listener.close()
        for conn in self._connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        self.path.unlink(missing_ok=True)
        self.dir.rmdir()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self._listener.accept()
                with self._changed:
                    self._connections.append(conn)
                    self.accepted += 1
                    self._changed.notify_all()
                threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        decoder = FrameDecoder()
        with contextlib.suppress(OSError):
            while data := conn.recv(65536):
                if self.mode == "echo":
                    conn.sendall(data)
                elif self.mode == "framed-echo":
                    for payload in decoder.feed(data):
                        conn.sendall(encode_frame(payload))
                with self._changed:
                    self.received += data
                    self._changed.notify_all()
        with self._changed:
            self.ended += 1
            self._changed.notify_all()


class ProbeClient:
    """JSON-lines control of the in-session probe."""

    def __init__(self, path: Path, timeout: float = 30.0) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(str(path))
        self.lines = self.sock.makefile("rb")

    def call(self, op: str, **args: Any) -> dict[str, Any]:
        self.sock.sendall(json.dumps({"op": op, **args}).encode() + b"\n")
        line = self.lines.readline()
        if not line:
            raise AssertionError(f"the session probe went away during {op}")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def close(self) -> None:
        self.lines.close()
        self.sock.close()


def relay_command(socket_path: Path) -> list[str]:
    return [sys.executable, "-m", "vdi_adapter.rdp_relay", "--socket", str(socket_path)]


def wait_for_probe(harness: RdpHarness, timeout: float = 30.0) -> ProbeClient:
    """Wait until the session program listens, then connect to it."""
    path = harness.session_dir / "probe.sock"
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"the session did not start its program\n{harness.logs()}")
        time.sleep(0.05)
    return ProbeClient(path)


@contextlib.contextmanager
def rdp_bed(mode: str = "echo") -> Iterator[tuple[RdpHarness, AdapterSocket, ProbeClient]]:
    """xrdp + FreeRDP + relay + probe, all up; everything stopped afterwards."""
    adapter = AdapterSocket(mode)
    try:
        probe_argv = [str(PROBE), "{session_dir}/probe.sock"]
        with rdp_harness(probe_argv, relay_command(adapter.path)) as harness:
            probe = wait_for_probe(harness)
            try:
                yield harness, adapter, probe
            finally:
                with contextlib.suppress(OSError, AssertionError):
                    probe.call("exit")
                probe.close()
    finally:
        adapter.stop()


# ---------------------------------------------------------------- product tests
def wait_until(predicate: Callable[[], Any], timeout: float, why: Callable[[], str]) -> Any:
    """Poll ``predicate`` until it returns something true; fail with ``why()`` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout} s: {why()}")


def free_port(kind: socket.SocketKind = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ConnectorClient:
    """A desktop application calling the phone's connector API (in the session)."""

    def __init__(self, port: int, token: str = "") -> None:
        self.port = port
        self.token = token

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            data = None if body is None else json.dumps(body)
            conn.request(method, path, data, {"Authorization": f"Bearer {self.token}"})
            response = conn.getresponse()
            payload = response.read()
            return response.status, json.loads(payload) if payload else None
        finally:
            conn.close()

    def session(self) -> dict[str, Any]:
        status, body = self.request("GET", "/v1/session")
        assert status == 200, body
        return dict(body)

    def call(self, call_id: str) -> dict[str, Any] | None:
        return next((c for c in self.session()["calls"] if c["id"] == call_id), None)

    def link_state(self) -> str:
        """The app's link state, or "" while the connector does not answer yet."""
        try:
            return str(self.session()["link"]["state"])
        except OSError:
            return ""


class SippUas:
    """sipp answering calls on 127.0.0.1, tracing every message to ``folder/uas.msg``."""

    def __init__(self, folder: Path, calls: int = 1, scenario: Path | None = None) -> None:
        self.port = free_port(socket.SOCK_DGRAM)
        self.trace = folder / "uas.msg"
        self.log = folder / "sipp.log"
        role = ["-sf", str(scenario)] if scenario else ["-sn", "uas"]
        args = ["sipp", *role, "-i", "127.0.0.1", "-p", str(self.port), "-m", str(calls)]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [*args, "-trace_msg", "-message_file", str(self.trace), "-nostdin"],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip

    @property
    def uri(self) -> str:
        return f"sip:agent@127.0.0.1:{self.port}"

    def saw(self, start: str) -> bool:
        """True once sipp sent or received a message whose first line starts so."""
        return any(line.startswith(start) for line in self.lines())

    def lines(self) -> list[str]:
        return self.trace.read_text(errors="replace").splitlines() if self.trace.exists() else []

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-1500:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
