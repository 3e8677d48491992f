"""Real processes for the app's integration tests: the adapter, sipp, the softphone itself."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Proc:
    """A child in its own process group, stopped by PID (group) on exit."""

    def __init__(self, args: list[str], log: Path, env: dict[str, str] | None = None) -> None:
        self.log = log
        self._file = log.open("wb")
        self.popen = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=self._file,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )

    def readline(self, timeout: float = 15.0) -> str:
        """One line of stdout, failing the test if none comes in time."""
        assert self.popen.stdout is not None
        os.set_blocking(self.popen.stdout.fileno(), False)
        deadline = time.monotonic() + timeout
        buf = b""
        while time.monotonic() < deadline:
            chunk = self.popen.stdout.readline()
            buf += chunk or b""
            if buf.endswith(b"\n"):
                return buf.decode().strip()
            if self.popen.poll() is not None and not chunk:
                break
            time.sleep(0.02)
        raise AssertionError(f"no output from {self.popen.args[:3]}; log: {self.tail()}")

    def tail(self, chars: int = 2000) -> str:
        self._file.flush()
        return self.log.read_text(errors="replace")[-chars:]

    def stop(self, timeout: float = 10.0) -> int | None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(5)
        self._file.close()
        return self.popen.returncode


def start_adapter(tmp: Path) -> tuple[Proc, Path]:
    sock = tmp / "adapter.sock"
    args = [sys.executable, "-m", "vdi_adapter.cli", "--unix", str(sock), "--audio", "null"]
    proc = Proc([*args, "--log-level", "warning"], tmp / "adapter.log")
    wait_until(sock.exists, 20, proc.tail)
    return proc, sock


def start_softphone(tmp: Path, *args: str) -> tuple[Proc, int, str]:
    token_file = tmp / "connector.token"
    proc = Proc(
        [
            sys.executable,
            "-m",
            "app_layer.cli",
            "--headless",
            "--connector-port",
            "0",
            *args,
            "--token-file",
            str(token_file),
        ],
        tmp / "softphone.log",
        env={"XDG_CONFIG_HOME": str(tmp / "config")},
    )
    line = proc.readline()
    assert line.startswith("connector listening on http://127.0.0.1:"), line
    return proc, int(line.rsplit(":", 1)[1]), token_file.read_text().strip()


def start_sipp_uas(tmp: Path, port: int, calls: int = 1) -> Proc:
    args = ["sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", str(port), "-m", str(calls)]
    args += ["-trace_msg", "-message_file", str(tmp / "uas.msg"), "-nostdin"]
    return Proc(args, tmp / "sipp.log")


def wait_until(predicate: Callable[[], Any], timeout: float, why: Callable[[], str]) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout} s: {why()}")


class Client:
    """A desktop application calling the connector."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.token = token

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            data = None if body is None else json.dumps(body)
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            return response.status, json.loads(payload) if payload else None
        finally:
            conn.close()

    def session(self) -> dict[str, Any]:
        status, body = self.request("GET", "/v1/session")
        assert status == 200, body
        return body  # type: ignore[no-any-return]

    def call(self, call_id: str) -> dict[str, Any] | None:
        return next((c for c in self.session()["calls"] if c["id"] == call_id), None)
