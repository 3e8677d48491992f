"""Is a tone there? The dominant frequency of a recording, by FFT."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Samples (float) and rate of a 16-bit mono WAV; (empty, 8000) if unreadable.

    A recorder that is still open has not written its chunk sizes yet (pjmedia fills
    them in at close), so the sizes are not trusted: the data runs to the end of the file.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return np.zeros(0), 8000
    fmt, data = raw.find(b"fmt "), raw.find(b"data")
    if raw[:4] != b"RIFF" or fmt < 0 or data < 0:
        return np.zeros(0), 8000
    rate = struct.unpack_from("<I", raw, fmt + 12)[0]
    pcm = raw[data + 8 :]
    return np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float64), rate


def dominant_frequency(path: Path, min_rms: float = 100.0) -> float | None:
    """The strongest frequency in a 16-bit mono WAV, or None if it is (near) silent."""
    samples, rate = read_wav(path)
    samples = samples[len(samples) // 5 :]  # skip the start: jitter buffer and tone ramp-up
    return strongest_frequency(samples, rate, min_rms)


def strongest_frequency(samples: np.ndarray, rate: int, min_rms: float = 100.0) -> float | None:
    """The strongest frequency in ``samples``, or None if they are (near) silent."""
    samples = samples.astype(np.float64)
    if samples.size < rate // 10 or np.sqrt(np.mean(samples**2)) < min_rms:
        return None
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    spectrum[0] = 0.0
    return float(np.fft.rfftfreq(samples.size, 1 / rate)[int(np.argmax(spectrum))])


_ROWS = (697.0, 770.0, 852.0, 941.0)
_COLS = (1209.0, 1336.0, 1477.0, 1633.0)
_KEYS = ("123A", "456B", "789C", "*0#D")


def _goertzel_power(block: np.ndarray, frequency: float, rate: int) -> float:
    n = np.arange(block.size)
    probe = np.exp(-2j * np.pi * frequency * n / rate)
    return float(np.abs(np.dot(block, probe)) ** 2)


def detect_dtmf(path: Path, block_ms: int = 40) -> str:
    """DTMF digits heard in a 16-bit mono WAV (ITU-T Q.24 pairs), in order."""
    samples, rate = read_wav(path)
    size = rate * block_ms // 1000
    digits, last = [], ""
    for start in range(0, samples.size - size, size):
        block = samples[start : start + size]
        if np.sqrt(np.mean(block**2)) < 200:
            last = ""
            continue
        rows = [_goertzel_power(block, f, rate) for f in _ROWS]
        cols = [_goertzel_power(block, f, rate) for f in _COLS]
        total = float(np.dot(block, block)) * size / 2
        r, c = int(np.argmax(rows)), int(np.argmax(cols))
        # Both tones must carry most of the block's energy, else it is speech or noise.
        key = _KEYS[r][c] if (rows[r] + cols[c]) > 0.5 * total else ""
        if key and key != last:
            digits.append(key)
        last = key
    return "".join(digits)
