"""``softphone-adapter --check`` as IT runs it on a workstation, and the adapter's settings file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.sipp import free_port
from tests.support.pulseaudio import PulseAudioServer, running_server

pytestmark = pytest.mark.integration

ADAPTER = [sys.executable, "-m", "vdi_adapter.cli"]


@pytest.fixture
def pulse() -> Iterator[PulseAudioServer]:
    yield from running_server()


def run_check(settings: Path, env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    bin_dir = str(Path(sys.executable).parent)  # where softphone-rdp-relay is installed
    done = subprocess.run(
        [*ADAPTER, "--check", "--config", str(settings)],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", **(env or {})},
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout.splitlines()


class SipResponder:
    """Answers any SIP request on a UDP port with 200 OK (a registrar that is up)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.seen: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                data, peer = self.sock.recvfrom(65536)
            except OSError:
                return
            self.seen.append(data)
            via = next(line for line in data.split(b"\r\n") if line.startswith(b"Via:"))
            self.sock.sendto(b"SIP/2.0 200 OK\r\n" + via + b"\r\nContent-Length: 0\r\n\r\n", peer)


def test_a_ready_workstation_passes_every_check(pulse: PulseAudioServer, tmp_path: Path) -> None:
    pulse.plug("Jabra EVOLVE 40")
    sip = SipResponder()
    settings = tmp_path / "adapter.toml"
    settings.write_text(f'[adapter]\nsip_server = "127.0.0.1:{sip.port}"\n')
    status, lines = run_check(settings, {"ICAROOT": str(tmp_path / "no-citrix")})
    assert status == 0, "\n".join(lines)
    assert len(lines) == 9 and lines[-1] == "8 of 8 checks passed"
    text = "\n".join(lines)
    assert "ok    pjsua2: 2.15.1 loads" in text and "G722/16000" in text
    assert "headset rule picks 'Jabra EVOLVE 40'" in text
    assert f"ok    SIP server: 127.0.0.1:{sip.port} answers (200 OK)" in text
    assert sip.seen and sip.seen[0].startswith(b"OPTIONS ")
    sip.sock.close()


def test_failures_say_what_to_do_and_set_the_exit_status(tmp_path: Path) -> None:
    icaroot = tmp_path / "ICAClient"
    (icaroot / "config").mkdir(parents=True)
    (icaroot / "config" / "module.ini").write_text("[ICA 3.0]\nVirtualDriver = Thinwire3.0\n")
    dead = free_port(socket.SOCK_DGRAM)
    settings = tmp_path / "adapter.toml"
    settings.write_text(f'[adapter]\nsip_server = "127.0.0.1:{dead}"\n')
    status, lines = run_check(settings, {"ICAROOT": str(icaroot), "PULSE_SERVER": "unix:/none"})
    assert status == 1
    failed = {line.split(":")[0][6:]: line for line in lines if line.startswith("FAIL")}
    assert "softphone-citrix-register install" in failed["Citrix driver"]
    assert "does not answer" in failed["SIP server"] and "firewall" in failed["SIP server"]
    assert "plug in the headset" in failed["sound devices"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[adapter]\ngrace_period_s = -5\n", "grace_period_s: must be a positive number"),
        ("[adapter]\ngrace_period_s = nan\n", "grace_period_s: must be a positive number"),
        ('[adapter]\naudio = "loud"\n', "audio: must be one of auto, devices, null"),
        ('[adapter]\nsip_server = "pbx:99999"\n', "sip_server: must be"),
        ("[adapter]\ncolour = 1\n", "colour: unknown setting"),
        ("[adapter\n", "not valid TOML"),
    ],
)
def test_a_bad_settings_file_is_one_line_naming_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    settings = tmp_path / "adapter.toml"
    settings.write_text(text)
    done = subprocess.run(
        [*ADAPTER, "--config", str(settings), "--check"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr
    assert str(settings) in done.stderr and message in done.stderr


@pytest.mark.parametrize("value", ["-5", "nan", "0"])
def test_a_bad_grace_period_flag_is_refused(value: str) -> None:
    done = subprocess.run(
        [*ADAPTER, "--grace-period", value], capture_output=True, text=True, timeout=30,
        check=False,
    )  # fmt: skip
    assert done.returncode == 2 and "--grace-period" in done.stderr
    assert "Traceback" not in done.stderr


def test_without_the_sound_device_module_the_adapter_still_serves(tmp_path: Path) -> None:
    """As on a Windows endpoint today: no build of the C module, signalling still works."""
    sock = tmp_path / "adapter.sock"
    code = (
        "import sys; sys.modules['vdi_adapter.audio._device_ring'] = None\n"
        "from vdi_adapter.cli import main\n"
        f"sys.exit(main(['--unix', {str(sock)!r}, '--audio', 'auto']))\n"
    )
    adapter = subprocess.Popen(
        [sys.executable, "-c", code], stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 30
        while not sock.exists():
            assert adapter.poll() is None, adapter.stderr.read() if adapter.stderr else ""
            assert time.monotonic() < deadline, "the adapter never served its socket"
            time.sleep(0.1)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(str(sock))
    finally:
        adapter.send_signal(signal.SIGTERM)
        _, errors = adapter.communicate(timeout=20)
    assert adapter.returncode == 0, errors
    assert "calls run without audio devices" in errors and "Traceback" not in errors


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/proc/none/adapter.sock", "No such file or directory"), ("/tmp/" + "x" * 120 + "/a.sock",
     "path too long")],
    ids=["uncreatable-folder", "too-long"],
)  # fmt: skip
def test_a_socket_path_that_cannot_be_served_is_one_line(path: str, reason: str) -> None:
    done = subprocess.run(
        [*ADAPTER, "--unix", path, "--audio", "null"], capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and reason in done.stderr and path in done.stderr
