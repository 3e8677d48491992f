"""A call on a sound card whose clock is off: the drift loop keeps the delay where it was.

The sound server runs 0.3 % fast (libfaketime, see ``simulator/sound_server.py``), so the
headset plays and records 16048 samples per real second while pjmedia's clock takes and
gives 16000. Left alone, that is 3 ms more delay every second on the microphone side and
an empty loudspeaker ring within seven seconds on the other."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.integration.audio.peers import tone
from tests.integration.audio.test_call_audio import start_call, stats
from tests.support.pulseaudio import PulseAudioServer, running_server, stop_player
from vdi_adapter.audio.pipeline import DEVICE_RATE

pytestmark = pytest.mark.integration

CLOCK_SPEED = 1.003
SETTLE_S = 6.0
WATCH_S = 30.0


@pytest.fixture
def fast_pulse() -> Iterator[PulseAudioServer]:
    yield from running_server(clock_speed=CLOCK_SPEED)


def test_a_fast_sound_card_neither_grows_the_delay_nor_starves_the_speaker(
    fast_pulse: PulseAudioServer, tmp_path: Path
) -> None:
    headset = fast_pulse.plug("Jabra EVOLVE 40")
    voice = fast_pulse.start_playing(headset.input_sink, tone(700, 60, 48000, dbfs=-12))
    far, near, _recording = start_call(fast_pulse, tmp_path, "G722", 1000.0)
    try:
        near.wait_for("media", 15)
        time.sleep(SETTLE_S)
        watched = [stats(near)]
        while watched[-1]["time"] - watched[0]["time"] < WATCH_S:
            time.sleep(0.5)
            watched.append(stats(near))
    finally:
        stop_player(voice)
        near.stop()
        far.stop()
    first, last = watched[0], watched[-1]
    # The headset really ran fast: it took about 0.3 % more samples per second than
    # nominal (PulseAudio also grows a stream's buffer now and then, which adds a little).
    rate = (last["play_consumed"] - first["play_consumed"]) / (last["time"] - first["time"])
    assert 1.002 < rate / DEVICE_RATE < 1.006
    # Both rings stay where they were. A level read at a random moment is the 20 ms
    # target plus up to two blocks in flight (one written, one about to be taken), so
    # single reads wander by 40 ms; their average over a third of the window must not
    # move. Uncorrected, it would move by 3 ms a second: 60 ms between the thirds.
    for name in ("play_level", "send_level"):
        levels_ms = [s[name] / DEVICE_RATE * 1000 for s in watched]
        third = len(levels_ms) // 3
        early, late = np.mean(levels_ms[:third]), np.mean(levels_ms[-third:])
        assert abs(late - early) < 10, (name, levels_ms)
        assert max(levels_ms) < 70, (name, levels_ms)  # below the trim point
    assert last["play_starved"] == first["play_starved"]
    assert last["send_starved"] == first["send_starved"]
    assert last["play_dropped"] == first["play_dropped"]
    assert last["send_dropped"] == first["send_dropped"]
