"""The media bridge of one call: a ``pj.AudioMediaPort`` and PortAudio streams.

The pjsua2 wheel has only a null sound device, so each call's audio is taken out of and
put into the conference bridge through a Python ``AudioMediaPort`` and played/recorded
with PortAudio (opened through ``sounddevice``). The samples themselves go through
``MediaPipeline``; this module only connects it:

* ``CallPort`` receives/supplies 20 ms frames on pjmedia's clock thread, through the
  cheap frame access of ``vdi_adapter.media_frames``: all of a call's Python work runs
  in these two upcalls.
* ``DeviceStreams`` is an input and an output PortAudio stream at ``DEVICE_RATE`` with
  20 ms blocks (``DEVICE_BLOCK``: two APM frames, one pjmedia frame period) whose
  callbacks are C (``_device_ring``): they only move samples between the device and the
  pipeline's rings, through a ``DeviceTap`` each.
* A device switch opens and starts the new streams first; then each new stream takes
  its ring over in its own next callback (the ring's ``incoming`` tap), so the old
  device feeds the call up to the very block the new one delivers, and only then are
  the old streams closed: no gap in either direction beyond the two streams' phase.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import pjsua2 as pj
import sounddevice as sd

from vdi_adapter.audio._device_ring import STREAM_CALLBACK, DeviceTap
from vdi_adapter.audio.devices import PortAudioStreams
from vdi_adapter.audio.pipeline import DEVICE_BLOCK, DEVICE_RATE, MediaPipeline
from vdi_adapter.media_frames import VectorWriter, keep_thread_state, read_bytes

log = logging.getLogger(__name__)

START_TIMEOUT_S = 3.0
HANDOVER_TIMEOUT_S = 0.2
"""Longest wait for the new streams to take over in their callbacks (ten blocks)."""


class CallPort(pj.AudioMediaPort):
    """Conference-bridge port of one call; callbacks run on pjmedia's clock thread."""

    def __init__(self, pipeline: MediaPipeline) -> None:
        super().__init__()
        self.pipeline: MediaPipeline | None = pipeline
        self.frames_in = 0
        self.frames_out = 0
        self._writer = VectorWriter()
        self.received_tap: Callable[[bytes], None] | None = None
        """Also gets every received frame (the engine's in-band DTMF listener)."""

    def create(self, name: str) -> None:
        fmt = pj.MediaFormatAudio()
        fmt.type = pj.PJMEDIA_TYPE_AUDIO
        fmt.clockRate = self.pipeline.call_rate if self.pipeline else 16000
        fmt.channelCount = 1
        fmt.bitsPerSample = 16
        fmt.frameTimeUsec = 20000
        self.createPort(name, fmt)

    def onFrameReceived(self, frame: Any) -> None:
        keep_thread_state()
        pipeline = self.pipeline
        audio = frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO
        pcm = read_bytes(frame.buf) if audio else None
        if pipeline is not None:
            # A frame without audio (nothing to mix) still plays: silence, and the tones.
            started = time.perf_counter()
            pipeline.from_call(pcm)
            self.frames_in += 1
            pipeline.busy_s += time.perf_counter() - started
        tap = self.received_tap
        if tap is not None and pcm is not None:
            tap(pcm)

    def onFrameRequested(self, frame: Any) -> None:
        keep_thread_state()
        pipeline = self.pipeline
        if pipeline is None:
            return
        started = time.perf_counter()
        data = pipeline.to_call()
        frame.buf = self._writer.vector(data)
        frame.size = len(data)
        frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
        self.frames_out += 1
        pipeline.busy_s += time.perf_counter() - started


