"""QA's ICA engine emulator, driven from Python: start it by PID, cut and reconnect the session.

Theory of operation: ``ica-engine`` (``ica_engine.c``) loads our Citrix driver
the way Workspace app does and serves an emulated VDA session on a loopback TCP
port; ``libwfapi.so`` (``wfapi.c``) is that session's WFAPI, which the app
layer loads through ``SOFTPHONE_WFAPI_LIBRARY``. This module builds them when
needed (``make citrix``), starts the engine, reads its event lines on a thread
and sends it commands (``cut``, ``reconnect``, ``maxpacket N``,
``misbehave CASE``). ``session_env`` is what the app needs in its environment
to run "in a Citrix session" against it. Under Wine the same class runs the
Windows build with the Windows DLL.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build" / "citrix"
LINUX_DRIVER = BUILD / "linux-x64" / "VDSOFTPH.DLL"
WIN32_DRIVER = BUILD / "win32" / "vdsoftph.dll"
WIN64_DRIVER = BUILD / "win64" / "vdsoftph.dll"
ENGINE = BUILD / "emulator" / "linux-x64" / "ica-engine"
WFAPI = BUILD / "emulator" / "linux-x64" / "libwfapi.so"
WINDOWS_ENGINE = BUILD / "emulator" / "win64" / "ica-engine.exe"


class EmulatorError(Exception):
    """The emulator did not do what was asked, in words for a test failure."""


def ensure_built() -> None:
    """Build the driver and the emulator (a no-op when they are up to date)."""
    result = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "citrix"], capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise EmulatorError(f"make citrix failed:\n{result.stdout}{result.stderr}")


@dataclass
class Wine:
    """A private Wine prefix for running the Windows build (removed by ``close``)."""

    prefix: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="softphone-wine-")))

    def env(self) -> dict[str, str]:
        # No Mono or Gecko prompts: the emulator needs neither.
        overrides = "mscoree,mshtml="
        return {"WINEPREFIX": str(self.prefix), "WINEDEBUG": "-all", "WINEDLLOVERRIDES": overrides}

    def command(self) -> list[str]:
        wine = shutil.which("wine64") or shutil.which("wine")
        if not wine:
            raise EmulatorError("Wine is not installed (Debian: wine64)")
        return [wine]

    @staticmethod
    def path(unix: Path) -> str:
        """The Windows path Wine gives a Unix path (drive Z: is the root)."""
        return "Z:" + str(unix).replace("/", "\\")

    def close(self) -> None:
        server = shutil.which("wineserver")
        if server:
            subprocess.run([server, "-k"], env={**os.environ, **self.env()}, check=False)
        shutil.rmtree(self.prefix, ignore_errors=True)


class IcaEngine:
    """One running ``ica-engine`` process and what it has said."""

    def __init__(
        self,
        driver: Path = LINUX_DRIVER,
        env: Mapping[str, str] | None = None,
        max_packet: int = 1600,
        raw_socket: Path | None = None,
        wine: Wine | None = None,
    ) -> None:
        self.driver = driver
        self.extra_env = dict(env or {})
        self.max_packet = max_packet
        self.raw_socket = raw_socket
        self.wine = wine
        self.port = 0
        self.events: list[str] = []
        self._changed = threading.Condition()
        self._process: subprocess.Popen[str] | None = None
        self._reader_done = False

    # -- lifecycle ---------------------------------------------------------

    def start(self, timeout: float = 30.0) -> IcaEngine:
        ensure_built()
        if self.wine:
            command = [*self.wine.command(), str(WINDOWS_ENGINE)]
            command += ["--driver", Wine.path(self.driver)]
        elif self.raw_socket:
            command = [str(ENGINE), "--raw", str(self.raw_socket)]
        else:
            command = [str(ENGINE), "--driver", str(self.driver)]
        command += ["--max-packet", str(self.max_packet)]
        env = {**os.environ, **self.extra_env, **(self.wine.env() if self.wine else {})}
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=True,
        )
        threading.Thread(target=self._read_events, daemon=True).start()
        line = self.wait_for("listening ", timeout)
        self.port = int(line.split()[2])
        if not self.raw_socket:
            self.wait_for("loaded ", timeout)
        return self

    def stop(self) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(OSError):
            assert process.stdin is not None
            process.stdin.write("quit\n")
            process.stdin.flush()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    # -- the session -------------------------------------------------------

    def session_env(self) -> dict[str, str]:
        """Environment for an app in this emulated Citrix session."""
        return {
            "SESSIONNAME": "ICA-TCP#1",
            "SOFTPHONE_WFAPI_LIBRARY": str(WFAPI),
            "SOFTPHONE_ICA_ENGINE": f"127.0.0.1:{self.port}",
        }

    def command(self, line: str) -> None:
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()

    def cut(self) -> None:
        """Disconnect the ICA session: the driver is closed and unloaded."""
        mark = len(self.events)
        self.command("cut")
        self.wait_for("cut", 10, after=mark)

    def reconnect(self) -> str:
        """Reconnect the session: a fresh load and open of the driver."""
        mark = len(self.events)
        self.command("reconnect")
        return self.wait_for("reconnected", 20, after=mark)

    def set_max_packet(self, size: int) -> None:
        mark = len(self.events)
        self.command(f"maxpacket {size}")
        self.wait_for("maxpacket", 10, after=mark)

    def misbehave(self, case: str) -> str:
        mark = len(self.events)
        self.command(f"misbehave {case}")
        return self.wait_for("misbehaved", 20, after=mark)

    def stats(self) -> dict[str, int]:
        mark = len(self.events)
        self.command("stats")
        line = self.wait_for("stats ", 10, after=mark)
        return {k: int(v) for k, v in (item.split("=") for item in line.split()[1:])}

    # -- events ------------------------------------------------------------

    def wait_for(
        self,
        prefix: str,
        timeout: float,
        after: int = 0,
        why: Callable[[], str] | None = None,
    ) -> str:
        """The first event line from index ``after`` starting with ``prefix``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.events[after:]:
                    if line.startswith(prefix):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or self._reader_done:
                    break
                self._changed.wait(min(left, 0.2))
        detail = why() if why else ""
        raise EmulatorError(
            f"ica-engine never said {prefix!r} within {timeout:g} s; it said:\n"
            + "\n".join(self.events[-30:])
            + (f"\n{detail}" if detail else "")
        )

    def saw(self, prefix: str) -> bool:
        with self._changed:
            return any(line.startswith(prefix) for line in self.events)

    def _read_events(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            with self._changed:
                self.events.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._reader_done = True
            self._changed.notify_all()
