"""The seam between the SIP engine and the audio devices.

The engine owns calls and the pjsua2 conference bridge; an ``AudioBackend`` owns
sound devices. The engine calls these hooks from its own (pjsua2-registered)
thread, so a backend may create and destroy ``pj.AudioMediaPort`` objects in them.
``NullAudioBackend`` is used when no devices are wanted (tests of signalling,
the simulator's null mode): calls then run on pjsua2's null sound device.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from protocol import pb

TAP_RATE = 16000
"""Sample rate of the frames ``AudioBackend.tap_received`` hands over."""


class AudioBackend(Protocol):
    """Audio devices as the engine sees them. All hooks run on the engine thread."""

    def call_media_started(self, call_id: str, media: Any) -> None:
        """The call's ``pj.AudioMedia`` is active: connect it to the devices."""
        ...

    def call_media_stopped(self, call_id: str) -> None:
        """The call's media is gone (hangup, hold): disconnect it; idempotent."""
        ...

    def tap_received(self, call_id: str, listener: Callable[[bytes], None] | None) -> bool:
        """Hand ``listener`` every frame the call receives (16-bit mono, ``TAP_RATE``, 20 ms),
        from the port the backend already has on the call; ``None`` stops it. False if
        the backend has no port on the call (the caller then connects one of its own)."""
        ...

    def ringing_started(self, call_id: str) -> None:
        """An incoming call is alerting: play the ring tone on the ringer device(s)."""
        ...

    def ringing_stopped(self, call_id: str) -> None:
        """Stop the ring tone for that call; idempotent."""
        ...

    def snapshot_into(self, snapshot: pb.Snapshot) -> None:
        """Fill the snapshot's device list and active devices (a resync shows them again)."""
        ...

    def close(self) -> None:
        """Release every device and port; called before the engine's ``libDestroy``."""
        ...


class NullAudioBackend:
    """No devices: the engine's null sound device clocks the conference bridge."""

    def call_media_started(self, call_id: str, media: Any) -> None:
        pass

    def call_media_stopped(self, call_id: str) -> None:
        pass

    def tap_received(self, call_id: str, listener: Callable[[bytes], None] | None) -> bool:
        return False

    def snapshot_into(self, snapshot: pb.Snapshot) -> None:
        pass

    def ringing_started(self, call_id: str) -> None:
        pass

    def ringing_stopped(self, call_id: str) -> None:
        pass

    def close(self) -> None:
        pass
