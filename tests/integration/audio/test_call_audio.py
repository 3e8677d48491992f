"""Audio through a real call: the adapter's bridge (near, its own process) and a second
pjsua2 endpoint (far, its own process), with PulseAudio devices on the near side."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from protocol import pb
from tests.integration.audio.peers import (
    PeerProcess,
    dominant_frequency,
    free_udp_port,
    read_wav,
    tone,
    write_wav,
)
from tests.support.pulseaudio import PulseAudioServer, stop_player
from vdi_adapter.audio.pipeline import DEVICE_BLOCK

pytestmark = pytest.mark.integration

RULES = pb.DeviceRules(headset=["^Plantronics", "jabra"], use_headset=True)


def start_call(
    pulse: PulseAudioServer,
    workdir: Path,
    codec: str,
    far_tone: float,
    *extra: str,
    answer_after: float = 0.0,
) -> tuple[PeerProcess, PeerProcess, Path]:
    write_wav(workdir / "far.wav", tone(far_tone, 5.0, 16000, dbfs=-12), 16000)
    recording = workdir / "far-heard.wav"
    far_port, near_port = free_udp_port(5100, 5150), free_udp_port(5150, 5200)
    far = PeerProcess(
        "far", "--port", str(far_port), "--rtp-port", str(free_udp_port(20000, 24000)),
        "--codec", codec, "--play", str(workdir / "far.wav"), "--record", str(recording),
        "--answer-after", str(answer_after),
    )  # fmt: skip
    far.wait_for("ready")
    near = PeerProcess(
        "near", "--port", str(near_port), "--rtp-port", str(free_udp_port(24000, 28000)),
        "--codec", codec, "--dial", f"sip:far@127.0.0.1:{far_port}",
        "--rules", RULES.SerializeToString().hex(), *extra,
    )  # fmt: skip
    return far, near, recording


@pytest.fixture
def call_g722(
    pulse: PulseAudioServer, tmp_path: Path
) -> Iterator[tuple[PeerProcess, PeerProcess, Path]]:
    far, near, recording = start_call(pulse, tmp_path, "G722", 1000.0)
    try:
        yield far, near, recording
    finally:
        near.stop()
        far.stop()


def labels(samples: np.ndarray, rate: int, window_s: float = 0.1) -> list[str]:
    """Per window: "silence" or the dominant frequency rounded to 100 Hz."""
    size = int(rate * window_s)
    out = []
    for start in range(0, len(samples) - size, size):
        chunk = samples[start : start + size].astype(np.float64)
        if np.sqrt(np.mean(chunk**2)) < 30:  # below -60 dBFS
            out.append("silence")
        else:
            out.append(str(round(dominant_frequency(chunk, rate), -2)))
    return out


def switch_windows(sequence: list[str], before: str, after: str) -> list[str]:
    """Windows from the first ``before`` to the first ``after`` that are neither: what
    the far end heard while the call moved from one microphone to the other."""
    start, end = sequence.index(before), sequence.index(after)
    assert start < end, f"{before} should come first: {sequence}"
    return [window for window in sequence[start:end] if window != before]


def stats(near: PeerProcess) -> dict[str, float]:
    near.send(cmd="stats")
    return near.wait_for("stats")


def test_call_audio_both_ways_device_switch_and_mute(
    pulse: PulseAudioServer, call_g722: tuple[PeerProcess, PeerProcess, Path]
) -> None:
    far, near, recording = call_g722
    headset = pulse.plug("Jabra EVOLVE 40")
    phone = pulse.plug("USB Speakerphone")
    voice_700 = pulse.start_playing(headset.input_sink, tone(700, 30, 48000, dbfs=-12))
    voice_900 = pulse.start_playing(phone.input_sink, tone(900, 30, 48000, dbfs=-12))
    try:
        near.wait_for("media", 15)
        far.wait_for("media", 5)
        time.sleep(2.0)
        # 1. The far end's 1 kHz reaches the headset's loudspeaker.
        heard = pulse.record(headset.output_sink, 1.0)
        assert abs(dominant_frequency(heard, 48000) - 1000) < 10
        assert np.sqrt(np.mean(heard.astype(np.float64) ** 2)) > 1000
        before = stats(near)
        # 2. Switch to the speakerphone mid-call.
        choose = pb.SelectAudioDevices(
            microphone="ALSA:USB Speakerphone", speaker="ALSA:USB Speakerphone"
        )
        result = near.command(pb.Command(request_id="s", select_audio_devices=choose))
        assert result.HasField("ok"), result
        time.sleep(1.5)
        after = stats(near)
        on_phone, on_headset = pulse.record_many([phone.output_sink, headset.output_sink], 1.0)
        assert abs(dominant_frequency(on_phone, 48000) - 1000) < 10
        assert np.abs(on_headset).max() == 0
        # 3. Mute.
        near.send(cmd="mute", muted=True)
        near.wait_for("muted")
        time.sleep(1.5)
    finally:
        stop_player(voice_700)
        stop_player(voice_900)
        near.stop()
        far.stop()
    assert after["devices"] == ["USB Speakerphone", "USB Speakerphone"]
    # At most one device block (20 ms) or one 20 ms call frame lost.
    assert after["play_starved"] - before["play_starved"] <= DEVICE_BLOCK
    assert after["send_starved"] - before["send_starved"] <= 320
    heard_far, rate = read_wav(recording)
    sequence = labels(heard_far, rate)
    # 700 Hz from the headset, then 900 Hz from the speakerphone, then silence (muted).
    between = switch_windows(sequence, "700.0", "900.0")
    assert len(between) <= 1 and "silence" not in between, f"gap at the switch: {between}"
    assert sequence.count("700.0") >= 5 and sequence.count("900.0") >= 10
    assert sequence[-8:] == ["silence"] * 8
    levels = [e.audio_level for e in near.events if e.WhichOneof("kind") == "audio_level"]
    assert len(levels) >= 10
    assert max(level.microphone_dbfs for level in levels) > -30
    assert max(level.speaker_dbfs for level in levels) > -30


def test_headset_plugged_in_during_a_call_takes_over(
    pulse: PulseAudioServer, tmp_path: Path
) -> None:
    jabra = pulse.plug("Jabra EVOLVE 40")
    far, near, recording = start_call(pulse, tmp_path, "PCMU", 1000.0)
    voice_700 = pulse.start_playing(jabra.input_sink, tone(700, 30, 48000, dbfs=-12))
    voice_900 = None
    try:
        near.wait_for("media", 15)
        time.sleep(1.5)
        plantronics = pulse.plug("Plantronics Blackwire 3220")
        voice_900 = pulse.start_playing(plantronics.input_sink, tone(900, 30, 48000, dbfs=-12))
        deadline = time.monotonic() + 6.0
        while stats(near)["devices"][1] != "Plantronics Blackwire 3220":
            assert time.monotonic() < deadline, "the call did not move to the new headset"
            time.sleep(0.2)
        time.sleep(1.5)
        heard = pulse.record(plantronics.output_sink, 1.0)
        near.send(cmd="stats")
        assert near.wait_for("stats")["frames_in"] > 0  # the call is still up
    finally:
        stop_player(voice_700)
        if voice_900 is not None:
            stop_player(voice_900)
        near.stop()
        far.stop()
    assert abs(dominant_frequency(heard, 48000) - 1000) < 10
    sequence = labels(*read_wav(recording))
    assert sequence.count("700.0") >= 5 and sequence[-10:] == ["900.0"] * 10
    # PortAudio must be re-initialised to open the new headset, which stops the call's
    # streams for a moment (~60 ms here): no more than one 100 ms window is disturbed.
    between = switch_windows(sequence, "700.0", "900.0")
    assert len(between) <= 1 and "silence" not in between, f"gap at the switch: {between}"
    changes = [e.active_devices.active.reason for e in near.events if e.HasField("active_devices")]
    assert any("added: Plantronics Blackwire 3220" in reason for reason in changes)


@pytest.mark.parametrize("prewarm", [False, True])
def test_devices_opened_while_ringing_carry_the_first_words(
    pulse: PulseAudioServer, tmp_path: Path, prewarm: bool
) -> None:
    jabra = pulse.plug("Jabra EVOLVE 40")
    voice = pulse.start_playing(jabra.input_sink, tone(700, 30, 48000, dbfs=-12))
    extra = ["--prewarm"] if prewarm else []
    # The far end lets it ring 2 s before answering, as an incoming call would.
    far, near, recording = start_call(pulse, tmp_path, "PCMU", 1000.0, *extra, answer_after=2.0)
    try:
        near.wait_for("media", 15)
        time.sleep(3.0)
        started = stats(near)["first_block_after_s"]
    finally:
        stop_player(voice)
        near.stop()
        far.stop()
    sequence = labels(*read_wav(recording))
    # The agent's voice reaches the far end from the first 100-200 ms of the call on.
    assert "700.0" in sequence[:2], sequence[:12]
    # Devices opened while ringing are already running when the media starts.
    assert started < (0.05 if prewarm else 3.0)
