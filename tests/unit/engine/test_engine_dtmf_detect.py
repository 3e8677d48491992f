"""In-band DTMF detection on synthetic audio."""

from __future__ import annotations

import numpy as np
import pytest

from vdi_adapter.engine.dtmf_detect import COLUMNS, KEYS, ROWS, DtmfDetector

RATE = 16000


def tone(digit: str, ms: int, level: float = 0.3, twist_db: float = 0.0) -> np.ndarray:
    row = next(i for i, keys in enumerate(KEYS) if digit in keys)
    column = KEYS[row].index(digit)
    t = np.arange(RATE * ms // 1000) / RATE
    high = level * 10 ** (twist_db / 20)
    return level * np.sin(2 * np.pi * ROWS[row] * t) + high * np.sin(
        2 * np.pi * COLUMNS[column] * t
    )


def silence(ms: int) -> np.ndarray:
    return np.zeros(RATE * ms // 1000)


def feed_in_frames(detector: DtmfDetector, signal: np.ndarray) -> str:
    pcm = np.clip(signal * 32767, -32768, 32767).astype(np.int16)
    return "".join(
        d for start in range(0, len(pcm), 320) for d in detector.feed(pcm[start : start + 320])
    )


def test_every_key_is_recognised():
    keys = "".join(KEYS)
    signal = np.concatenate([np.concatenate([tone(k, 100), silence(100)]) for k in keys])
    assert feed_in_frames(DtmfDetector(RATE), signal) == keys


def test_a_long_press_is_one_digit_and_repeats_need_a_gap():
    signal = np.concatenate([tone("5", 600), silence(60), tone("5", 100), tone("6", 100)])
    assert feed_in_frames(DtmfDetector(RATE), signal) == "556"


def test_too_short_tones_quiet_tones_and_twist_are_ignored():
    assert feed_in_frames(DtmfDetector(RATE), np.concatenate([tone("1", 20), silence(100)])) == ""
    assert feed_in_frames(DtmfDetector(RATE), tone("1", 200, level=0.002)) == ""
    assert feed_in_frames(DtmfDetector(RATE), tone("1", 200, twist_db=12)) == ""
    assert feed_in_frames(DtmfDetector(RATE), tone("1", 200, twist_db=4)) == "1"


def test_single_tones_and_noise_do_not_trigger():
    t = np.arange(RATE) / RATE
    assert feed_in_frames(DtmfDetector(RATE), 0.5 * np.sin(2 * np.pi * 1000 * t)) == ""
    assert feed_in_frames(DtmfDetector(RATE), 0.5 * np.sin(2 * np.pi * 770 * t)) == ""
    noise = np.random.default_rng(7).normal(0, 0.2, RATE)
    assert feed_in_frames(DtmfDetector(RATE), noise) == ""


@pytest.mark.parametrize("snr_db", [20, 10])
def test_digits_survive_noise(snr_db):
    signal = np.concatenate([tone("9", 100), silence(100), tone("#", 100)])
    noise = np.random.default_rng(1).normal(0, 0.3 / np.sqrt(2) * 10 ** (-snr_db / 20), len(signal))
    assert feed_in_frames(DtmfDetector(RATE), signal + noise) == "9#"


def test_8khz_blocks_and_float_input():
    detector = DtmfDetector(8000)
    t = np.arange(800) / 8000
    signal = 0.3 * np.sin(2 * np.pi * 941 * t) + 0.3 * np.sin(2 * np.pi * 1336 * t)
    assert detector.feed(signal) == ["0"]
