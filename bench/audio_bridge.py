"""Benchmark of the media bridge: latency, CPU, drift, echo cancellation, speech quality.

Runs on this machine only (127.0.0.0/8): a private PulseAudio server with a virtual
headset, the adapter side (``DeviceAudioBackend`` in a pjsua2 process) and a far end (a
second pjsua2 process), as in tests/integration/audio. Prints a table, or with ``--json``
one flat JSON object with the keys listed in ``KEYS``.

* latency: how long samples spend in the bridge, capture->encoder plus decoder->playback,
  p50 and p99, G722 call: each block's middle sample timed from being written into its
  ring to being taken out, plus half a device block and the resampler's delay each way;
* CPU per call: the adapter process's CPU time per second in a call (pjsua2 codec, jitter
  buffer and RTP included, WebRTC processing on) minus the same process idle before the
  call; the whole process, the bridge's own share, the same call without the bridge and
  the sound server's extra CPU are shown beside it;
* drift: the real pipeline code driven by two simulated clocks 0.1 % apart for 10 min;
* ERLE: speech echoed from the headset's speaker into its microphone (40 ms, -18 dB);
* PESQ (P.862, the ``pesq`` package): the far end's speech through the call with random
  loss on the RTP towards the adapter (a UDP relay on 127.0.0.2 drops packets), scored
  after the bridge (recorded from the headset's loudspeaker) and, in the same call, as
  pjsua2 decodes it with no bridge (a pjsua2 recorder on the call's media).
"""

from __future__ import annotations

import argparse
import json
import os
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
from tests.support.pulseaudio import PulseAudioServer, running_server
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
]
RULES = pb.DeviceRules(headset=["jabra"], use_headset=True)
RESAMPLER_DELAY_MS = 1.0  # libsamplerate sinc_fastest group delay, both directions


