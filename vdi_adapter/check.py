"""``softphone-adapter --check``: is this workstation ready to carry the agent's calls?

Theory of operation: each check is a small function that looks at one thing on this
machine and returns a ``Finding`` (passed or not, what it saw, and for a failure what
IT should do). ``run_checks`` runs them in a fixed order, one line each, and the exit
status is 0 only when none failed. Nothing here starts the service or keeps a socket
open; the SIP probe sends one OPTIONS and waits at most two seconds.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import socket
import stat
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from protocol import SOFTWARE_VERSION
from vdi_adapter.adapter_config import AdapterSettings, sip_server_address


@dataclass(frozen=True)
class Finding:
    passed: bool
    name: str
    detail: str
    advice: str = ""

    def line(self) -> str:
        if self.passed:
            return f"ok    {self.name}: {self.detail}"
        return f"FAIL  {self.name}: {self.detail} — {self.advice}"


class _Silenced:
    """Send this process's stdout and stderr to /dev/null until ``restore``."""

    def __init__(self) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        self._saved = (os.dup(1), os.dup(2))
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)

    def restore(self) -> None:
        for fd, saved in zip((1, 2), self._saved, strict=True):
            os.dup2(saved, fd)
            os.close(saved)


def check_versions(_settings: AdapterSettings) -> Finding:
    python = ".".join(map(str, sys.version_info[:3]))
    app = (
        "the app layer is installed here too"
        if importlib.util.find_spec("PySide6")
        else "app layer not installed here (normal on a workstation)"
    )
    return Finding(True, "versions", f"adapter {SOFTWARE_VERSION} on Python {python}; {app}")


def check_engine(_settings: AdapterSettings) -> Finding:
    try:
        import pjsua2 as pj
    except ImportError as error:
        return Finding(False, "pjsua2", f"does not load ({error})", "reinstall the adapter")
    endpoint = pj.Endpoint()
    quiet = _Silenced()  # pjlib prints its start-up lines before any log setting applies
    try:
        endpoint.libCreate()
        config = pj.EpConfig()
        config.logConfig.level = 0
        config.logConfig.consoleLevel = 0
        endpoint.libInit(config)
        endpoint.audDevManager().setNullDev()
        codecs = list(dict.fromkeys(c.codecId.rsplit("/", 1)[0] for c in endpoint.codecEnum2()))
        transport = pj.TransportConfig()
        transport.port = 0
        transport.boundAddress = "127.0.0.1"
        try:
            endpoint.transportCreate(pj.PJSIP_TRANSPORT_TLS, transport)
            tls = "yes"
        except pj.Error:
            tls = "no (this engine build has no TLS)"
        version = endpoint.libVersion().full
    except pj.Error as error:
        return Finding(False, "pjsua2", f"cannot start ({error.info()})", "reinstall the adapter")
    finally:
        endpoint.libDestroy()
        quiet.restore()
    wanted = [c for c in ("G722/16000", "PCMU/8000", "PCMA/8000") if c not in codecs]
    if wanted:
        return Finding(False, "pjsua2", f"{version} lacks {', '.join(wanted)}",
                       "reinstall the adapter")  # fmt: skip
    return Finding(True, "pjsua2", f"{version} loads; codecs {', '.join(codecs)}; SIP TLS {tls}")


def check_audio_callbacks(_settings: AdapterSettings) -> Finding:
    try:
        importlib.import_module("vdi_adapter.audio._device_ring")
    except ImportError as error:
        return Finding(False, "audio callbacks", f"the C module does not load ({error})",
                       "reinstall the adapter: calls need it for the headset")  # fmt: skip
    return Finding(True, "audio callbacks", "the C module loads")


def check_sound_devices(settings: AdapterSettings) -> Finding:
    try:
        from vdi_adapter.audio.devices import list_devices_in_child
        from vdi_adapter.audio.rules import compile_rules, select

        devices = list_devices_in_child()
    except (ImportError, OSError, RuntimeError, subprocess.TimeoutExpired) as error:
        return Finding(False, "sound devices", f"PortAudio is not usable ({error})",
                       "install libportaudio2 and check the sound server")  # fmt: skip
    inputs = sum(1 for d in devices if d.max_input_channels)
    outputs = sum(1 for d in devices if d.max_output_channels)
    if not inputs or not outputs:
        advice = "plug in the headset or check the sound server (PulseAudio/PipeWire)"
        return Finding(False, "sound devices", f"{inputs} inputs, {outputs} outputs", advice)
    from protocol import pb

    rules = compile_rules(pb.DeviceRules(headset=list(settings.headset), use_headset=True))
    chosen = select(devices, rules)
    picked = chosen.microphone.name if chosen.headset_in_use and chosen.microphone else ""
    headset = f"headset rule picks {picked!r}" if picked else "no headset matches the rule"
    return Finding(True, "sound devices", f"{inputs} inputs, {outputs} outputs; {headset}")


