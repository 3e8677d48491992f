"""The far-end simulator itself: two far ends in a call, a WAV played and recorded."""

from __future__ import annotations

import time
import wave

import numpy as np
import pytest

from tests.integration.sip.helpers import tone_level_db

pytestmark = pytest.mark.integration


def test_wav_played_by_one_far_end_is_recorded_by_the_other(far_ends, tmp_path):
    source = tmp_path / "tone.wav"
    t = np.arange(16000 * 2) / 16000
    samples = (0.4 * 32767 * np.sin(2 * np.pi * 600 * t)).astype("<i2")
    with wave.open(str(source), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(samples.tobytes())
    callee = far_ends(5086, auto_answer=200)
    caller = far_ends(5087)
    call = caller.request("call", uri=callee.uri)["call"]
    caller.wait_state(call, "CONFIRMED")
    answered = callee.wait_for("incoming")["call"]
    callee.wait_for("media", lambda e: e["status"] == "active")
    recording = tmp_path / "heard.wav"
    callee.request("record", call=answered, wav=str(recording))
    caller.request("play", call=call, wav=str(source))
    time.sleep(1.0)
    callee.request("record_stop", call=answered)
    assert tone_level_db(recording, 600) > -25
    bad = caller.request
    with pytest.raises(Exception, match="no call"):
        bad("hangup", call=99)
