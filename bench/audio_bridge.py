"""Benchmark of the media bridge: latency, CPU, drift, echo cancellation, speech quality.

Runs on this machine only (127.0.0.0/8): a private PulseAudio server with a virtual
headset, the adapter side (``DeviceAudioBackend`` in a pjsua2 process) and a far end (a
second pjsua2 process), as in tests/integration/audio. Prints a table, or with ``--json``
one flat JSON object: the keys listed in ``KEYS`` first, then the other figures.

* latency: how long samples spend in the bridge, capture->encoder plus decoder->playback,
  p50 and p99, G722 call: for each block taken out of a ring, the mean time its samples
  waited since they were written, plus half a device block and the resampler's delay
  each way;
* CPU per call: the adapter process's CPU time per second in a call (pjsua2 codec, jitter
  buffer and RTP included, WebRTC processing on) minus the same process idle before the
  call; the whole process, the bridge's own share, the same call without the bridge and
  the sound server's extra CPU are shown beside it;
* drift: a 10-minute G722 call on a headset whose clock runs 0.1 % fast (the sound
  server under libfaketime): both rings' levels once a second, starved and dropped
  samples; beside it, the pipeline alone driven by two simulated clocks 0.1 % apart for
  30 minutes of call time;
* ERLE: speech echoed from the headset's speaker into its microphone (40 ms, -18 dB);
* PESQ (P.862, the ``pesq`` package): speech through the call both ways with random
  loss of RTP (a UDP relay on 127.0.0.2 drops packets each way): far end -> agent
  scored after the bridge (recorded from the headset's loudspeaker) and, in the same
  call, as pjsua2 decodes it (a pjsua2 recorder on the call's media); agent -> far end
  spoken into the headset's microphone (through the WebRTC processing and the bridge)
  and, in a second call, played by pjsua2 straight into the call; both recorded by
  the far end.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stats import process_cpu_s
from protocol import pb
from tests.integration.audio.peers import (
    PeerProcess,
    erle_segments,
    free_udp_port,
    power_db,
    read_wav,
    synthetic_speech,
    wait_devices_running,
    write_wav,
)
from tests.support.pulseaudio import PulseAudioServer, running_server, stop_player
from vdi_adapter.audio.pipeline import DEVICE_BLOCK, DEVICE_RATE

CODECS = {"pcmu": "PCMU", "g722": "G722", "speex": "speex/16000"}
LOSSES = (0, 5, 10)
KEYS = [
    "bridge_latency_p50_ms",
    "bridge_latency_p99_ms",
    "cpu_per_call_pct",
    "drift_buffer_max_ms",
    "erle_db",
    *[f"pesq_{c}_{loss}" for c in CODECS for loss in LOSSES],
    *[f"pesq_baseline_{c}_{loss}" for c in CODECS for loss in LOSSES],
    *[f"pesq_uplink_{c}_{loss}" for c in CODECS for loss in LOSSES],
    *[f"pesq_uplink_baseline_{c}_{loss}" for c in CODECS for loss in LOSSES],
]
RULES = pb.DeviceRules(headset=["jabra"], use_headset=True)
RESAMPLER_DELAY_MS = 1.0  # libsamplerate sinc_fastest group delay, both directions


class LossyRelay:
    """Symmetric RTP/RTCP relay on 127.0.0.2 between the far end and the adapter.

    Both sides advertise 127.0.0.2 in their SDP, so each sees its peer's packets come
    from the advertised address and never switches to the other's real one. Packets are
    dropped at random with probability ``loss``, each direction on its own draw.
    """

    def __init__(self, near_port: int, far_port: int, loss: float, seed: int = 7) -> None:
        self._loss = loss
        self._stop = threading.Event()
        self.forwarded = 0
        self.dropped = 0
        self._threads = []
        self._sockets = []
        for offset in (0, 1):
            as_near = self._bind(near_port + offset)  # the far end sends here
            as_far = self._bind(far_port + offset)  # the adapter sends here
            to_near, to_far = ("127.0.0.1", near_port + offset), ("127.0.0.1", far_port + offset)
            self._spawn(as_near, as_far, to_near, random.Random(seed + 2 * offset))
            self._spawn(as_far, as_near, to_far, random.Random(seed + 2 * offset + 1))

    def _bind(self, port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.2", port))
        sock.settimeout(0.2)
        self._sockets.append(sock)
        return sock

    def _spawn(
        self,
        source: socket.socket,
        sender: socket.socket,
        target: tuple[str, int],
        draw: random.Random,
    ) -> None:
        thread = threading.Thread(target=self._run, args=(source, sender, target, draw))
        thread.start()
        self._threads.append(thread)

    def _run(
        self,
        source: socket.socket,
        sender: socket.socket,
        target: tuple[str, int],
        draw: random.Random,
    ) -> None:
        while not self._stop.is_set():
            try:
                data = source.recv(4096)
            except TimeoutError:
                continue
            if draw.random() < self._loss:
                self.dropped += 1
                continue
            sender.sendto(data, target)
            self.forwarded += 1

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        for sock in self._sockets:
            sock.close()


def free_rtp_pair() -> int:
    while True:
        port = free_udp_port(28000, 29990) & ~1
        try:
            for offset in (0, 1):
                for host in ("127.0.0.1", "127.0.0.2"):
                    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                        probe.bind((host, port + offset))
            return port
        except OSError:
            continue


def start_peers(
    workdir: Path,
    codec: str,
    near_extra: list[str],
    tag: str,
    far_extra: list[str] | None = None,
    *,
    far_plays: str = "speech.wav",
) -> tuple[PeerProcess, PeerProcess]:
    far_port, near_port = free_udp_port(5100, 5150), free_udp_port(5150, 5200)
    far_rtp = far_extra or ["--rtp-port", str(free_udp_port(20000, 24000))]
    far = PeerProcess(
        "far", "--port", str(far_port), *far_rtp,
        "--codec", codec, "--play", str(workdir / far_plays),
        "--record", str(workdir / f"far-{tag}.wav"),
    )  # fmt: skip
    far.wait_for("ready")
    near = PeerProcess(
        "near", "--port", str(near_port), "--codec", codec,
        "--dial", f"sip:far@127.0.0.1:{far_port}",
        "--rules", RULES.SerializeToString().hex(), *near_extra,
    )  # fmt: skip
    return far, near


def stats(near: PeerProcess) -> dict[str, Any]:
    near.send(cmd="stats")
    return near.wait_for("stats")


def echo_call(pulse: PulseAudioServer, workdir: Path, seconds: float) -> dict[str, float]:
    """A G722 call with an echo path and processing on: ERLE."""
    headset = pulse.devices["Echo Headset"]
    rtp = str(free_udp_port(24000, 28000))
    rules = [
        "--rules",
        pb.DeviceRules(headset=["echo"], use_headset=True).SerializeToString().hex(),
    ]
    far, near = start_peers(workdir, "G722", ["--rtp-port", rtp, *rules], "echo")
    try:
        far.wait_for("media", 15)
        wait_devices_running(near)
        time.sleep(4.0)  # AEC3 converges
        at_mic = pulse.record(headset.input_sink, seconds)
    finally:
        near.stop()
        far.stop()
    heard, rate = read_wav(workdir / "far-echo.wav")
    whole = power_db(at_mic) - power_db(heard[-int(rate * seconds) : -int(rate * 0.3)])
    per_second = erle_segments(at_mic, 48000, heard, rate, int(seconds))
    return {"erle_db": float(np.median(per_second)), "erle_whole_db": whole}


def server_cpu_s(pulse: PulseAudioServer) -> float:
    """CPU seconds the sound server has used so far (0 if it is not running)."""
    return process_cpu_s(pulse.pid) if pulse.pid is not None else 0.0


def cpu_windows(near: PeerProcess, pulse: PulseAudioServer, count: int, each_s: float) -> dict:
    """CPU of the adapter process and of the sound server over ``count`` consecutive
    windows; the median window (this machine is shared, so single windows wander)."""
    points = [(stats(near), server_cpu_s(pulse))]
    for _ in range(count):
        time.sleep(each_s)
        points.append((stats(near), server_cpu_s(pulse)))
    adapter, server = [], []
    for (before, server_before), (after, server_after) in itertools.pairwise(points):
        elapsed = after["time"] - before["time"]
        adapter.append((after["cpu_s"] - before["cpu_s"]) / elapsed * 100)
        server.append((server_after - server_before) / elapsed * 100)
    return {
        "adapter_pct": float(np.median(adapter)),
        "adapter_range": (min(adapter), max(adapter)),
        "server_pct": float(np.median(server)),
        "elapsed": points[-1][0]["time"] - points[0][0]["time"],
        "first": points[0][0],
        "last": points[-1][0],
    }


def call_cpu(
    pulse: PulseAudioServer, workdir: Path, seconds: float, extra: list[str], tag: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """CPU windows of the adapter process idle (registered, no call), then in a G722 call."""
    rtp = str(free_udp_port(24000, 28000))
    far, near = start_peers(workdir, "G722", ["--rtp-port", rtp, "--dial-on-command", *extra], tag)
    try:
        time.sleep(2.0)  # past start-up (library loading, device enumeration)
        idle = cpu_windows(near, pulse, 3, seconds / 6)
        near.send(cmd="dial")
        far.wait_for("media", 15)
        time.sleep(3.0)  # devices started, AEC3 and the rings settled
        return idle, cpu_windows(near, pulse, 5, seconds / 5)
    finally:
        near.stop()
        far.stop()


def baseline_cpu(pulse: PulseAudioServer, workdir: Path, seconds: float) -> dict[str, float]:
    """The same call with no bridge: pjsua2 alone (codec, jitter buffer, RTP)."""
    idle, call = call_cpu(pulse, workdir, seconds, ["--no-bridge"], "baseline")
    return {
        "baseline_cpu_pct": call["adapter_pct"] - idle["adapter_pct"],
        "baseline_process_cpu_pct": call["adapter_pct"],
    }


def load_call(pulse: PulseAudioServer, workdir: Path, seconds: float) -> dict[str, float]:
    """A G722 call on the headset with processing on: latency and CPU."""
    idle, call = call_cpu(pulse, workdir, seconds, [], "load")
    first, last = call["first"], call["last"]
    up, down = last["latency_up_ms"], last["latency_down_ms"]
    # Besides the ring, each way: half a device block (a captured block's samples waited
    # that long on average for the block to fill; a played block's play that long into
    # it on average) and the resampler's delay.
    fixed = 2 * (DEVICE_BLOCK / DEVICE_RATE * 1000 / 2 + RESAMPLER_DELAY_MS)
    return {
        "bridge_latency_p50_ms": up[0] + down[0] + fixed,
        "bridge_latency_p99_ms": up[1] + down[1] + fixed,
        "cpu_per_call_pct": call["adapter_pct"] - idle["adapter_pct"],
        "cpu_per_call_low_pct": call["adapter_range"][0] - idle["adapter_pct"],
        "cpu_per_call_high_pct": call["adapter_range"][1] - idle["adapter_pct"],
        "process_cpu_call_pct": call["adapter_pct"],
        "process_cpu_idle_pct": idle["adapter_pct"],
        "server_cpu_per_call_pct": call["server_pct"] - idle["server_pct"],
        "bridge_cpu_pct": (last["busy_s"] - first["busy_s"]) / call["elapsed"] * 100,
        "play_starved": last["play_starved"] - first["play_starved"],
        "send_starved": last["send_starved"] - first["send_starved"],
    }


def align(reference: np.ndarray, recorded: np.ndarray) -> np.ndarray:
    """The stretch of ``recorded`` that best matches ``reference`` (cross-correlation)."""
    size = 1 << int(np.ceil(np.log2(len(reference) + len(recorded))))
    ref = np.fft.rfft(reference.astype(np.float64), size)
    rec = np.fft.rfft(recorded.astype(np.float64), size)
    correlation = np.fft.irfft(rec * np.conj(ref), size)[: len(recorded) - len(reference)]
    start = int(np.argmax(correlation))
    return recorded[start : start + len(reference)]


def pesq_score(reference: np.ndarray, recorded: np.ndarray, rate: int, mode: str) -> float:
    import soxr
    from pesq import pesq

    target = 8000 if mode == "nb" else 16000
    ref = soxr.resample(reference.astype(np.float32), 16000, target)
    deg = soxr.resample(recorded.astype(np.float32), rate, target)
    return float(pesq(target, ref, align(ref, deg), mode))


def speech_quality(
    pulse: PulseAudioServer, workdir: Path, speech: np.ndarray, codec: str, loss: int
) -> dict[str, float]:
    """PESQ both ways for one codec and loss rate, after the bridge and with pjsua2 alone.

    One talker at a time, as PESQ is meant to be used. Far end -> agent: the far end
    speaks; recorded from the headset's loudspeaker (after the bridge) and, in the same
    call, by a pjsua2 recorder on the call's media (pjsua2's own decoding). Agent -> far
    end, the far end silent: spoken into the headset's microphone (WebRTC processing and
    the bridge) and, in another call, played by pjsua2 straight into the call; both
    recorded by the far end.
    """
    headset = pulse.devices["Jabra EVOLVE 40"]
    mode = "nb" if codec == "pcmu" else "wb"
    seconds = 2 * len(speech) / 16000 + 0.5
    tag = f"{codec}-{loss}"
    tap = workdir / f"tap-{tag}.wav"
    after_bridge = lossy_call(
        workdir, codec, loss, tag, ["--tap-record", str(tap)],
        during=lambda: pulse.record(headset.output_sink, seconds),
    )  # fmt: skip
    baseline, base_rate = read_wav(tap)
    window = baseline[-int(base_rate * len(after_bridge) / 48000) :]
    agent = start_speaking(pulse, speech)
    try:
        lossy_call(
            workdir, codec, loss, f"{tag}-up", [],
            during=lambda: time.sleep(seconds), far_plays="silence.wav",
        )  # fmt: skip
    finally:
        stop_player(agent)
    lossy_call(
        workdir, codec, loss, f"{tag}-alone",
        ["--no-bridge", "--play", str(workdir / "speech.wav")],
        during=lambda: time.sleep(seconds), far_plays="silence.wav",
    )  # fmt: skip
    return {
        f"pesq_{codec}_{loss}": pesq_score(speech, after_bridge, 48000, mode),
        f"pesq_baseline_{codec}_{loss}": pesq_score(speech, window, base_rate, mode),
        f"pesq_uplink_{codec}_{loss}": uplink_score(workdir, f"{tag}-up", speech, seconds, mode),
        f"pesq_uplink_baseline_{codec}_{loss}": uplink_score(
            workdir, f"{tag}-alone", speech, seconds, mode
        ),
    }


def double_talk(pulse: PulseAudioServer, workdir: Path, speech: np.ndarray) -> float:
    """PESQ agent -> far end (G722, no loss) while the far end talks all the time too."""
    seconds = 2 * len(speech) / 16000 + 0.5
    agent = start_speaking(pulse, speech)
    try:
        lossy_call(workdir, "g722", 0, "double", [], during=lambda: time.sleep(seconds))
    finally:
        stop_player(agent)
    return uplink_score(workdir, "double", speech, seconds, "wb")


def start_speaking(pulse: PulseAudioServer, speech: np.ndarray) -> Any:
    """The agent talks into the headset's microphone (the speech, looped)."""
    import soxr

    voice = soxr.resample(speech.astype(np.float32), 16000, 48000).astype(np.int16)
    return pulse.start_playing(pulse.devices["Jabra EVOLVE 40"].input_sink, np.tile(voice, 4))


