"""A private PulseAudio server with virtual sound devices, for the simulator and tests.

Theory of operation: one ``pulseaudio`` daemon per fixture, as a user daemon (root is
fine) with its own runtime directory and a unix socket; nothing touches a system-wide
server. Each virtual device is made of PulseAudio null sinks:

* its loudspeaker side is a null sink ``<key>_out``: what the device plays can be
  recorded from ``<key>_out.monitor`` (what the agent would hear);
* its microphone side is a null sink ``<key>_in`` whose monitor is the capture source:
  audio played into ``<key>_in`` is what the microphone "hears".

A null sink with nothing playing into it renders only every 2 s (its largest latency), so
a stream opened on it, or a recording on its monitor, could wait up to 2 s before audio
moves, which no sound card does. A silent stream (``pacat`` from /dev/zero) into each
of a device's sinks keeps it ticking like a sound card's from the
moment it appears.

PortAudio (Debian 19.6) has no PulseAudio host API; it sees PulseAudio through ALSA's
pulse plugin, which by itself offers only ``pulse`` and ``default``. So every virtual
device also gets an ALSA PCM named like a product ("Jabra EVOLVE 40"), written to an
``asoundrc`` under a private ``XDG_CONFIG_HOME``, the way a USB headset shows up as its
own ALSA card. Plugging a device loads its sinks and adds its PCM; unplugging does the
reverse, so a program re-initialising PortAudio sees it come and go.

Every device of a server runs on the server's clock, the kernel's, like pjmedia's: no
drift between a "sound card" and a call can happen by itself. ``clock_speed`` runs the
daemon under libfaketime (Debian package ``faketime``), which makes its clocks and its
timed waits run that much fast or slow, so its devices play and record at, say, 16016
samples per real second for ``clock_speed=1.001``: a sound card whose crystal is 0.1 %
off, for drift tests through the whole stack.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

RATE = 48000
FAKETIME_LIBRARIES = (
    Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"),
    Path("/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1"),
    Path("/usr/lib/faketime/libfaketimeMT.so.1"),
)


class PulseAudioError(RuntimeError):
    """The sound server could not be started or refused a request."""


@dataclass
class VirtualDevice:
    """A plugged device: product name and the PulseAudio sinks behind it."""

    name: str
    key: str
    playback: bool
    capture: bool
    modules: list[int] = field(default_factory=list)
    clocks: list[subprocess.Popen[bytes]] = field(default_factory=list)
    """The silent streams that keep the device's null sinks rendering."""

    @property
    def output_sink(self) -> str:
        """Null sink the device plays into; record its monitor to hear it."""
        return f"{self.key}_out"

    @property
    def capture_source(self) -> str:
        """The PulseAudio source the device records from."""
        return f"{self.input_sink}.monitor"

    @property
    def input_sink(self) -> str:
        """Null sink whose monitor is the device's microphone; play into it to speak."""
        return f"{self.key}_in"


