"""A private xrdp server and a FreeRDP client on loopback, for tests and benchmarks.

Theory of operation: ``RdpServer`` runs ``xrdp-sesman`` and ``xrdp`` in the
foreground from their own configuration folder (derived from ``/etc/xrdp``) with
``rdp2tcp=true`` under ``[Channels]`` (without it xrdp drops the channel's data),
listening on 127.0.0.1 only. A session is an Xorg server (xorgxrdp), the channel
server ``xrdp-chansrv`` and one program started through the RDP alternate shell
(``/shell:``), run as a dedicated test user; when that program exits, the session
ends. ``RdpClient`` runs ``xfreerdp`` on its own Xvfb display with
``/rdp2tcp:<command>``, so FreeRDP starts our relay on the workstation side.

Everything is started in its own process group and stopped by PID: sesman keeps
every session process (Xorg, chansrv, the program) in its group, FreeRDP keeps
its relay in its own. Two facts shape the configuration: xrdp reads the sesman
port from ``/etc/xrdp/sesman.ini`` whatever ``-c`` says, so our sesman listens
there (the system service must not be running); and the session user cannot
always run this interpreter (a pyenv build under ``/root``), so
``session_python`` falls back to the system one with our packages on its path.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEST_USER = os.environ.get("SOFTPHONE_RDP_TEST_USER", "sfrdptest")
XRDP_PORT = 13389
#: First X display sesman gives to sessions (far from a desktop's :0 and Xvfb's usual :99).
DISPLAY_OFFSET = 60
ETC_XRDP = Path("/etc/xrdp")
TOOLS = {
    "xrdp": "xrdp",
    "xrdp-sesman": "xrdp",
    "xfreerdp": "freerdp2-x11",
    "Xvfb": "xvfb",
    "runuser": "util-linux",
    "useradd": "passwd",
    "/usr/lib/xorg/modules/libxorgxrdp.so": "xorgxrdp",
}


class HarnessError(RuntimeError):
    """The RDP test bed could not be brought up; the message says why."""


def check_tools() -> None:
    """Fail with the Debian package to install when a tool is missing."""
    if os.geteuid() != 0:
        raise HarnessError("the RDP test bed needs root: it creates a user and runs xrdp-sesman")
    for tool, package in TOOLS.items():
        if not (Path(tool).exists() if tool.startswith("/") else shutil.which(tool)):
            raise HarnessError(f"{tool} is missing: apt-get install {package}")


def ensure_test_user(name: str = TEST_USER) -> str:
    """Create the session user if needed and give it a fresh password (returned)."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        _run(["useradd", "--create-home", "--shell", "/bin/sh", name])
    password = secrets.token_urlsafe(12) + "Aa1"
    _run(["chpasswd"], stdin=f"{name}:{password}\n")
    return password


def _run(command: list[str], stdin: str | None = None) -> None:
    result = subprocess.run(command, input=stdin, capture_output=True, text=True, check=False)
    if result.returncode:
        raise HarnessError(f"{command[0]} failed: {result.stderr.strip()}")


def session_python(user: str = TEST_USER) -> tuple[list[str], dict[str, str]]:
    """An interpreter the session user can run, and the environment it needs."""
    env = {"PYTHONPATH": str(PROJECT_ROOT)}
    if _succeeds(["runuser", "-u", user, "--", sys.executable, "-c", "import protocol"], env):
        return [sys.executable], env
    system = "/usr/bin/python3"
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    same = f"import sys; sys.exit(sys.version_info[:2] != ({version.replace('.', ',')}))"
    if not _succeeds([system, "-c", same], {}):
        raise HarnessError(f"user {user} cannot run {sys.executable} and {system} is not {version}")
    site = Path(sys.prefix) / "lib" / f"python{version}" / "site-packages"
    return [system], {"PYTHONPATH": f"{PROJECT_ROOT}:{site}"}


def _succeeds(command: list[str], env: dict[str, str]) -> bool:
    run = subprocess.run(command, capture_output=True, env={**os.environ, **env}, check=False)
    return run.returncode == 0


def set_ini_value(text: str, section: str, key: str, value: str) -> str:
    """Set ``key=value`` in ``[section]`` of an xrdp ini text, keeping everything else."""
    lines = text.splitlines()
    start = lines.index(f"[{section}]")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    for i in range(start + 1, end):
        if re.match(rf"{re.escape(key)}\s*=", lines[i]):
            lines[i] = f"{key}={value}"
            return "\n".join(lines) + "\n"
    lines.insert(start + 1, f"{key}={value}")
    return "\n".join(lines) + "\n"


def ini_value(text: str, section: str, key: str) -> str | None:
    """The value of ``key`` in ``[section]``, or None."""
    current = None
    for line in text.splitlines():
        if line.startswith("["):
            current = line.strip("[] ")
        elif current == section and re.match(rf"{re.escape(key)}\s*=", line):
            return line.split("=", 1)[1].strip()
    return None


