"""In-band DTMF detection (ITU-T Q.23 tone pairs), as a pure core fed with samples.

Theory of operation: each 20 ms block is analysed with the Goertzel transform at the
eight DTMF frequencies (Q.23: rows 697/770/852/941 Hz, columns 1209/1336/1477/1633 Hz).
A block holds a digit when the strongest row and column tones carry most of the
block's energy, each beats the runner-up of its group by 6 dB, and the two differ by
no more than 8 dB (twist, as Q.24 allows). A digit is reported once, after it was
seen in two blocks in a row (40 ms, Q.24's minimum tone length), and again only
after two blocks without it, so one key press gives one digit. Speech and single
tones fail the energy or the pair test. Samples in, digits out: no audio I/O here.
"""

from __future__ import annotations

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
        frequencies = np.array(ROWS + COLUMNS)
        self._basis = np.exp(-2j * np.pi * np.outer(frequencies, times))
        self._pending = np.zeros(0, dtype=np.float64)
        self._candidate = ""
        self._seen = 0
        self._absent = BLOCKS_OFF
        self._reported = ""

    def feed(self, samples: np.ndarray) -> list[str]:
        """Add samples (int16 or float in -1..1); return digits completed by them."""
        data = np.asarray(samples)
        if data.dtype == np.int16:
            data = data.astype(np.float64) / 32768.0
        self._pending = np.concatenate([self._pending, data.astype(np.float64)])
        digits: list[str] = []
        while len(self._pending) >= self.block:
            block, self._pending = self._pending[: self.block], self._pending[self.block :]
            digit = self._debounce(self.classify(block))
            if digit:
                digits.append(digit)
        return digits

    def classify(self, block: np.ndarray) -> str:
        """The digit one block holds, or ''."""
        rms = float(np.sqrt(np.mean(block**2)))
        if rms < MIN_RMS:
            return ""
        amplitudes = 2 * np.abs(self._basis @ block) / len(block)
        rows, columns = amplitudes[:4], amplitudes[4:]
        row, column = int(np.argmax(rows)), int(np.argmax(columns))
        if not _dominates(rows, row) or not _dominates(columns, column):
            return ""
        high, low = max(rows[row], columns[column]), min(rows[row], columns[column])
        if low <= 0 or high / low > MAX_TWIST_RATIO:
            return ""
        tone_energy = (rows[row] ** 2 + columns[column] ** 2) / 2
        if tone_energy < MIN_TONE_SHARE * rms**2:
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


def _dominates(levels: np.ndarray, best: int) -> bool:
    others = np.delete(levels, best)
    return bool(levels[best] >= MIN_GROUP_RATIO * others.max())
