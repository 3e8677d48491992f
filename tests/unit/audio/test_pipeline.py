"""The sample path core: resampling, drift control, gains, mute, tones (no devices)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.audio.drift import SimulatedClock, run_clocks, simulated_pipeline
from vdi_adapter.audio._device_ring import DeviceRing
from vdi_adapter.audio.pipeline import DEVICE_BLOCK, DEVICE_RATE, AudioControls, MediaPipeline
from vdi_adapter.audio.tones import ToneSet


def sine(frequency: float, count: int, rate: int, start: int = 0) -> np.ndarray:
    t = (np.arange(count) + start) / rate
    return (np.sin(2 * np.pi * frequency * t) * 8000).astype(np.int16)


def peak_frequency(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


def pump(
    pipeline: MediaPipeline, clock: SimulatedClock, blocks: int, mic_hz: float, call_hz: float
) -> tuple[np.ndarray, np.ndarray]:
    """A pjmedia tick then a block of each device, every 20 ms; returns (played, sent)."""
    played, sent = [], []
    for i in range(blocks):
        clock.now += 0.02
        sent.append(np.frombuffer(pipeline.to_call(), dtype=np.int16))
        call = sine(call_hz, pipeline.call_frame, pipeline.call_rate, i * pipeline.call_frame)
        pipeline.from_call(call.tobytes())
        microphone = sine(mic_hz, DEVICE_BLOCK, DEVICE_RATE, i * DEVICE_BLOCK)
        pipeline.capture_ring.device_write(microphone, clock.now)
        played.append(
            np.frombuffer(pipeline.play_ring.device_read(DEVICE_BLOCK, clock.now), np.int16)
        )
    return np.concatenate(played), np.concatenate(sent)


def clocked(call_rate: int, controls: AudioControls) -> tuple[MediaPipeline, SimulatedClock]:
    clock = SimulatedClock()
    return MediaPipeline(call_rate, controls, clock=clock), clock


@pytest.mark.parametrize("call_rate", [8000, 16000, 32000])
def test_audio_is_resampled_both_ways_without_changing_pitch(call_rate: int) -> None:
    pipeline, clock = clocked(call_rate, AudioControls())
    played, sent = pump(pipeline, clock, 300, mic_hz=700, call_hz=1000)
    # The first seconds the drift loops may stretch the audio by up to 0.5 % to build
    # their cushions; then the pitch is exact.
    assert abs(peak_frequency(played[-2 * DEVICE_RATE :], DEVICE_RATE) - 1000) < 2
    assert abs(peak_frequency(sent[-2 * call_rate :], call_rate) - 700) < 2


def test_mute_volume_and_gain() -> None:
    controls = AudioControls(speaker_gain=0.25, microphone_gain=0.5)
    pipeline, clock = clocked(16000, controls)
    played, sent = pump(pipeline, clock, 100, mic_hz=700, call_hz=1000)
    assert 0.2 < np.abs(played[DEVICE_RATE:]).max() / 8000 < 0.3
    assert 0.45 < np.abs(sent[16000:]).max() / 8000 < 0.55
    controls.muted = True
    _, sent = pump(pipeline, clock, 50, mic_hz=700, call_hz=1000)
    assert np.abs(sent[1600:]).max() == 0


def test_tones_are_mixed_into_what_the_agent_hears() -> None:
    pipeline, clock = clocked(16000, AudioControls())
    source = ToneSet().source("busy")
    pipeline.add_mixer(source)
    played, _ = pump(pipeline, clock, 40, mic_hz=700, call_hz=0)
    assert abs(peak_frequency(played, DEVICE_RATE) - 425) < 5
    pipeline.remove_mixer(source)
    played, _ = pump(pipeline, clock, 10, mic_hz=700, call_hz=0)
    assert np.abs(played[2 * DEVICE_BLOCK :]).max() == 0


def test_frames_without_audio_still_play_the_tones() -> None:
    # pjmedia hands the port frames without audio when nothing is mixed for it (a call
    # on hold): the loudspeaker must still get its blocks, and the tones in them.
    pipeline, clock = clocked(16000, AudioControls())
    pipeline.add_mixer(ToneSet().source("busy"))
    played = []
    for _ in range(40):
        clock.now += 0.02
        pipeline.to_call()
        pipeline.from_call(None)
        played.append(
            np.frombuffer(pipeline.play_ring.device_read(DEVICE_BLOCK, clock.now), np.int16)
        )
    assert abs(peak_frequency(np.concatenate(played[5:]), DEVICE_RATE) - 425) < 5
    assert pipeline.play_ring.starved <= 2 * DEVICE_BLOCK  # only while it first filled


@pytest.mark.parametrize("mismatch", [-0.001, 0.0, 0.001, 0.003])
def test_clock_drift_keeps_buffers_bounded(mismatch: float) -> None:
    pipeline, clock = simulated_pipeline()
    run = run_clocks(pipeline, clock, seconds=180.0, mismatch=mismatch)
    settled_play = run.play_ms[len(run.play_ms) // 3 :]
    settled_send = run.send_ms[len(run.send_ms) // 3 :]
    assert max(settled_play) < 60 and max(settled_send) < 60
    # Read just before each block is taken, a ring holds a block, the cushion and up to
    # one more block depending on the two clocks' phase, which drifts; nothing else
    # moves (a loop chasing the phase steps made it wander by 40 ms).
    assert max(settled_play) - min(settled_play) < 21
    assert max(settled_send) - min(settled_send) < 21
    assert run.starved_after_warmup == 0
    assert pipeline.play_ring.dropped == 0 and pipeline.send_dropped == 0


def test_a_block_a_few_samples_short_is_padded_not_silenced() -> None:
    ring = DeviceRing(DEVICE_BLOCK * 4)
    ring.target = 240
    ramp = np.arange(1, DEVICE_BLOCK - 1, dtype=np.int16)
    ring.write(ramp)  # two samples short of a block (drift correction)
    out = np.frombuffer(ring.device_read(DEVICE_BLOCK, 0.0), np.int16)
    assert np.count_nonzero(out) == DEVICE_BLOCK - 2  # the audio played, two samples padded
    assert ring.starved == 2
    ring.write(ramp[:100])  # a real underrun: silence until the ring refills
    out = np.frombuffer(ring.device_read(DEVICE_BLOCK, 0.02), np.int16)
    assert np.count_nonzero(out) == 0 and ring.starved == 2 + DEVICE_BLOCK
    ring.write(ramp)
    ring.write(ramp)  # a block and the target are there again: it plays
    out = np.frombuffer(ring.device_read(DEVICE_BLOCK, 0.04), np.int16)
    assert np.array_equal(out[:100], ramp[:100])


def test_a_stalled_loudspeaker_is_trimmed_back_to_the_cushion() -> None:
    pipeline, clock = simulated_pipeline()
    pipeline.device_running = True
    frame = np.zeros(pipeline.call_frame, dtype=np.int16).tobytes()
    for tick in range(20):  # 400 ms of call audio and no device read
        clock.now = tick * 0.02
        pipeline.from_call(frame)
        # Never more than the cushion plus the trim margin (15 + 50 ms) and a block.
        assert pipeline.play_ring.level <= (15 + 50 + 20) * 16
    assert pipeline.play_ring.dropped > 0
    assert pipeline.play_ring.level >= pipeline.play_drift.target


class MarkedReference:
    """Voice processing that notes which tick each echo reference frame came from."""

    def __init__(self) -> None:
        self.rendered: list[int] = []

    def render(self, played: np.ndarray) -> None:
        self.rendered.append(int(np.median(played)) // 100)

    def capture(self, captured: np.ndarray) -> np.ndarray:
        return captured


def test_after_the_microphone_stops_a_while_the_echo_reference_is_recent_again() -> None:
    # The loudspeaker goes on while the microphone delivers nothing for 200 ms (a stall,
    # a device switch): when it comes back, AEC3 must get the frames just played, not
    # the ones queued while nobody captured (its reference would lag the echo).
    clock = SimulatedClock()
    processing = MarkedReference()
    pipeline = MediaPipeline(16000, AudioControls(), processing, clock=clock)  # type: ignore[arg-type]
    microphone = np.zeros(DEVICE_BLOCK, dtype=np.int16)
    lags: dict[int, int] = {}
    for tick in range(1, 120):
        clock.now = tick * 0.02
        pipeline.to_call()
        if processing.rendered:
            lags[tick] = tick - processing.rendered[-1]
        pipeline.from_call(np.full(pipeline.call_frame, tick * 100, np.int16).tobytes())
        pipeline.play_ring.device_read(DEVICE_BLOCK, clock.now + 0.01)
        if not 60 <= tick < 70:
            pipeline.capture_ring.device_write(microphone, clock.now + 0.01)
    # Each reference trails the call's audio by the play ring's delay and the pairing
    # depth (60 ms): a few ticks, about as many after the stall as before it (without
    # the resync, 11 ticks more: the frames played while nothing was captured).
    before = max(lags[tick] for tick in range(40, 60))
    after = max(lags[tick] for tick in range(90, 120))
    assert after <= before + 2