def port_answers(port: int, hosts: Sequence[str] = ("127.0.0.1", "::1")) -> bool:
    """True when something accepts TCP connections on ``port`` on loopback."""
    for host in hosts:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.2):
            return True
    return False


def wait_for(
    what: str, ready: Callable[[], object], timeout: float, logs: Sequence[Path] = ()
) -> None:
    """Poll ``ready()`` until true; on timeout raise with the tails of ``logs``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.05)
    tails = "\n".join(f"--- {log}\n{tail(log)}" for log in logs)
    raise HarnessError(f"{what} not ready after {timeout:g} s\n{tails}")


def tail(path: Path, lines: int = 15) -> str:
    """The last lines of a log file (passwords never reach these logs)."""
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return "(no log)"


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (walks /proc), children first."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    stack = list(children.get(pid, []))
    while stack:
        child = stack.pop()
        found.append(child)
        stack.extend(children.get(child, []))
    return found


def stop_group(process: subprocess.Popen[bytes] | None, grace: float = 3.0) -> None:
    """Stop a process started with ``start_new_session`` and everything in its session.

    Descendants that left the session on purpose (a service the relay started
    detached) are not ours to stop here: they outlive the client in real life too.
    """
    if process is None or (process.poll() is not None and not descendants(process.pid)):
        return
    stragglers = [pid for pid in descendants(process.pid) if session_id(pid) == process.pid]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        _signal_all(process.pid, stragglers, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(grace)
            if not [p for p in stragglers if Path(f"/proc/{p}").exists()]:
                return
        time.sleep(0.2 if sig == signal.SIGTERM else 0)
    process.wait(grace)


def session_id(pid: int) -> int | None:
    """The session a process belongs to (None once it is gone)."""
    try:
        return os.getsid(pid)
    except (ProcessLookupError, PermissionError):
        return None


def _signal_all(leader: int, others: list[int], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(leader, sig)
    for pid in others:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def free_display(start: int = 90) -> int:
    """An X display number with no server and no lock file."""
    for number in range(start, start + 100):
        if (
            not Path(f"/tmp/.X{number}-lock").exists()
            and not Path(f"/tmp/.X11-unix/X{number}").exists()
        ):
            return number
    raise HarnessError("no free X display number")


@dataclass
class RdpServer:
    """xrdp-sesman + xrdp on 127.0.0.1 with their own configuration (see module docstring)."""

    workdir: Path
    port: int = XRDP_PORT
    channels: Sequence[str] = ("rdp2tcp",)
    sesman: subprocess.Popen[bytes] | None = None
    xrdp: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        sesman_port = self._sesman_port()
        if port_answers(sesman_port) or port_answers(self.port, ("127.0.0.1",)):
            raise HarnessError(
                f"port {sesman_port} or {self.port} is taken: is the system xrdp running?"
            )
        self._write_configs()
        self.sesman = self._spawn("xrdp-sesman", "sesman")
        wait_for("xrdp-sesman", lambda: port_answers(sesman_port), 10, [self.log("sesman")])
        self.xrdp = self._spawn("xrdp", "xrdp")
        wait_for("xrdp", lambda: port_answers(self.port, ("127.0.0.1",)), 10, [self.log("xrdp")])

    def stop(self) -> None:
        stop_group(self.xrdp)
        stop_group(self.sesman)

    def log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def _sesman_port(self) -> int:
        # xrdp always reads the sesman port from /etc/xrdp/sesman.ini.
        text = (ETC_XRDP / "sesman.ini").read_text()
        return int(ini_value(text, "Globals", "ListenPort") or 3350)

    def _write_configs(self) -> None:
        xrdp = (ETC_XRDP / "xrdp.ini").read_text()
        for section, key, value in [
            ("Globals", "port", f"tcp://127.0.0.1:{self.port}"),
            ("Globals", "fork", "false"),
            ("Globals", "autorun", "Xorg"),
            ("Logging", "LogFile", str(self.log("xrdp"))),
            ("Logging", "EnableSyslog", "false"),
            *[("Channels", name, "true") for name in self.channels],
        ]:
            xrdp = set_ini_value(xrdp, section, key, value)
        (self.workdir / "xrdp.ini").write_text(xrdp)
        sesman = (ETC_XRDP / "sesman.ini").read_text()
        for section, key, value in [
            ("Globals", "ListenAddress", "127.0.0.1"),
            ("Sessions", "X11DisplayOffset", str(DISPLAY_OFFSET)),
            ("Sessions", "KillDisconnected", "false"),
            ("Logging", "LogFile", str(self.log("sesman"))),
            ("Logging", "EnableSyslog", "false"),
        ]:
            sesman = set_ini_value(sesman, section, key, value)
        (self.workdir / "sesman.ini").write_text(sesman)

    def _spawn(self, program: str, name: str) -> subprocess.Popen[bytes]:
        out = (self.workdir / f"{name}.out").open("wb")
        config = str(self.workdir / f"{name}.ini")
        with out:
            return subprocess.Popen(
                [program, "--nodaemon", "--config", config],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.workdir,
                start_new_session=True,
            )


@dataclass
class RdpClient:
    """``xfreerdp`` on its own Xvfb, with ``/rdp2tcp:`` starting the relay."""

    workdir: Path
    user: str
    password: str
    relay_command: Sequence[str]
    shell: str
    port: int = XRDP_PORT
    extra_env: dict[str, str] = field(default_factory=dict)
    xvfb: subprocess.Popen[bytes] | None = None
    freerdp: subprocess.Popen[bytes] | None = None
    display: int = 0
    connections: int = 0

    def start_display(self) -> None:
        self.display = free_display()
        out = (self.workdir / "xvfb.log").open("wb")
        with out:
            self.xvfb = subprocess.Popen(
                ["Xvfb", f":{self.display}", "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        socket_path = Path(f"/tmp/.X11-unix/X{self.display}")
        wait_for("Xvfb", socket_path.exists, 10, [self.workdir / "xvfb.log"])

    def connect(self) -> None:
        """Start FreeRDP (it logs on, starts the relay and the session program)."""
        if self.xvfb is None:
            self.start_display()
        self.connections += 1
        log = self.workdir / f"freerdp-{self.connections}.log"
        home = self.workdir / "client-home"
        home.mkdir(exist_ok=True)
        env = {**os.environ, "DISPLAY": f":{self.display}", "HOME": str(home), **self.extra_env}
        with log.open("wb") as out:
            self.freerdp = subprocess.Popen(
                self._command(), stdout=out, stderr=subprocess.STDOUT, env=env,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip

    def disconnect(self) -> None:
        """Close the client the way a user would; FreeRDP then kills the relay."""
        stop_group(self.freerdp)
        self.freerdp = None

    def stop(self) -> None:
        self.disconnect()
        stop_group(self.xvfb)
        self.xvfb = None

    @property
    def log(self) -> Path:
        return self.workdir / f"freerdp-{self.connections}.log"

    def _command(self) -> list[str]:
        return [
            "xfreerdp",
            f"/v:127.0.0.1:{self.port}",
            f"/u:{self.user}",
            f"/p:{self.password}",
            "/cert:ignore",
            "/size:800x600",
            # FreeRDP splits this command line the Windows way (double quotes).
            f"/rdp2tcp:{subprocess.list2cmdline(self.relay_command)}",
            f"/shell:{self.shell}",
            "-grab-keyboard",
        ]


class RdpHarness:
    """Server, test user, session program and client together; stops all it started."""

    def __init__(self, session_argv: Sequence[str], relay_command: Sequence[str]) -> None:
        """``session_argv`` runs in the session: a Python script (``x.py ...``) or module
        (``-m pkg ...``) gets the session interpreter; ``{session_dir}`` is replaced by a
        folder the session user owns."""
        check_tools()
        self.workdir = Path(tempfile.mkdtemp(prefix="softphone-rdp-"))
        self.workdir.chmod(0o755)
        self.user = TEST_USER
        self.password = ensure_test_user(self.user)
        self.session_dir = self._user_dir("session")
        self.server = RdpServer(self.workdir)
        shell = self._write_shell(session_argv)
        self.client = RdpClient(self.workdir, self.user, self.password, relay_command, shell)

    def start(self) -> None:
        self.server.start()
        self.client.connect()

    def stop(self) -> None:
        try:
            self.client.stop()
        finally:
            self.server.stop()
            shutil.rmtree(self.workdir, ignore_errors=True)

    def logs(self) -> str:
        """Tails of every log, for a failing test's message."""
        paths = [self.server.log("xrdp"), self.server.log("sesman"), self.client.log]
        paths += sorted(self.session_dir.glob("*.log"))
        return "\n".join(f"--- {path.name}\n{tail(path)}" for path in paths)

    def _user_dir(self, name: str) -> Path:
        path = self.workdir / name
        path.mkdir(mode=0o700)
        entry = pwd.getpwnam(self.user)
        os.chown(path, entry.pw_uid, entry.pw_gid)
        return path

    def _write_shell(self, session_argv: Sequence[str]) -> str:
        # The alternate shell is run without arguments: wrap the program in a script.
        interpreter, env = session_python(self.user)
        argv = [arg.replace("{session_dir}", str(self.session_dir)) for arg in session_argv]
        argv = [*interpreter, *argv] if argv[0].endswith(".py") or argv[0] == "-m" else argv
        exports = "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items())
        log = self.session_dir / "session.log"
        script = self.workdir / "session-shell.sh"
        script.write_text(f"#!/bin/sh\n{exports}exec {shlex.join(argv)} >>{log} 2>&1\n")
        script.chmod(0o755)
        return str(script)


@contextlib.contextmanager
def rdp_harness(session_argv: Sequence[str], relay_command: Sequence[str]) -> Iterator[RdpHarness]:
    """An ``RdpHarness`` brought up, then stopped whatever happens."""
    harness = RdpHarness(session_argv, relay_command)
    try:
        harness.start()
        yield harness
    finally:
        harness.stop()
