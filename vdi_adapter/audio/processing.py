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

import threading

import numpy as np

RATE = 16000
"""The rate the sound devices are opened at and the APM runs at: wideband voice, as wide
as the calls' codecs (G722, speex/16000) but speex/32000. At 48 kHz the bridge resampled
every block both ways and the APM split each frame into three bands, in Python's callback
threads; at 16 kHz the sound server (PulseAudio, PipeWire, Windows' audio engine) converts
to the hardware's rate in native code, as it does for any application that asks for it."""
FRAME_SAMPLES = RATE // 100
"""10 ms: the APM's frame size."""


class VoiceProcessing:
    """One APM instance per call; render and capture may come from different threads."""

    def __init__(
        self,
        *,
        echo_cancellation: bool = True,
        noise_suppression: bool = True,
        auto_gain_control: bool = True,
        high_pass_filter: bool = True,
    ) -> None:
        from livekit import rtc  # imported late: loading the WebRTC library takes ~0.2 s

        self._rtc = rtc
        self._lock = threading.Lock()
        self._apm = rtc.AudioProcessingModule(
            echo_cancellation=echo_cancellation,
            noise_suppression=noise_suppression,
            high_pass_filter=high_pass_filter,
            auto_gain_control=auto_gain_control,
        )

    @staticmethod
    def preload() -> None:
        """Load the WebRTC library now, so the first call does not wait for it."""
        from livekit import rtc  # noqa: F401

    def set_delay_hint(self, delay_ms: int) -> None:
        """Tell AEC3 the expected playback-to-capture delay (it refines it itself)."""
        self._apm.set_stream_delay_ms(int(delay_ms))

    def render(self, played: np.ndarray) -> None:
        """Feed one 10 ms block as played (int16 x ``FRAME_SAMPLES``): the echo reference."""
        frame = self._rtc.AudioFrame(played.tobytes(), RATE, 1, FRAME_SAMPLES)
        with self._lock:
            self._apm.process_reverse_stream(frame)

    def capture(self, captured: np.ndarray) -> np.ndarray:
        """Clean one 10 ms microphone block (int16 x ``FRAME_SAMPLES``)."""
        frame = self._rtc.AudioFrame(captured.tobytes(), RATE, 1, FRAME_SAMPLES)
        with self._lock:
            self._apm.process_stream(frame)
        return np.frombuffer(frame.data, dtype=np.int16)

    def process(self, captured: np.ndarray, played: np.ndarray) -> np.ndarray:
        """``render`` then ``capture``, for a duplex caller."""
        self.render(played)
        return self.capture(captured)
