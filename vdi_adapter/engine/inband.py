"""The driver of in-band DTMF detection: a listener on each call's received audio.

Theory of operation: pjmedia hands a ``pj.AudioMediaPort`` the call's received audio
in 20 ms frames on its clock thread; the frames go to ``DtmfDetector`` there and each
recognised digit is posted to the engine loop, which publishes it. When the audio
backend already has a port of its own on the call (the sound-device bridge), the
frames are taken from it (``AudioBackend.tap_received``): each Python port costs an
upcall from pjmedia every 20 ms, so one per call rather than two. Otherwise (no sound
devices) a listening port of our own is connected to the call. Ports are never
destroyed: pjsua2 2.15 removes a port from the bridge asynchronously, so a destroyed
Python port could still be called on the clock thread. A port whose call ended is
disconnected, muted (its detector dropped) and kept in a pool for the next call.
"""

from __future__ import annotations

import ctypes
import logging
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pjsua2 as pj

from vdi_adapter.audio_backend import TAP_RATE
from vdi_adapter.engine.dtmf_detect import DtmfDetector
from vdi_adapter.media_frames import keep_thread_state, read_bytes

log = logging.getLogger(__name__)

#: The conference bridge's clock rate (pjsua's default media clock), the rate the
#: listening ports run at; frames tapped from an audio backend come at the same rate.
BRIDGE_RATE = TAP_RATE

DigitSink = Callable[[str], None]


class DigitListener:
    """Feeds received 20 ms frames (16-bit, ``BRIDGE_RATE``) to a detector; reports digits."""

    def __init__(self, on_digit: DigitSink) -> None:
        self._detector = DtmfDetector(BRIDGE_RATE)
        self._on_digit = on_digit

    def __call__(self, pcm: bytes) -> None:
        try:
            for digit in self._detector.feed(np.frombuffer(pcm, dtype="<i2")):
                self._on_digit(digit)
        except Exception:
            log.exception("in-band DTMF detection failed")


class DetectorPort(pj.AudioMediaPort):
    """Bridge port that only listens; its callback runs on pjmedia's clock thread."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._listener: DigitListener | None = None
        fmt = pj.MediaFormatAudio()
        fmt.type = pj.PJMEDIA_TYPE_AUDIO
        fmt.clockRate = BRIDGE_RATE
        fmt.channelCount = 1
        fmt.bitsPerSample = 16
        fmt.frameTimeUsec = 20000
        self.createPort(name, fmt)

    def listen(self, listener: DigitListener | None) -> None:
        with self._lock:
            self._listener = listener

    def onFrameReceived(self, frame: Any) -> None:
        keep_thread_state()
        with self._lock:
            listener = self._listener
        if listener is not None and frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO:
            listener(read_bytes(frame.buf))

    def onFrameRequested(self, frame: Any) -> None:
        frame.type = pj.PJMEDIA_FRAME_TYPE_NONE


class DetectorPool:
    """Listening ports by call id; idle ports are kept for reuse, never destroyed."""

    _idle: list[DetectorPort] = []
    _count = 0

    def __init__(self) -> None:
        self._busy: dict[str, tuple[DetectorPort, Any]] = {}
        self._tapped: dict[str, Any] = {}
        """Calls whose frames come from the audio backend's port (call id -> backend)."""

    def attach(
        self, call_id: str, audio_media: Any, on_digit: DigitSink, audio: Any = None
    ) -> None:
        """Start detecting digits in the audio the call receives; ``audio`` (the
        engine's ``AudioBackend``) is asked first for the frames its own port gets."""
        if call_id in self._busy or call_id in self._tapped:
            return
        listener = DigitListener(on_digit)
        if audio is not None and audio.tap_received(call_id, listener):
            self._tapped[call_id] = audio
            return
        port = self._take()
        port.listen(listener)
        audio_media.startTransmit(port)
        self._busy[call_id] = (port, audio_media)

    def detach(self, call_id: str) -> None:
        """Stop listening to the call; the port returns to the pool; idempotent."""
        audio = self._tapped.pop(call_id, None)
        if audio is not None:
            audio.tap_received(call_id, None)
            return
        found = self._busy.pop(call_id, None)
        if found is None:
            return
        port, audio_media = found
        port.listen(None)
        try:
            audio_media.stopTransmit(port)
        except Exception as error:
            log.debug("detector already disconnected: %s", getattr(error, "reason", error))
        DetectorPool._idle.append(port)

    @classmethod
    def _take(cls) -> DetectorPort:
        if cls._idle:
            return cls._idle.pop()
        cls._count += 1
        port = DetectorPort(f"dtmf-detector-{cls._count}")
        # Kept alive for the process, like the Endpoint: never collected at exit either.
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(port))
        return port