class PulseAudioServer:
    """A running PulseAudio daemon with hot-pluggable virtual devices."""

    def __init__(self, root: Path, clock_speed: float = 1.0) -> None:
        self.root = root
        self.clock_speed = clock_speed
        """How fast the server's clock runs against real time (1.0: the kernel's)."""
        self.socket = root / "native"
        self.alsa_config = root / "config" / "alsa" / "asoundrc"
        self.devices: dict[str, VirtualDevice] = {}
        self._process: subprocess.Popen[bytes] | None = None
        self._log = root / "pulseaudio.log"
        self._plugged = 0

    @property
    def env(self) -> dict[str, str]:
        """Variables that point libpulse and ALSA (hence PortAudio) at this server."""
        return {
            "PULSE_SERVER": f"unix:{self.socket}",
            "XDG_CONFIG_HOME": str(self.root / "config"),
        }

    @property
    def pid(self) -> int | None:
        """The daemon's process id while it runs (for CPU figures)."""
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the daemon and wait until it answers."""
        if shutil.which("pulseaudio") is None:
            raise PulseAudioError("pulseaudio is not installed (Debian package 'pulseaudio')")
        (self.root / "runtime").mkdir(parents=True, exist_ok=True)
        self.alsa_config.parent.mkdir(parents=True, exist_ok=True)
        self._write_alsa_config()
        self._process = subprocess.Popen(
            self._daemon_command(),
            env=self._daemon_env(),
            stdout=self._log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready(10.0)

    def _daemon_command(self) -> list[str]:
        return [
            "pulseaudio",
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--use-pid-file=no",
            "--disallow-exit=yes",
            "--log-target=stderr",
            "-L",
            f"module-native-protocol-unix auth-anonymous=1 socket={self.socket}",
            "-L",
            "module-null-sink sink_name=fallback rate=48000",
        ]

    def _daemon_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            HOME=str(self.root),
            XDG_RUNTIME_DIR=str(self.root / "runtime"),
            PULSE_RUNTIME_PATH=str(self.root / "runtime" / "pulse"),
        )
        env.pop("PULSE_SERVER", None)
        if self.clock_speed != 1.0:
            env.update(LD_PRELOAD=str(_faketime_library()), FAKETIME=f"+0 x{self.clock_speed}")
        return env

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise PulseAudioError(f"pulseaudio exited: {self._log.read_text()[-2000:]}")
            if self.socket.exists() and self._pactl("info", check=False).returncode == 0:
                return
            time.sleep(0.05)
        self.stop()
        raise PulseAudioError(f"pulseaudio did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        """Stop the daemon by PID (SIGTERM, then SIGKILL of its process group)."""
        for device in self.devices.values():
            for clock in device.clocks:
                stop_player(clock)
            device.clocks.clear()
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def _pactl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, **self.env)
        done = subprocess.run(
            ["pactl", *args], env=env, capture_output=True, text=True, timeout=10, check=False
        )
        if check and done.returncode != 0:
            raise PulseAudioError(f"pactl {' '.join(args)}: {done.stderr.strip()}")
        return done

    def plug(self, name: str, *, playback: bool = True, capture: bool = True) -> VirtualDevice:
        """Plug a device named like a product; it appears to PortAudio after re-init."""
        if name in self.devices:
            raise PulseAudioError(f"device already plugged: {name}")
        self._plugged += 1
        device = VirtualDevice(name, f"dev{self._plugged}", playback, capture)
        for sink in (device.output_sink, device.input_sink):
            device.modules.append(self._load_null_sink(sink, name))
            silence = self._start_raw_player(sink, Path("/dev/zero"), CLOCK_LATENCY_MS)
            device.clocks.append(silence)
        for sink in (device.output_sink, device.input_sink):
            self._restart_clock(sink)
        self.devices[name] = device
        self._write_alsa_config()
        return device

    def _restart_clock(self, sink: str) -> None:
        # The sink rendered a first 2 s block when it was loaded, before the silent stream
        # came; once that stream plays, a suspend and resume restarts the sink's clock at
        # the stream's 20 ms.
        deadline = time.monotonic() + 5.0
        while not self._sink_running(sink):
            if time.monotonic() > deadline:
                raise PulseAudioError(f"the silent stream into {sink} did not start")
            time.sleep(0.01)
        self._pactl("suspend-sink", sink, "1")
        self._pactl("suspend-sink", sink, "0")

    def _sink_running(self, sink: str) -> bool:
        for line in self._pactl("list", "short", "sinks").stdout.splitlines():
            fields = line.split()
            if len(fields) > 1 and fields[1] == sink:
                return fields[-1] == "RUNNING"
        return False

    def unplug(self, name: str) -> None:
        """Remove a device: its PCM disappears and its sinks are unloaded."""
        device = self.devices.pop(name)
        self._write_alsa_config()
        for clock in device.clocks:
            stop_player(clock)
        for module in device.modules:
            self._pactl("unload-module", str(module))

    def add_echo_path(self, device: VirtualDevice, delay_ms: int, volume_percent: int) -> None:
        """Leak what the device plays back into its microphone, delayed and attenuated
        (a speakerphone in a room). ``volume_percent`` is PulseAudio's cubic scale:
        50 % is about -18 dB."""
        done = self._pactl(
            "load-module", "module-loopback", f"source={device.output_sink}.monitor",
            f"sink={device.input_sink}", f"latency_msec={delay_ms}",
            "source_dont_move=true", "sink_dont_move=true",
        )  # fmt: skip
        module = int(done.stdout.strip())
        device.modules.insert(0, module)
        for line in self._pactl("list", "short", "sink-inputs").stdout.splitlines():
            fields = line.split()
            if len(fields) > 1 and fields[1] == str(module):
                self._pactl("set-sink-input-volume", fields[0], f"{volume_percent}%")

    def _load_null_sink(self, sink: str, description: str) -> int:
        label = description.replace(" ", "_")
        done = self._pactl(
            "load-module",
            "module-null-sink",
            f"sink_name={sink}",
            f"rate={RATE}",
            "channels=1",
            f"sink_properties=device.description={label}_{sink}",
        )
        return int(done.stdout.strip())

    def _write_alsa_config(self) -> None:
        text = "".join(_pcm_entry(device) for device in self.devices.values())
        scratch = self.alsa_config.with_suffix(".new")
        scratch.write_text(text)
        # Replaced atomically so a reader never sees half a file.
        scratch.replace(self.alsa_config)

    def record(self, sink: str, seconds: float) -> np.ndarray:
        """Record ``seconds`` of what is played into ``sink`` (int16, 48 kHz mono)."""
        env = dict(os.environ, **self.env)
        command = ["parec", f"--device={sink}.monitor", *_RAW_FORMAT, "--latency-msec=20"]
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, start_new_session=True)
        wanted = int(seconds * RATE) * 2
        chunks: list[bytes] = []
        try:
            assert process.stdout is not None
            while sum(map(len, chunks)) < wanted:
                chunk = process.stdout.read1(  # type: ignore[attr-defined]
                    wanted - sum(map(len, chunks))
                )
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            process.terminate()
            process.wait(timeout=5)
        data = b"".join(chunks)
        return np.frombuffer(data[: len(data) // 2 * 2], dtype=np.int16)

    def record_many(self, sinks: list[str], seconds: float) -> list[np.ndarray]:
        """Record several sinks over the same ``seconds``."""
        results: dict[str, np.ndarray] = {}
        threads = [
            threading.Thread(target=lambda s=sink: results.__setitem__(s, self.record(s, seconds)))
            for sink in sinks
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return [results[sink] for sink in sinks]

    def start_playing(self, sink: str, samples: np.ndarray) -> subprocess.Popen[bytes]:
        """Start playing int16 48 kHz mono ``samples`` into ``sink``; returns the player."""
        raw = self.root / f"play-{time.monotonic_ns()}.raw"
        raw.write_bytes(samples.astype(np.int16).tobytes())
        return self._start_raw_player(sink, raw)

    def _start_raw_player(
        self, sink: str, raw: Path, latency_ms: int = 20
    ) -> subprocess.Popen[bytes]:
        env = dict(os.environ, **self.env)
        latency = f"--latency-msec={latency_ms}"
        command = ["pacat", "--playback", f"--device={sink}", *_RAW_FORMAT, latency, str(raw)]
        return subprocess.Popen(command, env=env, start_new_session=True)


_RAW_FORMAT = ["--raw", "--format=s16le", f"--rate={RATE}", "--channels=1"]
CLOCK_LATENCY_MS = 40
"""The silent streams ask for the latency PortAudio's streams ask for on this plugin
("low": 40 ms), so they keep a sink ticking without making it tick faster than the
adapter's own streams would, which would cost the adapter CPU a sound card would not."""


