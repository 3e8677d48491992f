"""Sound devices through PortAudio: enumeration, safe re-initialisation, hot-plug watching.

PortAudio builds its device list once, in ``Pa_Initialize``; a headset plugged in later
is invisible until PortAudio is terminated and initialised again, and terminating it
closes every open stream. So:

* every stream the adapter opens is registered here (``PortAudioStreams``); PortAudio
  is re-initialised in this process only while none is open;
* while streams are open (a call is up), a fresh list comes from a short-lived child
  process (``python -m vdi_adapter.audio.devices`` prints it as JSON), so the call
  keeps its streams;
* ``DeviceWatcher`` polls a cheap fingerprint of the system's sound configuration
  (ALSA cards, /dev/snd, ALSA configuration files) twice a second and lists the devices
  again when it changes, plus a slower full re-list as a safety net; a change of list
  calls back the owner, who applies the rules (see ``rules.py``).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import sounddevice as sd

from vdi_adapter.audio.rules import DeviceEntry

log = logging.getLogger(__name__)


class PortAudioStreams:
    """Process-wide count of open PortAudio streams, guarding re-initialisation."""

    _lock = threading.RLock()
    _open = 0

    @classmethod
    def opened(cls) -> None:
        with cls._lock:
            cls._open += 1

    @classmethod
    def closed(cls) -> None:
        with cls._lock:
            cls._open = max(0, cls._open - 1)

    @classmethod
    def count(cls) -> int:
        return cls._open

    @classmethod
    def lock(cls) -> threading.RLock:
        """Held while opening a stream or re-initialising PortAudio."""
        return cls._lock


def _entries(
    raw_devices: Sequence[dict[str, Any]], host_apis: Sequence[dict[str, Any]]
) -> list[DeviceEntry]:
    defaults_in = {api.get("default_input_device", -1) for api in host_apis[:1]}
    defaults_out = {api.get("default_output_device", -1) for api in host_apis[:1]}
    return [
        DeviceEntry(
            name=str(raw["name"]),
            host_api=str(host_apis[raw["hostapi"]]["name"]),
            max_input_channels=int(raw["max_input_channels"]),
            max_output_channels=int(raw["max_output_channels"]),
            default_samplerate=float(raw["default_samplerate"]),
            is_default_input=index in defaults_in,
            is_default_output=index in defaults_out,
        )
        for index, raw in enumerate(raw_devices)
        if int(raw["max_input_channels"]) or int(raw["max_output_channels"])
    ]


def list_devices_in_process(reinitialise: bool) -> list[DeviceEntry]:
    """The devices PortAudio knows; re-initialise first to see hot-plugged ones."""
    with PortAudioStreams.lock():
        if reinitialise:
            if PortAudioStreams.count():
                raise RuntimeError("PortAudio cannot be re-initialised while streams are open")
            sd._terminate()
            sd._initialize()
        raw = [dict(d) for d in sd.query_devices()]
        apis = [dict(a) for a in sd.query_hostapis()]
    return _entries(raw, apis)


def list_devices_in_child(timeout: float = 5.0) -> list[DeviceEntry]:
    """A fresh device list from a child process, leaving this process's streams alone."""
    done = subprocess.run(
        [sys.executable, "-m", "vdi_adapter.audio.devices"],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ),
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"device listing failed: {done.stderr.strip()[-300:]}")
    return [DeviceEntry(**item) for item in json.loads(done.stdout)]


def list_devices_fresh() -> list[DeviceEntry]:
    """Fresh list: in process when no stream is open, else through a child process."""
    with PortAudioStreams.lock():
        if PortAudioStreams.count() == 0:
            return list_devices_in_process(reinitialise=True)
    return list_devices_in_child()


_ALSA_CONFIG_FILES = ("/etc/asound.conf", "~/.asoundrc", "$XDG_CONFIG_HOME/alsa/asoundrc")


def sound_config_fingerprint() -> tuple[object, ...]:
    """Cheap summary of what would make PortAudio's device list change (Linux)."""
    parts: list[object] = []
    for pattern in _ALSA_CONFIG_FILES:
        path = Path(os.path.expandvars(os.path.expanduser(pattern)))
        parts.append(_mtime(path))
    parts.append(_read(Path("/proc/asound/cards")))
    snd = Path("/dev/snd")
    parts.append(tuple(sorted(p.name for p in snd.iterdir())) if snd.is_dir() else ())
    parts.append(os.environ.get("PULSE_SERVER", ""))
    return tuple(parts)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


# Windows has no cheap change signal here (no /dev/snd, no ALSA files): list often.
FULL_REFRESH_S = 1.5 if sys.platform == "win32" else 30.0


class DeviceWatcher:
    """Background thread that notices devices coming and going (within ~1 s)."""

    def __init__(
        self,
        on_change: Callable[[list[DeviceEntry], list[DeviceEntry]], None],
        *,
        poll_s: float = 0.5,
        full_refresh_s: float = FULL_REFRESH_S,
        lister: Callable[[], list[DeviceEntry]] = list_devices_fresh,
        on_tick: Callable[[], None] | None = None,
    ) -> None:
        self._on_change = on_change
        self._on_tick = on_tick
        self._poll_s = poll_s
        self._full_refresh_s = full_refresh_s
        self._lister = lister
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.devices: list[DeviceEntry] = []

    def start(self, initial: list[DeviceEntry]) -> None:
        self.devices = list(initial)
        self._thread = threading.Thread(target=self._run, name="device-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        fingerprint = sound_config_fingerprint()
        last_full = time.monotonic()
        while not self._stop.wait(self._poll_s):
            if self._on_tick is not None:
                self._on_tick()
            current = sound_config_fingerprint()
            due = time.monotonic() - last_full >= self._full_refresh_s
            if current != fingerprint or due:
                fingerprint, last_full = current, time.monotonic()
                self.refresh()

    def refresh(self) -> None:
        """List devices now and report a change; errors are logged, never raised."""
        try:
            fresh = self._lister()
        except Exception as error:
            log.warning("could not list sound devices: %s", error)
            return
        if fresh != self.devices:
            old, self.devices = self.devices, fresh
            self._on_change(old, fresh)


def _main() -> None:
    entries = list_devices_in_process(reinitialise=False)
    print(json.dumps([entry.__dict__ for entry in entries]))


if __name__ == "__main__":
    _main()
