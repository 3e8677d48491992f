"""Test-side drivers for ``sip_peer.py`` processes, and signal checks on what they hear."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np

from protocol import pb

REPO = Path(__file__).resolve().parents[3]
PEER_SCRIPT = Path(__file__).with_name("sip_peer.py")


def free_udp_port(low: int, high: int) -> int:
    """A UDP port in [low, high) on 127.0.0.1 that nothing is bound to right now."""
    start = low + (os.getpid() * 7 + time.monotonic_ns() // 1000) % (high - low)
    for offset in range(high - low):
        port = low + (start - low + offset) % (high - low)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free UDP port in {low}..{high}")


class PeerProcess:
    """One ``sip_peer.py`` process; stopped by PID (its process group) in ``stop``."""

    def __init__(self, *args: str) -> None:
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (lives as long as the peer)
        env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, str(PEER_SCRIPT), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env=env,
            start_new_session=True,
        )
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self.events: list[pb.Event] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue
            if item.get("event") == "pb":
                self.events.append(pb.Event.FromString(bytes.fromhex(item["hex"])))
            self.lines.put(item)

    def wait_for(self, event: str, timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                item = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if item.get("event") == event:
                return item
        raise AssertionError(f"peer did not report {event!r} within {timeout} s")

    def send(self, **command: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def command(self, command: pb.Command, timeout: float = 40.0) -> pb.Result:
        self.send(cmd="command", command=command.SerializeToString().hex())
        return pb.Result.FromString(bytes.fromhex(self.wait_for("result", timeout)["hex"]))

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            try:
                self.send(cmd="quit")
                self.process.wait(timeout=timeout)
            except (OSError, subprocess.TimeoutExpired):
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.asarray(samples, dtype=np.int16).tobytes())


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as wav:
        data = wav.readframes(wav.getnframes())
        return np.frombuffer(data, dtype=np.int16), wav.getframerate()


def tone(frequency: float, seconds: float, rate: int, dbfs: float = -12.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * frequency * t) * 32767 * 10 ** (dbfs / 20)).astype(np.int16)


def tone_power_db(samples: np.ndarray, rate: int, frequency: float) -> float:
    """Power (dBFS) in a +-20 Hz band around ``frequency``."""
    x = samples.astype(np.float64) / 32768.0
    if len(x) == 0:
        return -200.0
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    band = (freqs > frequency - 20) & (freqs < frequency + 20)
    total = spectrum.sum() + 1e-20
    return float(10 * np.log10(spectrum[band].sum() / total * np.mean(x**2) + 1e-20))


def dominant_frequency(samples: np.ndarray, rate: int) -> float:
    x = samples.astype(np.float64)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    spectrum[:5] = 0
    return float(np.fft.rfftfreq(len(x), 1 / rate)[int(np.argmax(spectrum))])


def stderr_tail(peer: PeerProcess, chars: int = 3000) -> str:
    peer.log.seek(0)
    return peer.log.read()[-chars:]


SPEECH_TEXT = (
    "Thank you for calling the service desk. My name is Anna. Could you give me your "
    "customer number, please? Thank you. I can see your order from last Tuesday; it was "
    "shipped this morning and should arrive on Friday."
)


def synthetic_speech(path: Path, rate: int) -> np.ndarray:
    """Speech from espeak-ng (Debian package), resampled to ``rate``; also written to ``path``."""
    import soxr

    raw = path.with_suffix(".espeak.wav")
    subprocess.run(
        ["espeak-ng", "-s", "150", "-w", str(raw), SPEECH_TEXT], check=True, capture_output=True
    )
    samples, source_rate = read_wav(raw)
    speech = soxr.resample(samples.astype(np.float32), source_rate, rate)
    speech = (speech / np.abs(speech).max() * 0.5 * 32767).astype(np.int16)
    write_wav(path, speech, rate)
    return speech


def power_db(samples: np.ndarray) -> float:
    x = samples.astype(np.float64) / 32768.0
    return float(10 * np.log10(np.mean(x**2) + 1e-20))


def wait_devices_running(near: PeerProcess, timeout: float = 10.0) -> float:
    """Wait until the adapter's sound streams deliver; seconds they took after media."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        near.send(cmd="stats")
        started = near.wait_for("stats").get("first_block_after_s", -1.0)
        if started >= 0:
            return float(started)
        time.sleep(0.1)
    raise AssertionError(f"the adapter's sound devices did not start within {timeout} s")


def erle_segments(
    at_mic: np.ndarray, mic_rate: int, heard: np.ndarray, heard_rate: int, seconds: int
) -> list[float]:
    """Echo return loss enhancement (dB) per 1 s segment in which the echo is present.

    ``at_mic`` is what the microphone picked up over the last ``seconds``, ``heard`` what
    the far end received, ending at about the same moment (its last 0.3 s are skipped:
    the hangup). Segments where the echo at the microphone is below -45 dBFS (a pause
    in the far end's speech) are left out.
    """
    heard = heard[: len(heard) - int(heard_rate * 0.3)]
    values = []
    for k in range(seconds):
        mic = at_mic[len(at_mic) - (k + 1) * mic_rate : len(at_mic) - k * mic_rate]
        far = heard[len(heard) - (k + 1) * heard_rate : len(heard) - k * heard_rate]
        if power_db(mic) > -45:
            values.append(power_db(mic) - power_db(far))
    return values