class DeviceStreams:
    """An input and an output PortAudio stream, each with a ``DeviceTap`` to a ring.

    Two streams rather than one duplex stream: PortAudio's ALSA duplex mode over the
    PulseAudio plugin polls in a loop and keeps a core busy; separate streams cost
    well under 1 %. The APM aligns playback and capture itself.
    """

    def __init__(
        self, pipeline: MediaPipeline | None, microphone: str | None, speaker: str | None
    ) -> None:
        self.microphone = microphone
        self.speaker = speaker
        self.taps = {"input": DeviceTap(input=True), "output": DeviceTap(input=False)}
        self._streams: list[Any] = []
        self._lock = threading.Lock()
        self._closed = False
        """Set by ``close``: a stream still being opened (another thread) is closed at once."""
        self.attach(pipeline)

    def attach(self, pipeline: MediaPipeline | None) -> None:
        """Use ``pipeline``'s rings from the next callback on (None: play silence)."""
        self.taps["input"].attach(pipeline.capture_ring if pipeline else None)
        self.taps["output"].attach(pipeline.play_ring if pipeline else None)

    @property
    def directions(self) -> list[str]:
        return [kind for kind, on in (("input", self.microphone), ("output", self.speaker)) if on]

    @property
    def running(self) -> bool:
        """Every stream has delivered a first block: the devices really work."""
        return all(self.taps[kind].blocks > 0 for kind in self.directions)

    @property
    def status_flags(self) -> int:
        """Blocks PortAudio flagged (an overflow or underflow in the sound system)."""
        return sum(tap.status_flags for tap in self.taps.values())

    def wait_running(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self.running and time.monotonic() < deadline:
            time.sleep(0.005)
        return self.running

    def open(self) -> None:
        if not (self.microphone or self.speaker):
            raise DeviceUnavailable("no device to open")
        try:
            if self.speaker:
                self._open_one("output", self.speaker)
            if self.microphone:
                self._open_one("input", self.microphone)
        except Exception:
            self.close()
            raise

    def _open_one(self, kind: str, name: str) -> None:
        with PortAudioStreams.lock():
            # sounddevice's base stream takes a C callback and its user data as they are.
            stream = sd._StreamBase(
                kind=kind,
                device=portaudio_index(name, recording=kind == "input"),
                samplerate=DEVICE_RATE,
                blocksize=DEVICE_BLOCK,
                channels=1,
                dtype="int16",
                latency="low",
                callback=STREAM_CALLBACK,
                userdata=sd._ffi.cast("void *", self.taps[kind].address),
                wrap_callback=None,
            )
            PortAudioStreams.opened()
        with self._lock:
            # Closed meanwhile (a hang-up, devices changed): a stream started now would
            # run on with no one to close it, its callback's tap freed under it.
            if not self._closed:
                self._streams.append(stream)
                stream.start()
                return
        stream.close()
        PortAudioStreams.closed()

    def feed(self, pipeline: MediaPipeline) -> None:
        """Make these streams the ones feeding ``pipeline``, at once."""
        self.attach(pipeline)
        for kind, ring in (("input", pipeline.capture_ring), ("output", pipeline.play_ring)):
            ring.feeder = self.taps[kind].id if kind in self.directions else 0
            ring.incoming = 0

    def take_over(self, pipeline: MediaPipeline, timeout: float) -> None:
        """Take ``pipeline``'s rings over from the streams feeding them now, each in
        this stream's own next callback; whatever is not claimed by ``timeout`` at once."""
        rings = {"input": pipeline.capture_ring, "output": pipeline.play_ring}
        for kind in self.directions:
            rings[kind].incoming = self.taps[kind].id
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(
            rings[kind].feeder != self.taps[kind].id for kind in self.directions
        ):
            time.sleep(0.002)
        self.feed(pipeline)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            streams, self._streams = self._streams, []
        for stream in streams:
            try:
                stream.abort()
                stream.close()
            except sd.PortAudioError as error:
                log.debug("closing a stream: %s", error)
            finally:
                PortAudioStreams.closed()
        # Only now, with no callback left to run, may the taps let go of the rings.
        self.attach(None)


class DeviceUnavailable(RuntimeError):
    """The device is not in this process's PortAudio list (gone, or plugged in later)."""


def portaudio_index(name: str, *, recording: bool) -> int:
    """Index of the device with exactly this name that can record (or play)."""
    channels = "max_input_channels" if recording else "max_output_channels"
    for index, device in enumerate(sd.query_devices()):
        if device["name"] == name and device[channels] > 0:
            return index
    raise DeviceUnavailable(f"sound device not available: {name}")


class CallBridge:
    """Connects one call's ``pj.AudioMedia`` to the selected sound devices."""

    def __init__(self, call_id: str, pipeline: MediaPipeline) -> None:
        self.call_id = call_id
        self.pipeline = pipeline
        self.port: CallPort | None = CallPort(pipeline)
        self.active_streams: DeviceStreams | None = None
        """The streams the call uses (or is moving to): the devices reported."""
        self._media: Any = None
        self._switch_lock = threading.Lock()
        self._closed = False

    def open_devices(self, microphone: str | None, speaker: str | None) -> None:
        """Open and start the streams first (slow), then hand the pipeline over."""
        with self._switch_lock:
            if self._closed:
                return
            fresh = DeviceStreams(self.pipeline, microphone, speaker)
            fresh.open()
            # A stream may take a second to deliver its first block after start():
            # the old one keeps the call going until the new one does.
            if not fresh.wait_running(START_TIMEOUT_S):
                log.warning("%s/%s slow to start", microphone, speaker)
            old, self.active_streams = self.active_streams, fresh
            fresh.take_over(self.pipeline, HANDOVER_TIMEOUT_S)
            if old is not None:
                old.close()

    def adopt(self, streams: DeviceStreams) -> None:
        """Use streams that are already running (opened while the call was ringing)."""
        with self._switch_lock:
            if self._closed:
                streams.close()
                return
            streams.feed(self.pipeline)
            old, self.active_streams = self.active_streams, streams
            if old is not None:
                old.close()

    def connect(self, media: Any) -> None:
        """Bridge the call's media both ways through our port (engine thread)."""
        port = self.port
        if port is None:
            return
        port.create(f"bridge-{self.call_id}")
        media.startTransmit(port)
        port.startTransmit(media)
        self._media = media

    def close(self) -> None:
        """Disconnect from the conference bridge and release the devices; idempotent."""
        self._closed = True
        media, self._media = self._media, None
        port, self.port = self.port, None
        if port is not None:
            if media is not None:
                _quietly(media.stopTransmit, port)
                _quietly(port.stopTransmit, media)
            port.pipeline = None
            # Destroy the pjsua2 port here, on the engine's thread: left to whichever
            # thread drops the bridge last (or to exit), pjlib aborts the process.
            del port
        self.close_devices()

    def close_devices(self) -> None:
        """Stop the streams but keep the call connected (the pipeline waits)."""
        with self._switch_lock:
            streams, self.active_streams = self.active_streams, None
            if streams is not None:
                streams.close()

    @property
    def devices(self) -> tuple[str | None, str | None]:
        streams = self.active_streams
        return (streams.microphone, streams.speaker) if streams else (None, None)


def _quietly(action: Any, *args: Any) -> None:
    try:
        action(*args)
    except Exception as error:  # pjsua2 raises pj.Error for a port already gone
        log.debug("ignored while closing a bridge: %s", error)
