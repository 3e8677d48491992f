"""Voice processing of the agent's microphone: WebRTC AEC3, noise suppression, AGC, high-pass.

The WebRTC audio processing module (APM) comes from ``livekit``'s
``rtc.AudioProcessingModule`` (Rust build of WebRTC's APM, wheels for Linux and Windows):
AEC3 is the echo canceller of current WebRTC, with its own delay estimator, which
matters here because the echo path (PortAudio buffers, the sound server, the room) is
not known in advance. pjmedia's built-in WebRTC AEC is an older AEC, and it sits on
pjmedia's sound device port, which the adapter does not use (audio goes through
PortAudio), so it cannot see the true playback signal.

The APM works on 10 ms frames at the rate the sound devices are opened at (``RATE``).
The playback signal goes in through ``render`` as it is played, the microphone through
``capture``; AEC3 estimates the delay between the two itself.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import threading
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

RATE = 16000
"""The rate the sound devices are opened at and the APM runs at: wideband voice, as wide
as the calls' codecs (G722, speex/16000) but speex/32000. At 48 kHz the bridge resampled
every block both ways and the APM split each frame into three bands, in Python's callback
threads; at 16 kHz the sound server (PulseAudio, PipeWire, Windows' audio engine) converts
to the hardware's rate in native code, as it does for any application that asks for it."""
FRAME_SAMPLES = RATE // 100
"""10 ms: the APM's frame size."""


class VoiceProcessing:
    """One APM instance per call; ``render`` and ``capture`` are thread safe."""

    def __init__(
        self,
        *,
        echo_cancellation: bool = True,
        noise_suppression: bool = True,
        auto_gain_control: bool = True,
        high_pass_filter: bool = True,
    ) -> None:
        from livekit import rtc  # imported late: loading the WebRTC library takes ~0.2 s

        self._lock = threading.Lock()
        self._apm = rtc.AudioProcessingModule(
            echo_cancellation=echo_cancellation,
            noise_suppression=noise_suppression,
            high_pass_filter=high_pass_filter,
            auto_gain_control=auto_gain_control,
        )
        self._calls: _PublicCalls | _DirectCalls = (
            _DirectCalls(self._apm) if _direct_calls_work() else _PublicCalls(self._apm)
        )

    @staticmethod
    def preload() -> None:
        """Load the WebRTC library (and check the direct calls) now, not on the first call."""
        _direct_calls_work()

    def render(self, played: np.ndarray) -> None:
        """Feed one 10 ms block as played (int16 x ``FRAME_SAMPLES``): the echo reference."""
        with self._lock:
            self._calls.render(played)

    def capture(self, captured: np.ndarray) -> np.ndarray:
        """Clean one 10 ms microphone block (int16 x ``FRAME_SAMPLES``)."""
        with self._lock:
            return self._calls.capture(captured)


class _PublicCalls:
    """The APM through ``livekit.rtc``'s documented API: a new ``AudioFrame`` and FFI
    request (protobuf built, sent and parsed) per 10 ms frame."""

    def __init__(self, apm: Any) -> None:
        from livekit import rtc

        self._rtc = rtc
        self._apm = apm

    def render(self, played: np.ndarray) -> None:
        self._apm.process_reverse_stream(self._frame(played))

    def capture(self, captured: np.ndarray) -> np.ndarray:
        frame = self._frame(captured)
        self._apm.process_stream(frame)
        return np.frombuffer(frame.data, dtype=np.int16).copy()

    def _frame(self, samples: np.ndarray) -> Any:
        return self._rtc.AudioFrame(samples.tobytes(), RATE, 1, FRAME_SAMPLES)


class _DirectCalls:
    """The same FFI requests, serialized once, on two fixed sample buffers.

    ``livekit.rtc`` builds a protobuf request, an ``AudioFrame`` and a handle object for
    every frame and releases the GIL around each native call; in a live call that was
    about a third of the APM's cost (0.6 % of a core here), measured per thread. A
    request names the APM, a buffer address, its size and the rate, none of which change
    during a call, so each direction's request is built once, the samples are copied into
    its buffer, and the library is called through a ``PyDLL`` binding that keeps the GIL
    for the ~40 us the APM takes, rather than handing it to another audio thread and
    queueing to get it back. The private parts of ``livekit.rtc`` used here are checked
    against the public API at start-up (``_direct_calls_work``).
    """

    def __init__(self, apm: Any) -> None:
        from livekit.rtc._ffi_client import FfiClient
        from livekit.rtc._proto import ffi_pb2

        library = ctypes.PyDLL(FfiClient.instance._ffi_lib._name)
        self._request = library.livekit_ffi_request
        self._request.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.POINTER(ctypes.c_void_p),
            ctypes.POINTER(ctypes.c_size_t),
        ]
        self._request.restype = ctypes.c_uint64
        self._drop = library.livekit_ffi_drop_handle
        self._drop.argtypes = [ctypes.c_uint64]
        self._drop.restype = ctypes.c_bool
        self._pb = ffi_pb2
        self._apm = apm  # the requests name its handle: it must outlive them
        self._played = np.zeros(FRAME_SAMPLES, dtype=np.int16)
        self._captured = np.zeros(FRAME_SAMPLES, dtype=np.int16)
        self._render_request = self._serialize("apm_process_reverse_stream", self._played)
        self._capture_request = self._serialize("apm_process_stream", self._captured)
        self._response = ctypes.c_void_p()
        self._response_size = ctypes.c_size_t()
        self._response_refs = (ctypes.byref(self._response), ctypes.byref(self._response_size))
        self._ok: dict[str, bytes] = {}

    def _serialize(self, kind: str, buffer: np.ndarray) -> tuple[Any, int, str, int]:
        request = self._pb.FfiRequest()
        body = getattr(request, kind)
        body.apm_handle = self._apm._ffi_handle.handle
        body.data_ptr = buffer.ctypes.data
        body.size = buffer.nbytes
        body.sample_rate = RATE
        body.num_channels = 1
        data = request.SerializeToString()
        serialized = ctypes.create_string_buffer(data, len(data))
        return serialized, len(data), kind, ctypes.addressof(serialized)

    def render(self, played: np.ndarray) -> None:
        self._played[:] = played
        self._send(self._render_request)

    def capture(self, captured: np.ndarray) -> np.ndarray:
        self._captured[:] = captured
        self._send(self._capture_request)
        return self._captured.copy()

    def _send(self, request: tuple[Any, int, str, int]) -> None:
        _data, size, kind, address = request  # the buffer is kept alive in the tuple
        handle = self._request(address, size, *self._response_refs)
        response = ctypes.string_at(self._response, self._response_size.value)
        self._drop(handle)
        # Every successful response of a kind is the same few bytes: parse only others.
        if response == self._ok.get(kind):
            return
        error = _error_of(self._pb, kind, response)
        if error:
            raise RuntimeError(f"WebRTC APM: {error}")
        self._ok[kind] = response