class LossyRelay:
    """Symmetric RTP/RTCP relay on 127.0.0.2 between the far end and the adapter.

    Both sides advertise 127.0.0.2 in their SDP, so each sees its peer's packets come
    from the advertised address and never switches to the other's real one. Packets
    towards the adapter are dropped at random with probability ``loss``.
    """

    def __init__(self, near_port: int, far_port: int, loss: float, seed: int = 7) -> None:
        self._loss = loss
        self._random = random.Random(seed)
        self._stop = threading.Event()
        self.forwarded = 0
        self.dropped = 0
        self._threads = []
        self._sockets = []
        for offset in (0, 1):
            as_near = self._bind(near_port + offset)  # the far end sends here
            as_far = self._bind(far_port + offset)  # the adapter sends here
            to_near, to_far = ("127.0.0.1", near_port + offset), ("127.0.0.1", far_port + offset)
            self._spawn(as_near, as_far, to_near, lossy=True)
            self._spawn(as_far, as_near, to_far, lossy=False)

    def _bind(self, port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.2", port))
        sock.settimeout(0.2)
        self._sockets.append(sock)
        return sock

    def _spawn(
        self, source: socket.socket, sender: socket.socket, target: tuple[str, int], lossy: bool
    ) -> None:
        thread = threading.Thread(target=self._run, args=(source, sender, target, lossy))
        thread.start()
        self._threads.append(thread)

    def _run(
        self, source: socket.socket, sender: socket.socket, target: tuple[str, int], lossy: bool
    ) -> None:
        while not self._stop.is_set():
            try:
                data = source.recv(4096)
            except TimeoutError:
                continue
            if lossy and self._random.random() < self._loss:
                self.dropped += 1
                continue
            sender.sendto(data, target)
            self.forwarded += lossy

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
    workdir: Path, codec: str, near_extra: list[str], tag: str, far_extra: list[str] | None = None
) -> tuple[PeerProcess, PeerProcess]:
    far_port, near_port = free_udp_port(5100, 5150), free_udp_port(5150, 5200)
    far_rtp = far_extra or ["--rtp-port", str(free_udp_port(20000, 24000))]
    far = PeerProcess(
        "far", "--port", str(far_port), *far_rtp,
        "--codec", codec, "--play", str(workdir / "speech.wav"),
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


def process_cpu_s(pid: int | None) -> float:
    """User + system CPU seconds a process has used so far (0 if it is not running)."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuWindow:
    """CPU of the adapter process and of the sound server between two points in time."""

    def __init__(self, near: PeerProcess, pulse: PulseAudioServer) -> None:
        self._near, self._pulse = near, pulse
        self.first = stats(near)
        self._server_s = process_cpu_s(pulse.pid)

    def close(self) -> dict[str, Any]:
        last = stats(self._near)
        elapsed = last["time"] - self.first["time"]
        server = (process_cpu_s(self._pulse.pid) - self._server_s) / elapsed * 100
        adapter = (last["cpu_s"] - self.first["cpu_s"]) / elapsed * 100
        return {"adapter_pct": adapter, "server_pct": server, "elapsed": elapsed, "last": last}


def call_cpu(
    pulse: PulseAudioServer, workdir: Path, seconds: float, extra: list[str], tag: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The adapter process idle (registered, no call) and then in a G722 call.

    Returns (idle, call) CPU windows and the bridge statistics at the call window's start.
    """
    rtp = str(free_udp_port(24000, 28000))
    far, near = start_peers(workdir, "G722", ["--rtp-port", rtp, "--dial-on-command", *extra], tag)
    try:
        time.sleep(2.0)  # past start-up (library loading, device enumeration)
        window = CpuWindow(near, pulse)
        time.sleep(seconds / 2)
        idle = window.close()
        near.send(cmd="dial")
        far.wait_for("media", 15)
        time.sleep(3.0)  # devices started, AEC3 and the rings settled
        window = CpuWindow(near, pulse)
        time.sleep(seconds)
        call = window.close()
        return idle, call, window.first
    finally:
        near.stop()
        far.stop()


def baseline_cpu(pulse: PulseAudioServer, workdir: Path, seconds: float) -> dict[str, float]:
    """The same call with no bridge: pjsua2 alone (codec, jitter buffer, RTP)."""
    idle, call, _ = call_cpu(pulse, workdir, seconds, ["--no-bridge"], "baseline")
    return {
        "baseline_cpu_pct": call["adapter_pct"] - idle["adapter_pct"],
        "baseline_process_cpu_pct": call["adapter_pct"],
    }


def load_call(pulse: PulseAudioServer, workdir: Path, seconds: float) -> dict[str, float]:
    """A G722 call on the headset with processing on: latency and CPU."""
    idle, call, first = call_cpu(pulse, workdir, seconds, [], "load")
    last = call["last"]
    up, down = last["latency_up_ms"], last["latency_down_ms"]
    # Besides the ring, each way: half a device block (a captured block's middle sample
    # waited that long for the block to fill; a played one plays that long into its
    # block) and the resampler's delay.
    fixed = 2 * (DEVICE_BLOCK / DEVICE_RATE * 1000 / 2 + RESAMPLER_DELAY_MS)
    return {
        "bridge_latency_p50_ms": up[0] + down[0] + fixed,
        "bridge_latency_p99_ms": up[1] + down[1] + fixed,
        "cpu_per_call_pct": call["adapter_pct"] - idle["adapter_pct"],
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
) -> tuple[float, float]:
    """(PESQ after the bridge, PESQ of pjsua2 alone) for one codec and loss rate."""
    headset = pulse.devices["Jabra EVOLVE 40"]
    near_rtp, far_rtp = free_rtp_pair(), free_rtp_pair()
    while far_rtp == near_rtp:
        far_rtp = free_rtp_pair()
    relay = LossyRelay(near_rtp, far_rtp, loss / 100)
    tap = workdir / f"tap-{codec}-{loss}.wav"
    extra = ["--rtp-port", str(near_rtp), "--media-public", "127.0.0.2", "--tap-record", str(tap)]
    far_extra = ["--rtp-port", str(far_rtp), "--media-public", "127.0.0.2"]
    far, near = start_peers(workdir, CODECS[codec], extra, f"{codec}-{loss}", far_extra)
    try:
        near.wait_for("media", 15)
        time.sleep(1.5)
        after_bridge = pulse.record(headset.output_sink, 2 * len(speech) / 16000 + 0.5)
    finally:
        near.stop()
        far.stop()
        relay.close()
    baseline, base_rate = read_wav(tap)
    mode = "nb" if codec == "pcmu" else "wb"
    bridged = pesq_score(speech, after_bridge, 48000, mode)
    window = baseline[-int(base_rate * len(after_bridge) / 48000) :]
    return bridged, pesq_score(speech, window, base_rate, mode)


def drift_run() -> float:
    from tests.unit.audio.drift import run_clocks
    from vdi_adapter.audio.pipeline import AudioControls, MediaPipeline

    run = run_clocks(MediaPipeline(16000, AudioControls()), seconds=600.0, mismatch=0.001)
    settled = len(run.play_ms) // 20, len(run.send_ms) // 20  # after the first 30 s
    return float(max(np.max(run.play_ms[settled[0] :]), np.max(run.send_ms[settled[1] :])))


def run(quick: bool) -> dict[str, float]:
    results: dict[str, float] = {"drift_buffer_max_ms": drift_run()}
    workdir = Path(tempfile.mkdtemp(prefix="audio-bench-"))
    speech = synthetic_speech(workdir / "speech.wav", 16000)[: 8 * 16000]
    write_wav(workdir / "speech.wav", speech, 16000)
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
                bridged, baseline = speech_quality(pulse, workdir, speech, codec, loss)
                results[f"pesq_{codec}_{loss}"] = bridged
                results[f"pesq_baseline_{codec}_{loss}"] = baseline
    return results


def print_table(results: dict[str, float]) -> None:
    print(f"{'metric':34} {'value':>10}")
    print(f"{'bridge latency p50 (ms, both ways)':34} {results['bridge_latency_p50_ms']:10.1f}")
    print(f"{'bridge latency p99 (ms, both ways)':34} {results['bridge_latency_p99_ms']:10.1f}")
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
    starved = f"{results['play_starved']:.0f} / {results['send_starved']:.0f}"
    print(f"{'samples starved (play / send)':34} {starved:>10}")
    print(f"{'drift 0.1 %, 10 min: max ring (ms)':34} {results['drift_buffer_max_ms']:10.1f}")
    print(f"{'ERLE, median second (dB)':34} {results['erle_db']:10.1f}")
    print(f"{'ERLE, whole 10 s window (dB)':34} {results['erle_whole_db']:10.1f}")
    print(f"\n{'PESQ':10} {'loss %':>6} {'bridge':>8} {'pjsua2':>8}")
    for codec in CODECS:
        for loss in LOSSES:
            bridged = results[f"pesq_{codec}_{loss}"]
            baseline = results[f"pesq_baseline_{codec}_{loss}"]
            print(f"{codec:10} {loss:6d} {bridged:8.2f} {baseline:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one flat JSON object")
    parser.add_argument("--quick", action="store_true", help="shorter measuring call")
    args = parser.parse_args()
    results = run(args.quick)
    if args.json:
        print(json.dumps({key: round(results[key], 3) for key in KEYS}))
    else:
        print_table(results)


if __name__ == "__main__":
    main()
