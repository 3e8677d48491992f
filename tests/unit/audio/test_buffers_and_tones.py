"""Bounded rings, the drift loop, levels, and tone rendering."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from vdi_adapter.audio.buffers import ArrivalLog, DriftController, SampleRing, dbfs
from vdi_adapter.audio.processing import RATE
from vdi_adapter.audio.tones import ToneError, ToneSet, dtmf_cadence, render, tone_files


def test_ring_keeps_order_across_the_wrap() -> None:
    ring = SampleRing(10)
    ring.write(np.arange(7, dtype=np.float32))
    assert list(ring.read(5)) == [0, 1, 2, 3, 4]
    ring.write(np.arange(7, 13, dtype=np.float32))
    assert list(ring.read(8)) == [5, 6, 7, 8, 9, 10, 11, 12]
    assert ring.level == 0


def test_ring_is_bounded_and_counts_losses() -> None:
    ring = SampleRing(8)
    ring.write(np.arange(6, dtype=np.float32))
    ring.write(np.arange(6, 12, dtype=np.float32))
    assert ring.level == 8 and ring.dropped == 4
    assert list(ring.read(10)) == [4, 5, 6, 7, 8, 9, 10, 11, 0, 0]
    assert ring.starved == 2
    ring.write(np.arange(20, dtype=np.float32))
    assert list(ring.read(8)) == list(range(12, 20))
    assert ring.trim_to(0) == 0


def test_drift_controller_pushes_the_level_towards_its_target() -> None:
    controller = DriftController(target=1000)
    assert controller.correction(1000) == pytest.approx(1.0)
    full = [controller.correction(3000) for _ in range(200)][-1]
    assert 0.995 <= full < 1.0
    controller = DriftController(target=1000)
    empty = [controller.correction(0) for _ in range(200)][-1]
    assert 1.0 < empty <= 1.005


def test_levels_in_dbfs() -> None:
    full_scale = np.sin(np.linspace(0, 200 * np.pi, 48000)).astype(np.float32)
    assert dbfs(full_scale) == pytest.approx(-3.01, abs=0.05)
    assert dbfs(np.zeros(100, dtype=np.float32)) == -100.0


def test_dtmf_feedback_has_the_q23_pair() -> None:
    samples = render(dtmf_cadence("5"))
    spectrum = np.abs(np.fft.rfft(samples))
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
    top_two = sorted(freqs[np.argsort(spectrum)[-2:]])
    assert top_two == pytest.approx([770, 1336], abs=10)
    with pytest.raises(ToneError):
        dtmf_cadence("x")


def test_one_shot_tone_finishes_and_looped_tone_repeats() -> None:
    tones = ToneSet()
    beep = tones.source("call_waiting")
    chunks = [beep(4800) for _ in range(8)]
    assert beep.finished.is_set() and chunks[-1] is None
    busy = tones.source("busy")
    first = busy(48000)
    assert first is not None and np.allclose(first, busy(48000))
    with pytest.raises(ToneError, match="unknown tone"):
        tones.source("fanfare")


def write_wav(path: Path, *, channels: int, rate: int, samples: int) -> Path:
    """A 16-bit WAV file of a constant, non-zero level."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.full(samples, 1000, dtype=np.int16).tobytes())
    return path


def test_wav_replaces_a_tone_and_bad_files_are_refused(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "ring.wav", channels=2, rate=16000, samples=32000)
    samples, loop = ToneSet(overrides={"ring": path}).samples("ring")
    assert loop and len(samples) == pytest.approx(RATE, abs=10)  # one second
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF nonsense")
    with pytest.raises(ToneError, match="cannot read WAV"):
        ToneSet(overrides={"ring": broken}).samples("ring")


def test_ring_counts_indices_and_arrivals_time_the_wait() -> None:
    ring, arrivals = SampleRing(100), ArrivalLog()
    for step in range(5):  # 20 samples written at t = 0, 1, 2, 3, 4
        ring.write(np.zeros(20, dtype=np.float32))
        arrivals.wrote(ring.written, float(step))
    ring.read(30)
    assert (ring.written, ring.removed, ring.level) == (100, 30, 70)
    assert arrivals.arrival(ring.removed) == 1.0  # sample 30 came with the second write
    # Samples 30-59: ten from the write at t = 1, twenty from the one at t = 2.
    assert arrivals.mean_arrival(ring.removed, 30) == pytest.approx((10 * 1.0 + 20 * 2.0) / 30)
    ring.write(np.zeros(50, dtype=np.float32))  # 20 over capacity: the oldest are dropped
    arrivals.wrote(ring.written, 5.0)
    assert (ring.removed, ring.level, ring.dropped) == (50, 100, 20)
    assert arrivals.arrival(ring.removed + 60) == 5.0
    assert arrivals.arrival(ring.written) is None  # not written yet


def test_tone_files_from_the_command_line(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "busy.wav", channels=1, rate=8000, samples=4000)
    tones = tone_files([f"busy={path}", f"dtmf:5={path}"])
    samples, loop = tones.samples("busy")
    assert loop and len(samples) == pytest.approx(RATE // 2, abs=10)  # 0.5 s of the file
    assert len(tones.samples("dtmf:5")[0]) == len(samples)
    assert len(tones.samples("ringback")[0]) == 5 * RATE  # not replaced: the built-in one
    with pytest.raises(ToneError, match="unknown tone 'fanfare'"):
        tone_files([f"fanfare={path}"])
    with pytest.raises(ToneError, match="NAME=FILE"):
        tone_files([str(path)])
    with pytest.raises(ToneError, match="cannot read WAV"):
        tone_files([f"ring={tmp_path / 'missing.wav'}"])