def _error_of(ffi_pb2: Any, kind: str, response: bytes) -> str:
    parsed = ffi_pb2.FfiResponse()
    parsed.ParseFromString(response)
    return str(getattr(parsed, kind).error)


@functools.cache
def _direct_calls_work() -> bool:
    """Whether ``_DirectCalls`` cleans a probe signal exactly as the public API does."""
    from livekit import rtc

    t = np.arange(FRAME_SAMPLES * 50)
    played = (np.sin(t * 0.07) * 8000).astype(np.int16)
    heard = (np.roll(played, 80) // 4 + (np.sin(t * 0.31) * 3000).astype(np.int16)).astype(np.int16)
    outputs = []
    try:
        for calls_type in (_PublicCalls, _DirectCalls):
            apm = rtc.AudioProcessingModule(
                echo_cancellation=True, noise_suppression=True, high_pass_filter=True,
                auto_gain_control=True,
            )  # fmt: skip
            calls = calls_type(apm)
            cleaned = []
            for start in range(0, len(t), FRAME_SAMPLES):
                calls.render(played[start : start + FRAME_SAMPLES])
                cleaned.append(calls.capture(heard[start : start + FRAME_SAMPLES]))
            outputs.append(np.concatenate(cleaned))
    except Exception as error:  # any change in livekit's private parts
        log.warning("WebRTC APM: using the slower public calls (%s)", error)
        return False
    if not np.array_equal(outputs[0], outputs[1]):
        log.warning("WebRTC APM: direct calls differ from the public API; using the public one")
        return False
    return True
