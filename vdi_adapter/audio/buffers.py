"""Clock-drift control between two audio clocks, and the bookkeeping around sample rings.

Theory of operation: a call's audio crosses two clocks, the sound card's (PortAudio
callbacks) and pjmedia's (the conference bridge's clock thread). Each direction has one
ring between them (``DeviceRing``, in C beside the callbacks); the pipeline resamples on
its side of each. If the clocks differ by 0.1 %, a ring gains or loses 16 samples a
second and, left alone, the delay grows or the speaker starves. ``DriftController``
watches the ring's fill and nudges the resampling ratio (at most ``max_correction``) so
the fill settles on a target; the change is far too small to hear. ``ArrivalLog`` keeps
when samples were written, to time how long they wait. ``SampleRing`` is the same kind of
bounded ring in Python, for the microphone test's loopback (not per call, so its Python
callbacks do not matter): past ``capacity`` the oldest audio is dropped.

All of this is pure numpy with no thread or clock of its own; a lock in ``SampleRing``
makes one producer and one consumer thread safe.
"""

from __future__ import annotations

import math
import threading
from collections import deque

import numpy as np


class SampleRing:
    """Bounded FIFO of float32 mono samples; overflow drops the oldest samples."""

    def __init__(self, capacity: int) -> None:
        self._data = np.zeros(capacity, dtype=np.float32)
        self._capacity = capacity
        self._start = 0
        self._level = 0
        self._lock = threading.Lock()
        self.dropped = 0
        """Samples discarded because the ring was full."""
        self.starved = 0
        """Samples the consumer wanted but the ring did not have (filled with silence)."""
        self.written = 0
        """Samples ever written: the index the next written sample gets."""
        self.removed = 0
        """Samples ever removed from the front (read, trimmed or dropped): the index of
        the oldest sample waiting."""

    @property
    def level(self) -> int:
        """Samples waiting now."""
        return self._level

    @property
    def capacity(self) -> int:
        return self._capacity

    def write(self, samples: np.ndarray) -> None:
        """Append samples; if they do not fit, the oldest ones are dropped."""
        with self._lock:
            self.written += len(samples)
            if len(samples) >= self._capacity:
                self.dropped += self._level + len(samples) - self._capacity
                self.removed += self._level + len(samples) - self._capacity
                samples = samples[-self._capacity :]
                self._start, self._level = 0, 0
            overflow = self._level + len(samples) - self._capacity
            if overflow > 0:
                self._discard(overflow)
                self.dropped += overflow
            self._put((self._start + self._level) % self._capacity, samples)
            self._level += len(samples)

    def _put(self, at: int, samples: np.ndarray) -> None:
        first = min(len(samples), self._capacity - at)
        self._data[at : at + first] = samples[:first]
        self._data[: len(samples) - first] = samples[first:]

    def _discard(self, count: int) -> None:
        self._start = (self._start + count) % self._capacity
        self._level -= count
        self.removed += count

    def read(self, count: int) -> np.ndarray:
        """Take ``count`` samples; missing ones are silence (counted in ``starved``)."""
        out = np.zeros(count, dtype=np.float32)
        with self._lock:
            take = min(count, self._level)
            first = min(take, self._capacity - self._start)
            out[:first] = self._data[self._start : self._start + first]
            out[first:take] = self._data[: take - first]
            self._discard(take)
            self.starved += count - take
        return out

    def trim_to(self, level: int) -> int:
        """Drop the oldest samples down to ``level``; returns how many were dropped."""
        with self._lock:
            excess = max(0, self._level - level)
            self._discard(excess)
            self.dropped += excess
        return excess

    def clear(self) -> None:
        with self._lock:
            self.removed += self._level
            self._start, self._level = 0, 0


class ArrivalLog:
    """When the samples of a ring were written, to time how long they wait.

    Each write is logged as (index after the write, time); the arrival time of sample
    ``index`` is the time of the first write that ends after it. Lookups must come in
    increasing index order (a ring's reads do), so old writes are forgotten as they go.
    A block read usually spans two writes; ``mean_arrival`` weighs each by the samples
    it gave, so a block's wait does not depend on where the two clocks' phases put the
    write boundary (a single sample's would swing by a whole block).
    """

    def __init__(self) -> None:
        self._writes: deque[tuple[int, float]] = deque(maxlen=256)

    def wrote(self, end_index: int, at: float) -> None:
        self._writes.append((end_index, at))

    def arrival(self, index: int) -> float | None:
        self._forget_before(index)
        return self._writes[0][1] if self._writes else None

    def _forget_before(self, index: int) -> None:
        # Writes that ended at or before ``index`` hold no sample still to be read.
        writes = self._writes
        while writes and writes[0][0] <= index:
            writes.popleft()

    def mean_arrival(self, first: int, count: int) -> float | None:
        """Mean arrival time of samples ``first`` .. ``first + count - 1``."""
        self._forget_before(first)
        total, start, stop = 0.0, first, first + count
        for end, at in self._writes:
            taken = min(end, stop) - start
            if taken > 0:
                total += taken * at
                start += taken
            if start >= stop:
                break
        return total / (start - first) if start > first else None


class DriftController:
    """Turns a ring's fill level into a resampling-ratio correction.

    A proportional-integral loop on the level error, evaluated once per pjmedia tick.
    The level it is given is the ring's fill (see ``pipeline``), free of the block
    steps a plain level has, so the loop can be quick: with the default gains it settles
    in about two seconds, well damped (natural frequency ~0.6 rad/s, damping ~0.8, for a
    15 ms target at 16 kHz), and the smoothing keeps block-to-block jitter out of the
    ratio (a few hundredths of a percent).
    ``correction()`` returns a factor near 1.0 for the resampling ratio (output samples
    per input sample): below 1 when the ring is fuller than ``target``, above 1 when it
    runs low. Downlink that makes fewer samples for the loudspeaker's ring; uplink, more
    of the microphone's ring is taken for each of the call's frames.
    """

    def __init__(
        self,
        target: int,
        *,
        max_correction: float = 0.005,
        gain: float = 0.015,
        integral_gain: float = 0.0001,
        smoothing: float = 0.05,
    ) -> None:
        self.target = target
        self._max = max_correction
        self._gain = gain
        self._integral_gain = integral_gain
        self._smoothing = smoothing
        self._level = float(target)
        self._integral = 0.0

    def correction(self, level: int) -> float:
        """Ratio factor for the next block, given the ring level before producing it."""
        self._level += self._smoothing * (level - self._level)
        error = (self._level - self.target) / max(self.target, 1)
        self._integral = _clamp(self._integral + error * self._integral_gain, self._max)
        return 1.0 - _clamp(error * self._gain + self._integral, self._max)


def _clamp(value: float, limit: float) -> float:
    return max(-limit, min(limit, value))


def dbfs(samples: np.ndarray) -> float:
    """RMS level of float samples in dBFS (full scale = 1.0); -100 for silence."""
    if len(samples) == 0:
        return -100.0
    power = float(np.dot(samples, samples)) / len(samples)
    return max(-100.0, 10.0 * math.log10(power)) if power > 1e-10 else -100.0