def uplink_score(workdir: Path, tag: str, speech: np.ndarray, seconds: float, mode: str) -> float:
    """PESQ of the last ``seconds`` the far end recorded in call ``tag``."""
    sent, rate = read_wav(workdir / f"far-{tag}.wav")
    return pesq_score(speech, sent[-int(seconds * rate) :], rate, mode)


def lossy_call(
    workdir: Path,
    codec: str,
    loss: int,
    tag: str,
    near_extra: list[str],
    *,
    during: Any,
    far_plays: str = "speech.wav",
) -> Any:
    """A call through a ``LossyRelay``; returns what ``during()`` returns while it is up."""
    near_rtp, far_rtp = free_rtp_pair(), free_rtp_pair()
    while far_rtp == near_rtp:
        far_rtp = free_rtp_pair()
    relay = LossyRelay(near_rtp, far_rtp, loss / 100)
    extra = ["--rtp-port", str(near_rtp), "--media-public", "127.0.0.2", *near_extra]
    far_extra = ["--rtp-port", str(far_rtp), "--media-public", "127.0.0.2"]
    far, near = start_peers(workdir, CODECS[codec], extra, tag, far_extra, far_plays=far_plays)
    try:
        near.wait_for("media", 15)
        time.sleep(1.5)
        return during()
    finally:
        near.stop()
        far.stop()
        relay.close()