def check_socket(settings: AdapterSettings) -> Finding:
    from vdi_adapter.cli import default_socket

    path = settings.socket or default_socket()
    folder = path.parent
    if not folder.exists():
        return Finding(True, "adapter socket", f"{path} (folder made when the service starts)")
    info = folder.stat()
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return Finding(False, "adapter socket", f"{folder} is not private to this user",
                       f"remove {folder}; the service recreates it with mode 0700")  # fmt: skip
    answering = "nothing answers yet"
    if path.exists():
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(1)
            try:
                probe.connect(str(path))
                answering = "the service answers"
            except OSError:
                answering = "stale (no service behind it)"
    return Finding(True, "adapter socket", f"{path}, private; {answering}")


def check_rdp_relay(_settings: AdapterSettings) -> Finding:
    relay = shutil.which("softphone-rdp-relay")
    if not relay:
        return Finding(False, "RDP relay", "softphone-rdp-relay is not on PATH",
                       "reinstall the adapter package")  # fmt: skip
    return Finding(True, "RDP relay", f"{relay} (xfreerdp /rdp2tcp:{relay})")


def check_citrix(_settings: AdapterSettings) -> Finding:
    from vdi_adapter.citrix_registration import CHANNEL, DEFAULT_ICAROOT, DRIVER_FILE

    icaroot = Path(os.environ.get("ICAROOT", DEFAULT_ICAROOT))
    ini = icaroot / "config" / "module.ini"
    if not ini.exists():
        return Finding(
            True, "Citrix driver", f"Workspace app not found at {icaroot}: nothing to do"
        )
    text = ini.read_text(errors="replace")
    registered = f"[{CHANNEL}]" in text and (icaroot / DRIVER_FILE).exists()
    if not registered:
        return Finding(False, "Citrix driver", f"{CHANNEL} is not registered in {ini}",
                       "run: sudo softphone-citrix-register install --driver "
                       "/usr/lib/softphone-adapter/citrix/VDSOFTPH.DLL")  # fmt: skip
    return Finding(True, "Citrix driver", f"{CHANNEL} registered in {ini}")


def check_sip_server(settings: AdapterSettings) -> Finding:
    if not settings.sip_server:
        return Finding(True, "SIP server", "none configured (sip_server in the settings file)")
    host, port = sip_server_address(settings.sip_server)
    branch = f"z9hG4bK{uuid.uuid4().hex[:16]}"
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.settimeout(2)
            probe.connect((socket.gethostbyname(host), port))
            here, here_port = probe.getsockname()
            probe.send(
                (
                    f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
                    f"Via: SIP/2.0/UDP {here}:{here_port};branch={branch};rport\r\n"
                    "Max-Forwards: 70\r\nFrom: <sip:check@invalid>;tag=check\r\n"
                    f"To: <sip:{host}:{port}>\r\nCall-ID: {branch}@check\r\n"
                    "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
                ).encode()
            )
            answer = probe.recv(4096)
    except (OSError, TimeoutError) as error:
        return Finding(False, "SIP server", f"{host}:{port} does not answer ({error})",
                       "check the address, the firewall and that the server is up")  # fmt: skip
    status = answer.split(b"\r\n", 1)[0].decode(errors="replace")
    if not status.startswith("SIP/2.0 "):
        return Finding(False, "SIP server", f"{host}:{port} answered something else",
                       "check the address: it is not a SIP server")  # fmt: skip
    return Finding(True, "SIP server", f"{host}:{port} answers ({status[8:]})")


CHECKS: tuple[Callable[[AdapterSettings], Finding], ...] = (
    check_versions,
    check_engine,
    check_audio_callbacks,
    check_sound_devices,
    check_socket,
    check_rdp_relay,
    check_citrix,
    check_sip_server,
)


def run_checks(settings: AdapterSettings, out: Callable[[str], None] = print) -> int:
    """Print one line per check; 0 when every check passed, else 1."""
    failed = 0
    for check in CHECKS:
        finding = check(settings)
        out(finding.line())
        failed += not finding.passed
    out(f"{len(CHECKS) - failed} of {len(CHECKS)} checks passed")
    return 1 if failed else 0
