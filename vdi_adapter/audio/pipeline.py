"""The sample path of one call, between pjmedia frames and sound-device blocks.

Theory of operation: two directions, each a producer, a bounded ring and a consumer.

    downlink  pjmedia frame (call rate, 20 ms) --resample x drift--> play ring (16 kHz)
              output callback takes 20 ms --x speaker volume (+ tones)--> loudspeaker, and
              the same block, as two 10 ms APM frames, into the echo-reference queue
    uplink    input callback: microphone 20 ms x gain --APM per 10 ms frame (AEC3/NS/AGC/
              HPF, with the next queued played frame as reference)--> mute
              --resample x drift--> send ring (call rate); pjmedia takes 20 ms frames

The resampler (libsamplerate via ``samplerate``, "sinc_fastest") converts between the
device rate and the call port's rate; its ratio carries the drift correction of each
ring's ``DriftController``, since libsamplerate accepts a ratio that changes from block
to block without clicks. The adapter opens the call port at the device rate whatever the
codec (the conference bridge converts a narrow-band call once, in C), so in practice
only the drift correction is left. A ring more than ``trim_ms`` above its target
(start-up, a clock stall) is cut back to the target at once.

The drift loop watches each ring's *fill*: its level as if the consumer drained it
continuously, i.e. the level less what the consumer would have taken since its last
read, in proportion to the time elapsed (``_fill``). The plain level jumps by a whole
block each time the two clocks' phases cross (every 6.7 s at a 0.3 % mismatch), and a
loop fed with it chased those steps: with a real fast sound card the delay wandered by
15-25 ms over tens of seconds. The fill is the cushion left when the consumer's next
read comes; its target, ``target_ms``, is what absorbs the two clocks' jitter.

``MediaPipeline`` owns no thread, stream or pjsua2 object: the driver (``bridge.py``)
calls ``from_call``/``to_call`` on pjmedia's clock thread, ``play_block`` and
``capture_block`` on the PortAudio output and input threads. Everything per block is a
handful of numpy operations on whole arrays.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import samplerate  # type: ignore[import-not-found]

from vdi_adapter.audio.buffers import ArrivalLog, DriftController, SampleRing, dbfs
from vdi_adapter.audio.processing import FRAME_SAMPLES, RATE, VoiceProcessing

DEVICE_RATE = RATE
DEVICE_BLOCK = 2 * FRAME_SAMPLES
"""Samples per sound-device callback: 20 ms, the same period as pjmedia's frames. Each
callback costs a fixed Python overhead (thread hand-off, array set-up) whatever its size,
so 20 ms blocks cost half of what 10 ms blocks do for 10 ms more delay each way."""
ECHO_REFERENCE_BLOCKS = 30
"""Most played 10 ms frames waiting for their captured frame (300 ms) before a resync."""
ECHO_REFERENCE_DEPTH = 6
"""Played 10 ms frames kept queued ahead of the capture (60 ms) to absorb stream jitter."""
INT16_SCALE = 32768.0
SHORT_BLOCK_TOLERANCE = 40
"""A ring this fraction of a block short (1/40: 0.5 ms) is read and padded, not refilled."""


@dataclass
class AudioControls:
    """Shared, live settings the agent changes: read by every pipeline each block."""

    microphone_gain: float = 1.0
    speaker_gain: float = 1.0
    muted: bool = False


class LevelMeter:
    """Loudest block level since the last ``take`` (what a UI meter shows)."""

    def __init__(self) -> None:
        self._peak = -100.0

    def feed(self, samples: np.ndarray) -> None:
        self._peak = max(self._peak, dbfs(samples))

    def take(self) -> float:
        peak, self._peak = self._peak, -100.0
        return peak


class MediaPipeline:
    """Resampling, drift control, processing and gains of one call's audio."""

    def __init__(
        self,
        call_rate: int,
        controls: AudioControls,
        processing: VoiceProcessing | None = None,
        *,
        target_ms: int = 15,
        capacity_ms: int = 240,
        trim_ms: int = 50,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.call_rate = call_rate
        self.call_frame = call_rate // 50
        self.controls = controls
        self.processing = processing
        self.play_ring = SampleRing(DEVICE_RATE * capacity_ms // 1000)
        self.send_ring = SampleRing(call_rate * capacity_ms // 1000)
        self.play_drift = DriftController(DEVICE_RATE * target_ms // 1000)
        self.send_drift = DriftController(call_rate * target_ms // 1000)
        self._trim_ms = trim_ms
        self._clock = clock
        self._play_read_at = 0.0
        self._send_read_at = 0.0
        """When the consumer of each ring last took a block (``clock`` time; 0: never)."""
        self._down = samplerate.Resampler("sinc_fastest", channels=1)
        self._up = samplerate.Resampler("sinc_fastest", channels=1)
        self.microphone_meter = LevelMeter()
        self.speaker_meter = LevelMeter()
        self.latency = LatencyLog()
        self._play_arrivals = ArrivalLog()
        self._send_arrivals = ArrivalLog()
        self.mixers: list[Callable[[int], np.ndarray | None]] = []
        self.call_muted = False
        self.busy_s = 0.0
        """CPU time spent in the bridge's callbacks (both threads), for diagnostics."""
        self._refilling: set[int] = set()
        self._echo_reference: deque[np.ndarray] = deque(maxlen=2 * ECHO_REFERENCE_BLOCKS)
        self._reference_refilling = True
        self.reference_resyncs = 0
        """Times the echo reference ran dry and pairing restarted (AEC3 re-converges)."""
        self.device_running = False
        """Set by the first device block; until then calls' audio is not queued."""
        self.created_at = clock()
        self.first_block_at = 0.0
        """When the devices delivered their first block (monotonic clock; 0: not yet)."""
        self._mixers_lock = threading.Lock()

    # pjmedia side (conference clock thread)

    def from_call(self, pcm: bytes) -> None:
        """A decoded frame from the call (int16 at the call rate) towards the loudspeaker."""
        if not self.device_running:
            return  # nothing plays it yet: queueing it would only add delay
        samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / INT16_SCALE
        fill = self._fill(self.play_ring, self._play_read_at, DEVICE_BLOCK, DEVICE_RATE)
        ratio = DEVICE_RATE / self.call_rate * self.play_drift.correction(fill)
        produced = self._down.process(samples, ratio, end_of_input=False)
        self.play_ring.write(produced)
        self._play_arrivals.wrote(self.play_ring.written, self._clock())
        self._trim(self.play_ring, self.play_drift, fill + len(produced), DEVICE_RATE)

    def to_call(self) -> bytes:
        """The next microphone frame for the encoder (int16 at the call rate)."""
        wait = self._wait(self.send_ring, self._send_arrivals, self.call_frame)
        if wait is not None:
            self.latency.uplink(wait)
        samples = self._take(self.send_ring, self.send_drift, self.call_frame)
        self._send_read_at = self._clock()
        return _to_int16(samples).tobytes()

    def _wait(self, ring: SampleRing, arrivals: ArrivalLog, count: int) -> float | None:
        # How long the samples of the block about to be taken have waited, on average.
        if ring.level < count:
            return None
        arrived = arrivals.mean_arrival(ring.removed, count)
        return None if arrived is None else self._clock() - arrived

    def _fill(self, ring: SampleRing, read_at: float, block: int, rate: int) -> int:
        # The level less what a continuous consumer would have drained since its last
        # read (at most one block: a late read must not make the ring look emptier).
        if not read_at:
            return ring.level
        drained = min(block, int((self._clock() - read_at) * rate))
        return max(0, ring.level - drained)

    def _mark_running(self) -> None:
        if not self.device_running:
            self.first_block_at = self._clock()
            self.device_running = True

    def _take(self, ring: SampleRing, drift: DriftController, count: int) -> np.ndarray:
        # After an underrun, wait until the ring holds a block and its target again, so
        # it has a cushion for the other clock's jitter instead of starving block after
        # block.
        # A few samples short is not an underrun: the drift correction makes each
        # producer block a sample or two longer or shorter, and the reader may come just
        # before the next one; those few are padded (and counted) instead.
        if ring.level < count - count // SHORT_BLOCK_TOLERANCE:
            self._refilling.add(id(ring))
        if id(ring) in self._refilling:
            if ring.level < count + drift.target:
                ring.starved += count
                return np.zeros(count, dtype=np.float32)
            self._refilling.discard(id(ring))
        return ring.read(count)

    def _trim(self, ring: SampleRing, drift: DriftController, fill: int, rate: int) -> None:
        # ``fill``: the ring's fill just after the write (the one the loop saw, plus it).
        excess = fill - drift.target
        if excess > rate * self._trim_ms // 1000:
            ring.trim_to(max(drift.target, ring.level - excess))

    # sound-device side (PortAudio callback thread)

    def device_block(self, microphone: np.ndarray | None, loudspeaker: np.ndarray | None) -> None:
        """One block of both directions, as a duplex device would call it."""
        if loudspeaker is not None:
            self.play_block(loudspeaker)
        if microphone is not None:
            self.capture_block(microphone)

    def play_block(self, loudspeaker: np.ndarray) -> None:
        """Fill one loudspeaker block (int16, a multiple of 10 ms); output-stream thread."""
        self._mark_running()
        wait = self._wait(self.play_ring, self._play_arrivals, len(loudspeaker))
        if wait is not None:
            self.latency.downlink(wait)
        played = self._take(self.play_ring, self.play_drift, len(loudspeaker))
        self._play_read_at = self._clock()
        played *= np.float32(self.controls.speaker_gain)
        played = self._mix_tones(played)
        self.speaker_meter.feed(played)
        played16 = _to_int16(played)
        loudspeaker[:] = played16
        if self.processing is not None:
            for start in range(0, len(played16), FRAME_SAMPLES):
                self._echo_reference.append(played16[start : start + FRAME_SAMPLES])

    def capture_block(self, microphone: np.ndarray) -> None:
        """Consume one microphone block (int16, a multiple of 10 ms); input-stream thread."""
        self._mark_running()
        gain = self.controls.microphone_gain
        captured = microphone if gain == 1.0 else _to_int16(microphone * (gain / INT16_SCALE))
        if self.processing is not None:
            cleaned = []
            for start in range(0, len(captured), FRAME_SAMPLES):
                reference = self._reference_block()
                if reference is not None:
                    self.processing.render(reference)
                cleaned.append(self.processing.capture(captured[start : start + FRAME_SAMPLES]))
            captured = np.concatenate(cleaned) if len(cleaned) > 1 else cleaned[0]
        samples = captured.astype(np.float32) / INT16_SCALE
        if self.controls.muted or self.call_muted:
            samples[:] = 0.0
        self.microphone_meter.feed(samples)
        fill = self._fill(self.send_ring, self._send_read_at, self.call_frame, self.call_rate)
        ratio = self.call_rate / DEVICE_RATE * self.send_drift.correction(fill)
        produced = self._up.process(samples, ratio, end_of_input=False)
        self.send_ring.write(produced)
        self._send_arrivals.wrote(self.send_ring.written, self._clock())
        self._trim(self.send_ring, self.send_drift, fill + len(produced), self.call_rate)

    def _reference_block(self) -> np.ndarray | None:
        # One played block per captured block, oldest first, so the delay AEC3 sees stays
        # constant whatever the threads' timing. The queue is kept a few blocks deep so
        # jitter between the two streams never empties it; if it does run empty (a stream
        # stalled or started late), pairing restarts once it holds that depth again.
        queue = self._echo_reference
        if len(queue) > ECHO_REFERENCE_BLOCKS:
            while len(queue) > ECHO_REFERENCE_DEPTH:
                queue.popleft()
        if self._reference_refilling:
            if len(queue) < ECHO_REFERENCE_DEPTH:
                return None
            self._reference_refilling = False
        if not queue:
            self._reference_refilling = True
            self.reference_resyncs += 1
            return None
        return queue.popleft()

    def _mix_tones(self, played: np.ndarray) -> np.ndarray:
        with self._mixers_lock:
            mixers = list(self.mixers)
        for mixer in mixers:
            tone = mixer(len(played))
            if tone is not None:
                played = played + tone
        return played

    def add_mixer(self, mixer: Callable[[int], np.ndarray | None]) -> None:
        """Mix a tone source (called with a sample count, returns samples or None)."""
        with self._mixers_lock:
            self.mixers.append(mixer)

    def remove_mixer(self, mixer: Callable[[int], np.ndarray | None]) -> None:
        with self._mixers_lock:
            if mixer in self.mixers:
                self.mixers.remove(mixer)


class LatencyLog:
    """How long samples wait in each ring (seconds), kept for the last ~10 minutes: per
    block taken, the mean wait of its samples from being written to being taken."""

    SIZE = 60000

    def __init__(self) -> None:
        self.up = np.zeros(self.SIZE, dtype=np.float32)
        self.down = np.zeros(self.SIZE, dtype=np.float32)
        self.up_count = 0
        self.down_count = 0

    def uplink(self, seconds: float) -> None:
        self.up[self.up_count % self.SIZE] = seconds
        self.up_count += 1

    def downlink(self, seconds: float) -> None:
        self.down[self.down_count % self.SIZE] = seconds
        self.down_count += 1


def _to_int16(samples: np.ndarray) -> np.ndarray:
    return np.clip(samples * INT16_SCALE, -32768, 32767).astype(np.int16)
