"""Two audio clocks that disagree, driving a ``MediaPipeline`` in simulated time."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vdi_adapter.audio.pipeline import DEVICE_BLOCK, DEVICE_RATE, AudioControls, MediaPipeline


class SimulatedClock:
    """The pipeline's clock in simulated time (seconds), set by ``run_clocks``."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def simulated_pipeline() -> tuple[MediaPipeline, SimulatedClock]:
    """A 16 kHz pipeline reading a simulated clock."""
    clock = SimulatedClock()
    return MediaPipeline(16000, AudioControls(), clock=clock), clock


@dataclass
class DriftRun:
    """Ring levels (ms) sampled at every consumer read, and samples starved after warm-up."""

    play_ms: list[float] = field(default_factory=list)
    send_ms: list[float] = field(default_factory=list)
    starved_after_warmup: int = 0


def run_clocks(
    pipeline: MediaPipeline,
    clock: SimulatedClock,
    seconds: float,
    mismatch: float,
    warmup_s: float = 30.0,
) -> DriftRun:
    """pjmedia ticks every 20 ms; the sound card every 20 ms * (1 + mismatch)."""
    run = DriftRun()
    frame = np.zeros(pipeline.call_frame, dtype=np.int16).tobytes()
    microphone = np.zeros(DEVICE_BLOCK, dtype=np.int16)
    call_period, device_period = 0.020, DEVICE_BLOCK / DEVICE_RATE * (1 + mismatch)
    next_call, next_device, starved_at_warmup = 0.0, 0.0, None
    while min(next_call, next_device) < seconds:
        if next_call <= next_device:
            # pjmedia's tick: the conference takes our frame, then gives us the call's.
            clock.now = next_call
            run.send_ms.append(pipeline.send_level / DEVICE_RATE * 1000)
            pipeline.to_call()
            pipeline.from_call(frame)
            next_call += call_period
        else:
            clock.now = next_device
            run.play_ms.append(pipeline.play_ring.level / DEVICE_RATE * 1000)
            pipeline.capture_ring.device_write(microphone, clock.now)
            pipeline.play_ring.device_read(DEVICE_BLOCK, clock.now)
            next_device += device_period
        if starved_at_warmup is None and next_call >= warmup_s:
            starved_at_warmup = _starved(pipeline)
    run.starved_after_warmup = _starved(pipeline) - (starved_at_warmup or 0)
    return run


def _starved(pipeline: MediaPipeline) -> int:
    return pipeline.play_ring.starved + pipeline.send_starved
