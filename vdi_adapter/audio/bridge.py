"""The media bridge of one call: a ``pj.AudioMediaPort`` and PortAudio streams.

The pjsua2 wheel has only a null sound device, so each call's audio is taken out of and
put into the conference bridge through a Python ``AudioMediaPort`` and played/recorded
with ``sounddevice``. The samples themselves go through ``MediaPipeline``; this module
only moves them:

* ``CallPort`` receives/supplies 20 ms frames on pjmedia's clock thread, through the
  cheap frame access of ``vdi_adapter.media_frames``.
* ``DeviceStreams`` is an input and an output PortAudio stream at ``DEVICE_RATE`` with
  20 ms blocks (``DEVICE_BLOCK``: two APM frames, one pjmedia frame period).
* A device switch opens and starts the new streams first; then each new stream takes
  its direction over in its own next callback (``CallBridge.feeders``), so the old
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
        if frame.type != pj.PJMEDIA_FRAME_TYPE_AUDIO:
            return
        pcm = read_bytes(frame.buf)
        pipeline = self.pipeline
        if pipeline is not None:
            started = time.perf_counter()
            pipeline.from_call(pcm)
            self.frames_in += 1
            pipeline.busy_s += time.perf_counter() - started
        tap = self.received_tap
        if tap is not None:
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
    """An input and an output PortAudio stream feeding a pipeline while they are active.

    Two streams rather than one duplex stream: PortAudio's ALSA duplex mode over the
    PulseAudio plugin polls in a loop and keeps a core busy; separate streams cost
    well under 1 %. The APM aligns playback and capture itself.
    """

    def __init__(self, owner: Any, microphone: str | None, speaker: str | None) -> None:
        self.microphone = microphone
        self.speaker = speaker
        self._owner = owner
        """The ``CallBridge`` fed, or ``IDLE`` while the streams only warm up."""
        self._streams: list[Any] = []
        self.status_flags = 0
        self._started = {"input": threading.Event(), "output": threading.Event()}

    @property
    def running(self) -> bool:
        """Every stream has delivered a first block: the devices really work."""
        wanted = [kind for kind, on in (("input", self.microphone), ("output", self.speaker)) if on]
        return all(self._started[kind].is_set() for kind in wanted)

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
                self._open_one(sd.OutputStream, self.speaker, False, self._play)
            if self.microphone:
                self._open_one(sd.InputStream, self.microphone, True, self._capture)
        except Exception:
            self.close()
            raise

    def _open_one(self, kind: Any, name: str, recording: bool, callback: Any) -> None:
        with PortAudioStreams.lock():
            stream = kind(
                device=portaudio_index(name, recording=recording),
                samplerate=DEVICE_RATE,
                blocksize=DEVICE_BLOCK,
                channels=1,
                dtype="int16",
                latency="low",
                callback=callback,
            )
            PortAudioStreams.opened()
        self._streams.append(stream)
        stream.start()

    def _feeds(self, direction: str) -> bool:
        """Whether this block goes to the call; takes the direction over when due."""
        feeders = self._owner.feeders
        if feeders[direction] is self:
            return True
        if self._owner.incoming is self:
            feeders[direction] = self
            # A new microphone's first block goes to the call at once. A new speaker's
            # first block is silence: the old speaker is still playing the block it took
            # last, and taking another now would drain the ring by one block.
            return direction == "input"
        return False

    def _mark_started(self, kind: str) -> None:
        # Checked first: setting an Event takes its condition's lock and notifies its
        # waiters, 50 times a second per stream for nothing once it is set.
        started = self._started[kind]
        if not started.is_set():
            started.set()

    def _play(self, outdata: Any, _frames: int, _time: Any, status: Any) -> None:
        self._mark_started("output")
        self.status_flags += bool(status)
        if not self._feeds("output"):
            outdata.fill(0)
            return
        started = time.perf_counter()
        pipeline = self._owner.pipeline
        pipeline.play_block(outdata[:, 0])
        pipeline.busy_s += time.perf_counter() - started

    def _capture(self, indata: Any, _frames: int, _time: Any, status: Any) -> None:
        self._mark_started("input")
        self.status_flags += bool(status)
        if not self._feeds("input"):
            return
        started = time.perf_counter()
        pipeline = self._owner.pipeline
        pipeline.capture_block(indata[:, 0])
        pipeline.busy_s += time.perf_counter() - started

    def hand_to(self, owner: CallBridge) -> None:
        """Start feeding ``owner``'s pipeline (warm streams adopted by a call)."""
        self._owner = owner

    @property
    def directions(self) -> list[str]:
        return [kind for kind, on in (("input", self.microphone), ("output", self.speaker)) if on]

    def close(self) -> None:
        streams, self._streams = self._streams, []
        for stream in streams:
            try:
                stream.abort()
                stream.close()
            except sd.PortAudioError as error:
                log.debug("closing a stream: %s", error)
            finally:
                PortAudioStreams.closed()


class _Idle:
    """Owner of streams that run before any call uses them: they play silence."""

    feeders: dict[str, DeviceStreams | None] = {"input": None, "output": None}
    incoming = None
    pipeline = None


IDLE = _Idle()


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
        self.feeders: dict[str, DeviceStreams | None] = {"input": None, "output": None}
        """Per direction, the streams whose blocks go to the pipeline right now."""
        self.incoming: DeviceStreams | None = None
        """Streams taking over, each direction in its own next callback."""
        self._media: Any = None
        self._switch_lock = threading.Lock()
        self._closed = False

    def open_devices(self, microphone: str | None, speaker: str | None) -> None:
        """Open and start the streams first (slow), then hand the pipeline over."""
        with self._switch_lock:
            if self._closed:
                return
            fresh = DeviceStreams(self, microphone, speaker)
            fresh.open()
            # A stream may take a second to deliver its first block after start():
            # the old one keeps the call going until the new one does.
            if not fresh.wait_running(START_TIMEOUT_S):
                log.warning("%s/%s slow to start", microphone, speaker)
            old, self.active_streams = self.active_streams, fresh
            self._take_over(fresh)
            if old is not None:
                old.close()

    def _take_over(self, fresh: DeviceStreams) -> None:
        # The new streams' callbacks claim their directions (``DeviceStreams._feeds``);
        # wait a few blocks for that, then hand over whatever has not been claimed.
        self.incoming = fresh
        deadline = time.monotonic() + HANDOVER_TIMEOUT_S
        while time.monotonic() < deadline and any(
            self.feeders[kind] is not fresh for kind in fresh.directions
        ):
            time.sleep(0.002)
        for kind in ("input", "output"):
            self.feeders[kind] = fresh if kind in fresh.directions else None
        self.incoming = None

    def adopt(self, streams: DeviceStreams) -> None:
        """Use streams that are already running (opened while the call was ringing)."""
        with self._switch_lock:
            if self._closed:
                streams.close()
                return
            streams.hand_to(self)
            old, self.active_streams = self.active_streams, streams
            for kind in ("input", "output"):
                self.feeders[kind] = streams if kind in streams.directions else None
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
            self.feeders = {"input": None, "output": None}
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
