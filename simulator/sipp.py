"""sipp as the far end of the product's calls: a UAS on 127.0.0.1 tracing every message."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
from datetime import datetime
from pathlib import Path


def free_port(kind: socket.SocketKind = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


def invite_times(trace: Path) -> list[float]:
    """Wall-clock times at which sipp logged each INVITE it received."""
    times: list[float] = []
    stamp_s = 0.0
    if not trace.exists():
        return times
    for line in trace.read_text(errors="replace").splitlines():
        if line.startswith("-----") and line.rstrip()[-1].isdigit():
            stamp = line.rstrip().rsplit(" ", 2)[-2:]
            stamp_s = datetime.strptime(" ".join(stamp), "%Y-%m-%d %H:%M:%S.%f").timestamp()
        elif line.startswith("INVITE "):
            times.append(stamp_s)
    return times
