"""The sample path of one call, between pjmedia frames and sound-device rings.

Theory of operation: the sound card's clock and pjmedia's meet in two rings of 16-bit
samples at the device rate (``DeviceRing``, in C with the PortAudio callbacks that fill
and empty them: no Python runs on the sound-device threads). Everything else happens
here, on pjmedia's clock thread, once per 20 ms tick:

    downlink  pjmedia frame (call rate) --resample x drift--> x speaker volume (+ tones)
              --> play ring --> output callback --> loudspeaker, and a copy of each
              block as it is played --> played ring --10 ms frames--> echo reference
    uplink    input callback --> capture ring --10 ms frames--> x gain --APM (AEC3/NS/
              AGC/HPF, the next played frame as reference)--> mute
              --resample x drift--> pending samples (call rate) --> the call's frame

The echo reference is taken as the loudspeaker plays it, not as the pipeline queues it
35 ms earlier: AEC3 then sees the same render-to-echo delay as when the reference was
fed from the output callback itself, and double talk suffered with the earlier timing
(PESQ 1.6-2.0 against 2.0-2.6, the agent talking while the customer does).

The resampler (libsamplerate via ``samplerate``, "sinc_fastest") converts between the
device rate and the call port's rate; its ratio carries the drift correction of each
ring's ``DriftController``, since libsamplerate accepts a ratio that changes from block
to block without clicks. The adapter opens the call port at the device rate whatever the
codec (the conference bridge converts a narrow-band call once, in C), so in practice
only the drift correction is left. A ring more than ``trim_ms`` above its target
(start-up, a clock stall) is cut back to the target at once.

The drift loops watch each ring's *fill*, free of the steps its plain level takes by a
whole block each time the two clocks' phases cross (every 6.7 s at a 0.3 % mismatch; a
loop fed with the plain level chased those steps and the delay wandered by 15-25 ms).
The play ring's fill is its level less what the loudspeaker would have drained since its
last block, were it draining continuously; the capture ring's is its level plus what the
microphone has recorded since its last block and not yet delivered, less the two blocks
that are the least it must hold for the next read to find one whatever the phase. Both
are the cushion left for the two clocks' jitter, and both loops keep it at ``target_ms``.

``MediaPipeline`` owns no thread, stream or pjsua2 object: the driver (``bridge.py``)
calls ``from_call``/``to_call`` on pjmedia's clock thread and attaches the rings to the
streams. Tests drive the rings' device side with ``device_write``/``device_read`` and a
simulated clock.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import samplerate  # type: ignore[import-not-found]

from vdi_adapter.audio._device_ring import SHORT_BLOCK_TOLERANCE, DeviceRing, monotonic
from vdi_adapter.audio.buffers import ArrivalLog, DriftController, dbfs
from vdi_adapter.audio.processing import FRAME_SAMPLES, RATE, VoiceProcessing

DEVICE_RATE = RATE
DEVICE_BLOCK = 2 * FRAME_SAMPLES
"""Samples per sound-device callback: 20 ms, the same period as pjmedia's frames. The
sound server wakes the callback thread once per block, so 10 ms blocks would take about
10 ms off each way for twice the wake-ups."""
ECHO_REFERENCE_BLOCKS = 30
"""Most played 10 ms frames waiting for their captured frame (300 ms) before a resync."""
ECHO_REFERENCE_DEPTH = 6
"""Played 10 ms frames kept queued ahead of the capture (60 ms) to absorb stream jitter."""
INT16_SCALE = 32768.0


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
        clock: Callable[[], float] = monotonic,
    ) -> None:
        self.call_rate = call_rate
        self.call_frame = call_rate // 50
        self.controls = controls
        self.processing = processing
        self._ring_samples = DEVICE_RATE * capacity_ms // 1000
        self.play_ring = DeviceRing(self._ring_samples)
        self.capture_ring = DeviceRing(self._ring_samples)
        self.played_ring = DeviceRing(self._ring_samples)
        """What the loudspeaker played, as it played it: the echo canceller's reference."""
        if processing is not None:
            self.play_ring.echo = self.played_ring
        self._send_pending = np.zeros(0, dtype=np.float32)
        """The uplink resampler's output not yet taken by the call (under a frame)."""
        self.play_drift = DriftController(DEVICE_RATE * target_ms // 1000)
        self.capture_drift = DriftController(DEVICE_RATE * target_ms // 1000)
        self.play_ring.target = self.play_drift.target
        self._trim = DEVICE_RATE * trim_ms // 1000
        self._clock = clock
        self._down = samplerate.Resampler("sinc_fastest", channels=1)
        self._up = samplerate.Resampler("sinc_fastest", channels=1)
        self.microphone_meter = LevelMeter()
        self.speaker_meter = LevelMeter()
        self.latency = LatencyLog()
        self._play_arrivals = ArrivalLog()
        self._capture_arrivals = ArrivalLog()
        self.mixers: list[Callable[[int], np.ndarray | None]] = []
        self.call_muted = False
        self.busy_s = 0.0
        """Time spent in the bridge's callbacks on pjmedia's thread, for diagnostics."""
        self.silent_frames = 0
        """Frames the call got as silence because the microphone's audio ran out."""
        self.padded = 0
        """Samples padded onto frames that came up a few samples short."""
        self._capture_refilling = True
        self._echo_reference: deque[np.ndarray] = deque(maxlen=2 * ECHO_REFERENCE_BLOCKS)
        self._reference_part = np.zeros(0, dtype=np.int16)
        self._reference_refilling = True
        self.reference_resyncs = 0
        """Times the echo reference ran dry and pairing restarted (AEC3 re-converges)."""
        self.device_running = False
        """Set once a device has used a ring; until then calls' audio is not queued."""
        self.created_at = clock()
        self.first_block_at = 0.0
        """When the devices delivered their first block (pipeline clock; 0: not yet)."""
        self._mixers_lock = threading.Lock()

    @property
    def send_starved(self) -> int:
        """Samples of silence the call got: whole frames while the microphone's audio
        ran out, and the few samples padded when a frame came up just short."""
        return self.silent_frames * self.call_frame + self.padded

    @property
    def send_dropped(self) -> int:
        return self.capture_ring.dropped

    @property
    def send_level(self) -> int:
        """Uplink audio waiting for the call, in device samples."""
        pending = len(self._send_pending) * DEVICE_RATE // self.call_rate
        return self.capture_ring.level + pending

    def _check_running(self) -> bool:
        if not self.device_running and (self.play_ring.blocks or self.capture_ring.blocks):
            self.first_block_at = self._clock()
            self.device_running = True
        return self.device_running

    # downlink

    def from_call(self, pcm: bytes | None) -> None:
        """A decoded frame from the call (int16 at the call rate; None: silence)."""
        if not self._check_running():
            return  # nothing plays it yet: queueing it would only add delay
        self._time_plays()
        now = self._clock()
        samples = (
            np.frombuffer(pcm, dtype=np.int16).astype(np.float32) / INT16_SCALE
            if pcm
            else np.zeros(self.call_frame, dtype=np.float32)
        )
        ring = self.play_ring
        level, read_at, _written, _removed = ring.snapshot()
        # The level less what a continuous loudspeaker would have drained since its last
        # block (at most one block: a late read must not make the ring look emptier).
        fill = level - _samples_since(read_at, now)
        ratio = DEVICE_RATE / self.call_rate * self.play_drift.correction(max(0, fill))
        produced = self._down.process(samples, ratio, end_of_input=False)
        produced *= np.float32(self.controls.speaker_gain)
        produced = self._mix_tones(produced)
        self.speaker_meter.feed(produced)
        played = _to_int16(produced)
        ring.write(played)
        self._play_arrivals.wrote(ring.written, now)
        excess = max(0, fill) + len(played) - self.play_drift.target
        if excess > self._trim:
            ring.trim_to(max(self.play_drift.target, level + len(played) - excess))

    def _time_plays(self) -> None:
        # How long the samples of each block the loudspeaker took had waited, on average.
        for first, count, at in self.play_ring.take_log():
            arrived = self._play_arrivals.mean_arrival(first, count) if count else None
            if arrived is not None:
                self.latency.downlink(at - arrived)

    def _queue_reference(self) -> None:
        # The echo reference goes to the APM in 10 ms frames, one per captured frame.
        # Everything waiting (a read never returns more than is there).
        played = np.frombuffer(self.played_ring.read(self._ring_samples), np.int16)
        part = np.concatenate((self._reference_part, played))
        whole = len(part) - len(part) % FRAME_SAMPLES
        for start in range(0, whole, FRAME_SAMPLES):
            self._echo_reference.append(part[start : start + FRAME_SAMPLES])
        self._reference_part = part[whole:]

    # uplink

    def to_call(self) -> bytes:
        """The next microphone frame for the encoder (int16 at the call rate)."""
        if not self._check_running():
            return bytes(2 * self.call_frame)
        if self.processing is not None:
            self._queue_reference()  # every tick: the queue trims itself if none is used
        ring, pending = self.capture_ring, self._send_pending
        for end, _count, at in ring.take_log():
            self._capture_arrivals.wrote(end, at)
        level, written_at, _written, removed = ring.snapshot()
        now = self._clock()
        scale = self.call_rate / DEVICE_RATE
        frame = self.call_frame / scale  # device samples one call frame takes
        undelivered = _samples_since(written_at, now)
        fill = level + len(pending) / scale + undelivered - DEVICE_BLOCK - frame
        if self._capture_refilling:
            # After an underrun (or at the start), wait until the cushion is there
            # again, instead of starving block after block.
            if fill < self.capture_drift.target:
                self.silent_frames += 1
                return bytes(2 * self.call_frame)
            self._capture_refilling = False
            self._resync_reference()
        excess = fill - self.capture_drift.target
        if excess > self._trim:
            cut = ring.trim_to(max(0, int(level - excess)))
            level, removed, fill = level - cut, removed + cut, fill - cut
        ratio = scale * self.capture_drift.correction(int(fill))
        while len(pending) < self.call_frame and level >= FRAME_SAMPLES:
            # As many 10 ms frames as the call's frame needs (two, unless the drift
            # correction has left a frame's worth waiting), in one go.
            short = (self.call_frame - len(pending)) / (FRAME_SAMPLES * ratio)
            count = FRAME_SAMPLES * min(level // FRAME_SAMPLES, max(1, math.ceil(short)))
            pcm = ring.read(count)  # only this thread takes from it: ``level`` are there
            arrived = self._capture_arrivals.mean_arrival(removed, count)
            if arrived is not None:
                self.latency.uplink(now - arrived)
            level, removed = level - count, removed + count
            produced = self._up.process(self._clean(pcm), ratio, end_of_input=False)
            pending = np.concatenate((pending, produced))
        # A few samples short is the drift correction's doing: padded, not an underrun.
        if len(pending) < self.call_frame - self.call_frame // SHORT_BLOCK_TOLERANCE:
            self._send_pending = pending
            self._capture_refilling = True
            self.silent_frames += 1
            return bytes(2 * self.call_frame)
        sent, self._send_pending = pending[: self.call_frame], pending[self.call_frame :]
        if len(sent) < self.call_frame:
            self.padded += self.call_frame - len(sent)
            sent = np.concatenate((sent, np.zeros(self.call_frame - len(sent), np.float32)))
        return _to_int16(sent).tobytes()

    def _clean(self, pcm: bytes) -> np.ndarray:
        """Microphone frames: gain, voice processing (per 10 ms), mute; float samples."""
        captured = np.frombuffer(pcm, dtype=np.int16)
        gain = self.controls.microphone_gain
        if gain != 1.0:
            captured = _to_int16(captured * (gain / INT16_SCALE))
        processing = self.processing
        if processing is not None:
            cleaned = []
            for start in range(0, len(captured), FRAME_SAMPLES):
                reference = self._reference_block()
                if reference is not None:
                    processing.render(reference)
                cleaned.append(processing.capture(captured[start : start + FRAME_SAMPLES]))
            captured = cleaned[0] if len(cleaned) == 1 else np.concatenate(cleaned)
        samples = captured.astype(np.float32) / INT16_SCALE
        if self.controls.muted or self.call_muted:
            samples[:] = 0.0
        self.microphone_meter.feed(samples)
        return samples

    def _resync_reference(self) -> None:
        # The microphone was silent a while (no device, or a stall) while the loudspeaker
        # went on: keep only the newest played frames, as deep as pairing keeps them.
        queue = self._echo_reference
        while len(queue) > ECHO_REFERENCE_DEPTH:
            queue.popleft()

    def _reference_block(self) -> np.ndarray | None:
        # One played frame per captured frame, oldest first, so the delay AEC3 sees stays
        # constant whatever the clocks' phases. The queue is kept a few frames deep so
        # the phase of the two devices' blocks never empties it; if it does run empty (a
        # stream stalled or started late), pairing restarts once it holds that depth again.
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


def _samples_since(device_at: float, now: float) -> int:
    """Device samples since a device's last block, at most one block (0: it never ran)."""
    if not device_at:
        return 0
    return max(0, min(DEVICE_BLOCK, int((now - device_at) * DEVICE_RATE)))


def _to_int16(samples: np.ndarray) -> np.ndarray:
    return np.clip(samples * INT16_SCALE, -32768, 32767).astype(np.int16)
