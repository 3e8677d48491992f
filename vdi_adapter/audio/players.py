"""Output streams that are not calls: the ringer, local tones, the device self-test."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import sounddevice as sd

from vdi_adapter.audio.bridge import portaudio_index
from vdi_adapter.audio.buffers import SampleRing
from vdi_adapter.audio.devices import PortAudioStreams
from vdi_adapter.audio.pipeline import DEVICE_BLOCK, DEVICE_RATE, INT16_SCALE, LevelMeter

Source = Callable[[int], "np.ndarray | None"]


class TonePlayer:
    """Plays one sample source on one output device until stopped or finished."""

    def __init__(self, device: str, source: Source, gain: Callable[[], float]) -> None:
        self.device = device
        self._source = source
        self._gain = gain
        self._stream: sd.OutputStream | None = None

    def start(self) -> None:
        with PortAudioStreams.lock():
            self._stream = sd.OutputStream(
                device=portaudio_index(self.device, recording=False),
                samplerate=DEVICE_RATE,
                blocksize=DEVICE_BLOCK,
                channels=1,
                dtype="int16",
                latency="low",
                callback=self._callback,
            )
            PortAudioStreams.opened()
        self._stream.start()

    def _callback(self, outdata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
        samples = self._source(frames)
        if samples is None:
            outdata.fill(0)
            return
        scaled = samples * np.float32(self._gain() * INT16_SCALE)
        outdata[:, 0] = np.clip(scaled, -32768, 32767).astype(np.int16)

    def stop(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            stream.abort()
            stream.close()
        finally:
            PortAudioStreams.closed()


def run_device_test(microphone: str, speaker: str, seconds: float) -> tuple[float, float]:
    """Loop the microphone to the speaker for ``seconds``; (microphone, speaker) dBFS.

    The levels are the loudest device block seen, the figure a person checks ("does the
    meter move when I speak?"). Two streams and a small ring, as in calls.
    """
    ring = SampleRing(DEVICE_RATE // 5)
    mic_meter, speaker_meter = LevelMeter(), LevelMeter()

    def capture(indata: np.ndarray, _frames: int, _t: Any, _s: Any) -> None:
        samples = indata[:, 0].astype(np.float32) / INT16_SCALE
        mic_meter.feed(samples)
        ring.write(samples)

    def play(outdata: np.ndarray, frames: int, _t: Any, _s: Any) -> None:
        samples = ring.read(frames)
        speaker_meter.feed(samples)
        outdata[:, 0] = np.clip(samples * INT16_SCALE, -32768, 32767).astype(np.int16)

    streams = [
        _open(sd.InputStream, portaudio_index(microphone, recording=True), capture),
        _open(sd.OutputStream, portaudio_index(speaker, recording=False), play),
    ]
    try:
        for stream in streams:
            stream.start()
        time.sleep(seconds)
    finally:
        for stream in streams:
            stream.abort()
            stream.close()
            PortAudioStreams.closed()
    return mic_meter.take(), speaker_meter.take()


def _open(kind: Any, device: int, callback: Any) -> Any:
    with PortAudioStreams.lock():
        stream = kind(
            device=device, samplerate=DEVICE_RATE, blocksize=DEVICE_BLOCK, channels=1,
            dtype="int16", latency="low", callback=callback,
        )  # fmt: skip
        PortAudioStreams.opened()
    return stream


class Ticker:
    """Calls ``action`` every ``period`` seconds on a daemon thread until stopped."""

    def __init__(self, period: float, action: Callable[[], None], name: str) -> None:
        self._period = period
        self._action = action
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._period):
            self._action()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
