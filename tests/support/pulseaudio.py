"""The simulator's private PulseAudio server, as the tests use it."""

from simulator.sound_server import (
    RATE,
    PulseAudioError,
    PulseAudioServer,
    VirtualDevice,
    running_server,
    stop_player,
)

__all__ = [
    "RATE",
    "PulseAudioError",
    "PulseAudioServer",
    "VirtualDevice",
    "running_server",
    "stop_player",
]
