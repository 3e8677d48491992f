"""The WebRTC APM wrapper: the direct FFI calls behave as livekit's public API does."""

from __future__ import annotations

import numpy as np
import pytest

from vdi_adapter.audio.processing import (
    FRAME_SAMPLES,
    RATE,
    VoiceProcessing,
    _direct_calls_work,
    _DirectCalls,
)


def test_direct_calls_are_used_and_clean_exactly_like_the_public_api() -> None:
    # If a livekit release changes its private FFI, the adapter falls back to the public
    # calls (slower); this test makes that visible instead of silent.
    assert _direct_calls_work()
    assert isinstance(VoiceProcessing()._calls, _DirectCalls)


def test_echo_of_the_played_signal_is_cancelled() -> None:
    processing = VoiceProcessing(noise_suppression=False, auto_gain_control=False)
    t = np.arange(RATE * 4)
    rng = np.random.default_rng(1)
    played = (rng.standard_normal(len(t)) * 4000).astype(np.int16)  # speech-like noise
    echo = np.roll(played, RATE * 30 // 1000) // 8  # 30 ms later, -18 dB
    cleaned = []
    for start in range(0, len(t), FRAME_SAMPLES):
        processing.render(played[start : start + FRAME_SAMPLES])
        cleaned.append(processing.capture(echo[start : start + FRAME_SAMPLES]))
    last_second = np.concatenate(cleaned)[-RATE:].astype(np.float64)
    echo_power = np.mean(echo[-RATE:].astype(np.float64) ** 2)
    assert 10 * np.log10(echo_power / (np.mean(last_second**2) + 1e-9)) > 20


def test_a_block_of_the_wrong_size_is_refused() -> None:
    processing = VoiceProcessing()
    with pytest.raises(ValueError):
        processing.capture(np.zeros(FRAME_SAMPLES * 2, dtype=np.int16))
