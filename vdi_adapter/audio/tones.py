"""Call-progress tones, ring tone and DTMF feedback, as sample sources.

Theory of operation: a tone is a cadence, a list of segments (duration, frequencies;
no frequencies is silence), played once or looped. Each cadence is rendered once into
a float32 array at the device rate (at most a few seconds), and ``ToneSource`` hands out slices
of it; a WAV file named in ``ToneSet`` replaces the synthetic tone (resampled once with
soxr). Sources are pulled by whoever plays them: the ringer's own output stream, or a
call's ``MediaPipeline`` which mixes them into what the agent hears.

Frequencies and cadences follow ETSI ES 201 970 / ITU-T E.180 (425 Hz tones) and the
DTMF pairs of ITU-T Q.23.
"""

from __future__ import annotations

import threading
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vdi_adapter.audio.processing import RATE


@dataclass(frozen=True)
class Cadence:
    """A tone's shape: (seconds, frequencies) segments; looped or played once."""

    segments: tuple[tuple[float, tuple[float, ...]], ...]
    loop: bool = True
    level_dbfs: float = -16.0


TONES: dict[str, Cadence] = {
    # Alerting on the ringer: a warbling pair, 1 s on, 2 s off.
    "ring": Cadence(((0.4, (1000.0, 1250.0)), (0.6, (1000.0, 1250.0)), (2.0, ())), True, -10.0),
    "ringback": Cadence(((1.0, (425.0,)), (4.0, ()))),
    "busy": Cadence(((0.5, (425.0,)), (0.5, ()))),
    "error": Cadence(((0.2, (425.0,)), (0.2, ()))),
    "call_waiting": Cadence(((0.2, (425.0,)), (0.2, ()), (0.2, (425.0,))), loop=False),
}

DTMF_FREQUENCIES: dict[str, tuple[float, float]] = {
    "1": (697, 1209), "2": (697, 1336), "3": (697, 1477), "A": (697, 1633),
    "4": (770, 1209), "5": (770, 1336), "6": (770, 1477), "B": (770, 1633),
    "7": (852, 1209), "8": (852, 1336), "9": (852, 1477), "C": (852, 1633),
    "*": (941, 1209), "0": (941, 1336), "#": (941, 1477), "D": (941, 1633),
}  # fmt: skip


class ToneError(ValueError):
    """Unknown tone or digit, or a WAV file that cannot be used."""


def dtmf_cadence(digit: str, seconds: float = 0.12) -> Cadence:
    """Local feedback for one keypad digit (the pair of Q.23 frequencies)."""
    pair = DTMF_FREQUENCIES.get(digit.upper())
    if pair is None:
        raise ToneError(f"not a DTMF digit: {digit!r}")
    return Cadence(((seconds, pair),), loop=False, level_dbfs=-18.0)


def render(cadence: Cadence) -> np.ndarray:
    """The whole cadence as float32 samples at the device rate."""
    parts = []
    amplitude = 10 ** (cadence.level_dbfs / 20) / max(1, _max_voices(cadence))
    start = 0
    for seconds, frequencies in cadence.segments:
        count = round(seconds * RATE)
        t = (np.arange(count) + start) / RATE
        part = np.zeros(count, dtype=np.float64)
        for frequency in frequencies:
            part += np.sin(2 * np.pi * frequency * t)
        parts.append(_fade(part * amplitude) if frequencies else part)
        start += count
    return np.concatenate(parts).astype(np.float32)


def _max_voices(cadence: Cadence) -> int:
    return max(len(frequencies) for _, frequencies in cadence.segments)


def _fade(part: np.ndarray, samples: int = 96) -> np.ndarray:
    # 2 ms ramps so a tone starting or stopping does not click.
    ramp = np.linspace(0.0, 1.0, min(samples, len(part) // 2))
    part[: len(ramp)] *= ramp
    part[len(part) - len(ramp) :] *= ramp[::-1]
    return part


def load_wav(path: Path) -> np.ndarray:
    """A WAV file (PCM 16-bit, any rate, mono or stereo) as float32 mono at the device rate."""
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getsampwidth() != 2:
                raise ToneError(f"{path}: only 16-bit PCM WAV files are supported")
            frames = wav.readframes(wav.getnframes())
            channels, rate = wav.getnchannels(), wav.getframerate()
    except (OSError, wave.Error, EOFError) as error:
        raise ToneError(f"{path}: cannot read WAV file: {error}") from None
    samples = np.frombuffer(frames, dtype=np.int16).astype(np.float32) / 32768.0
    samples = samples.reshape(-1, channels).mean(axis=1)
    if rate != RATE:
        import soxr  # type: ignore[import-untyped]

        samples = soxr.resample(samples, rate, RATE).astype(np.float32)
    return samples


@dataclass
class ToneSet:
    """Synthetic tones with optional WAV replacements, by tone name."""

    overrides: dict[str, Path] = field(default_factory=dict)
    _cache: dict[str, np.ndarray] = field(default_factory=dict)

    def samples(self, name: str) -> tuple[np.ndarray, bool]:
        """(samples, loop) of a named tone or a DTMF digit ("dtmf:5")."""
        cadence = self._cadence(name)
        if name not in self._cache:
            path = self.overrides.get(name)
            self._cache[name] = load_wav(path) if path else render(cadence)
        return self._cache[name], cadence.loop

    def _cadence(self, name: str) -> Cadence:
        if name.startswith("dtmf:"):
            return dtmf_cadence(name[5:])
        if name not in TONES:
            raise ToneError(f"unknown tone: {name!r}")
        return TONES[name]

    def source(self, name: str, gain: float = 1.0) -> ToneSource:
        samples, loop = self.samples(name)
        return ToneSource(samples, loop, gain)


def tone_files(items: list[str]) -> ToneSet:
    """A ``ToneSet`` from ``NAME=FILE`` items (``ring=/etc/softphone/ring.wav``); every
    file is read now, so a wrong name or an unreadable file is refused at start-up."""
    overrides: dict[str, Path] = {}
    for item in items:
        name, sep, path = item.partition("=")
        name = name.strip()
        if not sep or not name or not path.strip():
            raise ToneError(f"a tone file is given as NAME=FILE, got {item!r}")
        known = name in TONES or (name.startswith("dtmf:") and name[5:].upper() in DTMF_FREQUENCIES)
        if not known:
            names = ", ".join(TONES)
            raise ToneError(f"unknown tone {name!r} (tones: {names}, dtmf:<digit>)")
        overrides[name] = Path(path.strip())
    tones = ToneSet(overrides)
    for name in overrides:
        tones.samples(name)
    return tones


class ToneSource:
    """Hands out consecutive slices of a rendered tone; None once a one-shot is done."""

    def __init__(self, samples: np.ndarray, loop: bool, gain: float = 1.0) -> None:
        self._samples = samples * np.float32(gain)
        self._loop = loop
        self._position = 0
        self._lock = threading.Lock()
        self.finished = threading.Event()

    def __call__(self, count: int) -> np.ndarray | None:
        with self._lock:
            if self.finished.is_set():
                return None
            if self._loop:
                indexes = (np.arange(count) + self._position) % len(self._samples)
                self._position = (self._position + count) % len(self._samples)
                return self._samples[indexes]
            return self._next_once(count)

    def _next_once(self, count: int) -> np.ndarray:
        out = np.zeros(count, dtype=np.float32)
        part = self._samples[self._position : self._position + count]
        out[: len(part)] = part
        self._position += count
        if self._position >= len(self._samples):
            self.finished.set()
        return out

    def stop(self) -> None:
        self.finished.set()
