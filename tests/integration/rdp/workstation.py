"""The two ends the RDP tests hold: a stand-in adapter socket and the in-session probe.

``AdapterSocket`` listens where the relay connects (the adapter service's Unix
socket) and echoes, collects or echoes whole frames, recording what it saw.
``ProbeClient`` drives ``session_probe.py`` inside the xrdp session. ``rdp_bed``
brings up the harness with both and stops everything on the way out. For the
product tests: ``ConnectorClient`` (the app's connector API) and ``SippUas``.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from protocol.framing import FrameDecoder, encode_frame
from simulator.connector_client import BlockingConnectorClient as ConnectorClient
from simulator.processes import wait_until
from simulator.sipp import SippUas, free_port
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


# The product tests' tools live with QA's simulator; these names stay for the RDP tests.

__all__ = [
    "PROBE", "AdapterSocket", "ConnectorClient", "ProbeClient", "SippUas",
    "free_port", "rdp_bed", "relay_command", "wait_for_probe", "wait_until",
]  # fmt: skip
