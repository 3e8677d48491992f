"""Echo cancellation through a real call: the far end's speech is played on the agent's
device, leaks back into its microphone (PulseAudio loopback: 40 ms, about -18 dB), and
what the far end hears back is measured with and without the WebRTC processing."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from protocol import pb
from tests.integration.audio.peers import (
    PeerProcess,
    erle_segments,
    free_udp_port,
    power_db,
    read_wav,
    synthetic_speech,
    wait_devices_running,
)
from tests.support.pulseaudio import PulseAudioServer

pytestmark = pytest.mark.integration

CALL_SECONDS = 9.0
CONVERGED_AFTER_S = 4.0


def echo_call(
    pulse: PulseAudioServer, workdir: Path, processing: bool
) -> tuple[float, float, list[float]]:
    """One call: echo power at the microphone and power the far end heard (dBFS), and
    the ERLE of each second."""
    headset = pulse.devices["Jabra EVOLVE 40"]
    far_port, near_port = free_udp_port(5100, 5150), free_udp_port(5150, 5200)
    heard = workdir / f"heard-{processing}.wav"
    far = PeerProcess(
        "far", "--port", str(far_port), "--rtp-port", str(free_udp_port(20000, 24000)),
        "--codec", "G722", "--play", str(workdir / "speech.wav"), "--record", str(heard),
    )  # fmt: skip
    near = None
    try:
        far.wait_for("ready")
        rules = pb.DeviceRules(headset=["jabra"], use_headset=True)
        near = PeerProcess(
            "near", "--port", str(near_port), "--rtp-port", str(free_udp_port(24000, 28000)),
            "--codec", "G722", "--dial", f"sip:far@127.0.0.1:{far_port}",
            "--rules", rules.SerializeToString().hex(),
            *([] if processing else ["--no-processing"]),
        )  # fmt: skip
        far.wait_for("media", 15)
        wait_devices_running(near)
        time.sleep(CONVERGED_AFTER_S)
        at_mic = pulse.record(headset.input_sink, CALL_SECONDS - CONVERGED_AFTER_S)
    finally:
        if near is not None:
            near.stop()
        far.stop()
    samples, rate = read_wav(heard)
    window = int(CALL_SECONDS - CONVERGED_AFTER_S)
    tail = samples[-int(rate * window) : -int(rate * 0.3)]
    return power_db(at_mic), power_db(tail), erle_segments(at_mic, 48000, samples, rate, window)


def test_echo_is_cancelled_by_more_than_30_db(pulse: PulseAudioServer, tmp_path: Path) -> None:
    synthetic_speech(tmp_path / "speech.wav", 16000)
    headset = pulse.plug("Jabra EVOLVE 40")
    pulse.add_echo_path(headset, delay_ms=40, volume_percent=50)
    mic_raw, heard_raw, _ = echo_call(pulse, tmp_path, processing=False)
    mic_aec, heard_aec, per_second = echo_call(pulse, tmp_path, processing=True)
    print(
        f"no processing: mic {mic_raw:.1f} heard {heard_raw:.1f}; AEC: mic {mic_aec:.1f} "
        f"heard {heard_aec:.1f}; ERLE per second {[round(v) for v in per_second]}"
    )
    # The echo path is real: without processing the far end hears its own voice back.
    assert mic_raw > -45 and abs(heard_raw - mic_raw) < 6
    assert len(per_second) >= 3
    # Typical cancellation: the median second. AEC3 lets echo through now and then (a
    # burst in one second, more often on a loaded machine when its thread is starved),
    # so most seconds, not every one, must show a clear cancellation.
    assert float(np.median(per_second)) > 30, per_second
    assert sum(v > 20 for v in per_second) >= 0.75 * len(per_second), per_second
    assert mic_aec - heard_aec > 10