def drift_simulated() -> float:
    """Largest ring level (ms) of the pipeline alone under simulated clocks 0.1 % apart,
    over a 30-minute call (about 7 s to run)."""
    from tests.unit.audio.drift import run_clocks, simulated_pipeline

    pipeline, clock = simulated_pipeline()
    run = run_clocks(pipeline, clock, seconds=1800.0, mismatch=0.001)
    settled = len(run.play_ms) // 60, len(run.send_ms) // 60  # after the first 30 s
    return float(max(np.max(run.play_ms[settled[0] :]), np.max(run.send_ms[settled[1] :])))


def drift_call(workdir: Path, seconds: float, speed: float = 1.001) -> dict[str, float]:
    """A call on a headset whose sound server's clock runs ``speed`` times real time."""
    for pulse in running_server(clock_speed=speed):
        pulse.plug("Jabra EVOLVE 40")
        rtp = str(free_udp_port(24000, 28000))
        far, near = start_peers(workdir, "G722", ["--rtp-port", rtp], "drift")
        try:
            far.wait_for("media", 15)
            time.sleep(30.0)  # settled: devices started, the loop has found the ratio
            watched = [stats(near)]
            while watched[-1]["time"] - watched[0]["time"] < seconds:
                time.sleep(1.0)
                watched.append(stats(near))
        finally:
            near.stop()
            far.stop()
    first, last = watched[0], watched[-1]
    elapsed = last["time"] - first["time"]
    ms = 1000 / DEVICE_RATE
    levels = [max(s["play_level"], s["send_level"]) * ms for s in watched]
    minute = max(1, len(watched) // max(1, round(elapsed / 60)))

    def mean_level(part: list[dict[str, Any]]) -> float:
        return float(np.mean([(s["play_level"] + s["send_level"]) / 2 * ms for s in part]))

    return {
        "drift_buffer_max_ms": max(levels),
        "drift_level_first_minute_ms": mean_level(watched[:minute]),
        "drift_level_last_minute_ms": mean_level(watched[-minute:]),
        "drift_sound_card_speed": (last["play_consumed"] - first["play_consumed"])
        / elapsed
        / DEVICE_RATE,
        "drift_starved_samples": (last["play_starved"] - first["play_starved"])
        + (last["send_starved"] - first["send_starved"]),
        "drift_dropped_samples": (last["play_dropped"] - first["play_dropped"])
        + (last["send_dropped"] - first["send_dropped"]),
        "drift_call_s": elapsed,
    }


def run(quick: bool) -> dict[str, float]:
    results: dict[str, float] = {"drift_buffer_max_simulated_ms": drift_simulated()}
    workdir = Path(tempfile.mkdtemp(prefix="audio-bench-"))
    speech = synthetic_speech(workdir / "speech.wav", 16000)[: 8 * 16000]
    write_wav(workdir / "speech.wav", speech, 16000)
    write_wav(workdir / "silence.wav", np.zeros_like(speech), 16000)
    for pulse in running_server():
        pulse.plug("Jabra EVOLVE 40")
        results.update(load_call(pulse, workdir, 6.0 if quick else 20.0))
        results.update(baseline_cpu(pulse, workdir, 6.0 if quick else 20.0))
        echo = pulse.plug("Echo Headset")
        pulse.add_echo_path(echo, delay_ms=40, volume_percent=50)
        results.update(echo_call(pulse, workdir, 5.0 if quick else 10.0))
        pulse.unplug("Echo Headset")
        for codec in CODECS:
            for loss in LOSSES:
                results.update(speech_quality(pulse, workdir, speech, codec, loss))
        results["pesq_uplink_double_talk_g722_0"] = double_talk(pulse, workdir, speech)
    results.update(drift_call(workdir, 60.0 if quick else 600.0))
    return results


def print_table(results: dict[str, float]) -> None:
    print(f"{'metric':34} {'value':>10}")
    print(f"{'bridge latency p50 (ms, both ways)':34} {results['bridge_latency_p50_ms']:10.1f}")
    print(f"{'bridge latency p99 (ms, both ways)':34} {results['bridge_latency_p99_ms']:10.1f}")
    spread = f"{results['cpu_per_call_low_pct']:.1f}-{results['cpu_per_call_high_pct']:.1f}"
    rows = [
        ("CPU per call (%, call - idle)", "cpu_per_call_pct"),
        ("  adapter process in the call (%)", "process_cpu_call_pct"),
        ("  adapter process idle (%)", "process_cpu_idle_pct"),
        ("  inside the bridge callbacks (%)", "bridge_cpu_pct"),
        ("same call, no bridge (%)", "baseline_cpu_pct"),
        ("sound server, per call (%)", "server_cpu_per_call_pct"),
    ]
    for label, key in rows:
        print(f"{label:34} {results[key]:10.1f}")
        if key == "cpu_per_call_pct":
            print(f"{'  lowest-highest window':34} {spread:>10}")
    starved = f"{results['play_starved']:.0f} / {results['send_starved']:.0f}"
    print(f"{'samples starved (play / send)':34} {starved:>10}")
    speed, minutes = results["drift_sound_card_speed"], results["drift_call_s"] / 60
    print(f"drift: headset clock at {speed:.4f} x real time, {minutes:.0f} min call")
    for label, key in (
        ("  largest ring level (ms)", "drift_buffer_max_ms"),
        ("  mean level, first minute (ms)", "drift_level_first_minute_ms"),
        ("  mean level, last minute (ms)", "drift_level_last_minute_ms"),
        ("  samples starved / dropped", None),
        ("same, simulated clocks, 30 minutes (ms)", "drift_buffer_max_simulated_ms"),
    ):
        if key is None:
            starved, dropped = results["drift_starved_samples"], results["drift_dropped_samples"]
            print(f"{label:34} {f'{starved:.0f} / {dropped:.0f}':>10}")
        else:
            print(f"{label:34} {results[key]:10.1f}")
    print(f"{'ERLE, median second (dB)':34} {results['erle_db']:10.1f}")
    print(f"{'ERLE, whole 10 s window (dB)':34} {results['erle_whole_db']:10.1f}")
    print(f"\n{'PESQ':10} {'loss %':>6} {'far end -> agent':>18} {'agent -> far end':>18}")
    print(f"{'':10} {'':6} {'bridge':>8} {'pjsua2':>9} {'bridge':>8} {'pjsua2':>9}")
    for codec in CODECS:
        for loss in LOSSES:
            figures = [
                results[f"pesq{way}_{codec}_{loss}"]
                for way in ("", "_baseline", "_uplink", "_uplink_baseline")
            ]
            print(f"{codec:10} {loss:6d}" + "".join(f" {f:8.2f} " for f in figures))
    double = results["pesq_uplink_double_talk_g722_0"]
    print(f"agent -> far end, g722, 0 %, both talking at once: {double:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one flat JSON object")
    parser.add_argument("--quick", action="store_true", help="shorter measuring call")
    args = parser.parse_args()
    results = run(args.quick)
    if args.json:
        ordered = KEYS + sorted(set(results) - set(KEYS))
        print(json.dumps({key: round(results[key], 3) for key in ordered}))
    else:
        print_table(results)


if __name__ == "__main__":
    main()