def _pcm_entry(device: VirtualDevice) -> str:
    parts = [f'pcm."{device.name}" {{\n  type asym\n']
    if device.playback:
        parts.append(f'  playback.pcm {{ type pulse device "{device.output_sink}" }}\n')
    if device.capture:
        parts.append(f'  capture.pcm {{ type pulse device "{device.capture_source}" }}\n')
    parts.append(f'  hint {{ show on description "{device.name}" }}\n}}\n')
    return "".join(parts)


def stop_player(player: subprocess.Popen[bytes]) -> None:
    """Stop a player from :meth:`PulseAudioServer.start_playing` by its PID."""
    if player.poll() is None:
        player.terminate()
        player.wait(timeout=5)


def _faketime_library() -> Path:
    for library in FAKETIME_LIBRARIES:
        if library.exists():
            return library
    raise PulseAudioError("libfaketime is not installed (Debian package 'faketime')")


def running_server(clock_speed: float = 1.0) -> Iterator[PulseAudioServer]:
    """Generator for fixtures: a started server in a temp dir, its env applied, then stopped.

    ``clock_speed``: the server's clock against real time (see the module's notes)."""
    root = Path(tempfile.mkdtemp(prefix="pulse-"))
    server = PulseAudioServer(root, clock_speed)
    saved = {key: os.environ.get(key) for key in server.env}
    try:
        server.start()
        os.environ.update(server.env)
        yield server
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(root, ignore_errors=True)
