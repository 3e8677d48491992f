"""In-band DTMF detection (ITU-T Q.23 tone pairs), as a pure core fed with samples.

Theory of operation: each 20 ms block is analysed with a discrete Fourier transform
at the eight DTMF frequencies (Q.23: rows 697/770/852/941 Hz, columns 1209/1336/1477/1633 Hz).
A block holds a digit when the strongest row and column tones carry most of the
block's energy, each beats the runner-up of its group by 6 dB, and the two differ by
no more than 8 dB (twist, as Q.24 allows). A digit is reported once, after it was
seen in two blocks in a row (40 ms, Q.24's minimum tone length), and again only
after two blocks without it, so one key press gives one digit. Speech and single
tones fail the energy or the pair test. Samples in, digits out: no audio I/O here.
"""

from __future__ import annotations

import math

import numpy as np

ROWS = (697.0, 770.0, 852.0, 941.0)
COLUMNS = (1209.0, 1336.0, 1477.0, 1633.0)
KEYS = ("123A", "456B", "789C", "*0#D")

#: Quietest block analysed (RMS relative to full scale, about -45 dBFS).
MIN_RMS = 0.0056
#: Share of the block's energy the two tones must carry.
MIN_TONE_SHARE = 0.6
#: Each tone must beat the runner-up of its group by this amplitude ratio (6 dB).
MIN_GROUP_RATIO = 2.0
#: Largest row/column level difference (8 dB).
MAX_TWIST_RATIO = 10 ** (8 / 20)
#: Blocks a digit must last to be reported, and gap blocks before it may repeat.
BLOCKS_ON = 2
BLOCKS_OFF = 2


class DtmfDetector:
    """Feeds 16-bit samples block by block; returns digits as they are recognised."""

    def __init__(self, sample_rate: int, block_samples: int | None = None) -> None:
        self.sample_rate = sample_rate
        self.block = block_samples or sample_rate // 50
        times = np.arange(self.block) / sample_rate
        phases = 2 * np.pi * np.outer(ROWS + COLUMNS, times)
        # Goertzel at the eight frequencies as one real matrix product: cosine rows,
        # then sine rows, pre-scaled to give tone amplitudes (full scale = 1.0). It runs
        # on pjmedia's clock thread for every call, so the work per 20 ms block is a
        # handful of numpy calls on float32, the group tests on plain floats.
        scale = 2.0 / (32768.0 * self.block)
        self._basis = (np.vstack([np.cos(phases), np.sin(phases)]) * scale).astype(np.float32)
        # Below MIN_RMS, in the sum of squares of int16 samples.
        self._min_power = (MIN_RMS * 32768.0) ** 2 * self.block
        self._pending = np.zeros(0, dtype=np.float32)
        self._candidate = ""
        self._seen = 0
        self._absent = BLOCKS_OFF
        self._reported = ""

    def feed(self, samples: np.ndarray) -> list[str]:
        """Add samples (int16 or float in -1..1); return digits completed by them."""
        data = np.asarray(samples)
        data = data.astype(np.float32) if data.dtype == np.int16 else data * np.float32(32768.0)
        if len(self._pending):
            data = np.concatenate([self._pending, data.astype(np.float32)])
        digits: list[str] = []
        start = 0
        while len(data) - start >= self.block:
            digit = self._debounce(self._classify(data[start : start + self.block]))
            start += self.block
            if digit:
                digits.append(digit)
        self._pending = data[start:].astype(np.float32)
        return digits

    def _classify(self, block: np.ndarray) -> str:
        """The digit one block (float32 samples on the int16 scale) holds, or ''."""
        power = float(np.dot(block, block))
        if power < self._min_power:
            return ""
        parts = (self._basis @ block).tolist()
        amplitudes = [math.hypot(c, s) for c, s in zip(parts[:8], parts[8:], strict=True)]
        rows, columns = amplitudes[:4], amplitudes[4:]
        row, column = _loudest(rows), _loudest(columns)
        if row < 0 or column < 0:
            return ""
        high, low = max(rows[row], columns[column]), min(rows[row], columns[column])
        if low <= 0 or high / low > MAX_TWIST_RATIO:
            return ""
        tone_energy = (rows[row] ** 2 + columns[column] ** 2) / 2
        mean_square = power / (len(block) * 32768.0**2)
        if tone_energy < MIN_TONE_SHARE * mean_square:
            return ""
        return KEYS[row][column]

    def _debounce(self, digit: str) -> str:
        if not digit:
            self._absent += 1
            self._seen = 0
            if self._absent >= BLOCKS_OFF:
                self._reported = ""
            return ""
        self._absent = 0
        self._seen = self._seen + 1 if digit == self._candidate else 1
        self._candidate = digit
        if self._seen >= BLOCKS_ON and digit != self._reported:
            self._reported = digit
            return digit
        return ""


def _loudest(levels: list[float]) -> int:
    """Index of the loudest level if it beats every other by ``MIN_GROUP_RATIO``; else -1."""
    best = max(range(len(levels)), key=levels.__getitem__)
    runner_up = max(level for index, level in enumerate(levels) if index != best)
    return best if levels[best] >= MIN_GROUP_RATIO * runner_up else -1
