"""The adapter's own settings file: what a workstation must know before any app connects.

Theory of operation: everything about lines, codecs and devices reaches the adapter from
the app over the channel; only the workstation's own facts live here, in TOML
(``/etc/softphone/adapter.toml``, a conffile of the Debian package; another file with
``--config`` or ``$SOFTPHONE_ADAPTER_CONFIG``). ``read_settings`` is pure: it returns the
values or raises ``SettingsError`` naming the file and the key. Command-line options
override the file (the CLI applies them).
"""

from __future__ import annotations

import math
import os
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PATH = Path("/etc/softphone/adapter.toml")
PATH_ENV = "SOFTPHONE_ADAPTER_CONFIG"
AUDIO_CHOICES = ("auto", "devices", "null")
LOG_LEVELS = ("debug", "info", "warning", "error")
#: The headsets contact centres buy, as the app's default headset rule lists them.
DEFAULT_HEADSET = ("Jabra.*", "Plantronics.*", "Poly.*", "EPOS.*", "Sennheiser.*")


class SettingsError(Exception):
    """A bad settings file, in one line naming the file and the key."""


@dataclass(frozen=True)
class AdapterSettings:
    path: Path | None = None
    socket: Path | None = None
    listen: str = ""
    grace_period_s: float | None = None
    audio: str | None = None
    log_level: str | None = None
    sip_server: str = ""
    headset: tuple[str, ...] = field(default=DEFAULT_HEADSET)


def settings_path(explicit: Path | None) -> Path | None:
    """The file to read: the flag, else the environment, else the default if it exists."""
    if explicit is not None:
        return explicit
    if os.environ.get(PATH_ENV):
        return Path(os.environ[PATH_ENV])
    return DEFAULT_PATH if DEFAULT_PATH.exists() else None


def installer_settings() -> AdapterSettings:
    """On Windows, what the MSI's SERVER= and TRANSPORT= wrote (HKLM\\SOFTWARE\\Softphone)."""
    if sys.platform != "win32":
        return AdapterSettings()
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Softphone\Adapter") as key:
            server = str(winreg.QueryValueEx(key, "Server")[0])
    except OSError:
        return AdapterSettings()
    return AdapterSettings(sip_server="" if server in ("", "-") else server)


def read_settings(path: Path | None) -> AdapterSettings:
    if path is None:
        return installer_settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SettingsError(f"{path}: cannot read it ({error.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: not valid TOML ({error})") from None
    section = data.get("adapter", {})
    unknown = sorted(set(data) - {"adapter"}) or sorted(set(section) - _KEYS)
    if not isinstance(section, dict) or unknown:
        raise SettingsError(f"{path}: {unknown[0] if unknown else 'adapter'}: unknown setting")

    def bad(key: str, what: str) -> SettingsError:
        return SettingsError(f"{path}: {key}: {what}")

    def text(key: str) -> str:
        value = section.get(key, "")
        if not isinstance(value, str):
            raise bad(key, "must be a string")
        return value

    grace = section.get("grace_period_s")
    if grace is not None and (
        isinstance(grace, bool) or not isinstance(grace, int | float) or not math.isfinite(grace)
        or grace <= 0
    ):  # fmt: skip
        raise bad("grace_period_s", "must be a positive number of seconds")
    audio = text("audio") or None
    if audio is not None and audio not in AUDIO_CHOICES:
        raise bad("audio", f"must be one of {', '.join(AUDIO_CHOICES)}")
    level = text("log_level") or None
    if level is not None and level not in LOG_LEVELS:
        raise bad("log_level", f"must be one of {', '.join(LOG_LEVELS)}")
    server = text("sip_server")
    if server and not _host_port(server):
        raise bad("sip_server", 'must be "host" or "host:port" with a port of 1-65535')
    listen = text("listen")
    headset = section.get("headset", list(DEFAULT_HEADSET))
    if not isinstance(headset, list) or not all(isinstance(h, str) for h in headset):
        raise bad("headset", "must be a list of device names or patterns")
    socket = text("socket")
    return AdapterSettings(
        path, Path(socket) if socket else None, listen, grace, audio, level, server,
        tuple(headset),
    )  # fmt: skip


_KEYS = {"socket", "listen", "grace_period_s", "audio", "log_level", "sip_server", "headset"}


def _host_port(value: str) -> tuple[str, int] | None:
    host, _, port = value.rpartition(":") if ":" in value else (value, "", "5060")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        return None
    return host, int(port)


def sip_server_address(value: str) -> tuple[str, int]:
    address = _host_port(value)
    assert address is not None  # validated when read
    return address
