"""Types of the C extension ``_device_ring.c`` (see its theory of operation)."""

from typing import Any

import numpy as np
from typing_extensions import Buffer

Samples = Buffer | np.ndarray[Any, Any]
"""int16 samples: an int16 array or bytes."""

STREAM_CALLBACK: int
"""Address of the PortAudio stream callback; its user data is a ``DeviceTap``."""

SHORT_BLOCK_TOLERANCE: int
"""A block this fraction short (1/40: 0.5 ms of 20) is padded, not an underrun."""

def monotonic() -> float: ...

class DeviceRing:
    level: int
    capacity: int
    written: int
    removed: int
    dropped: int
    starved: int
    blocks: int
    device_at: float
    target: int
    feeder: int
    incoming: int
    echo: DeviceRing | None
    def __new__(cls, capacity: int) -> DeviceRing: ...
    def write(self, samples: Samples) -> None: ...
    def read(self, count: int) -> bytes: ...
    def trim_to(self, level: int) -> int: ...
    def clear(self) -> None: ...
    def device_write(self, samples: Samples, now: float) -> None: ...
    def device_read(self, count: int, now: float) -> bytes: ...
    def snapshot(self) -> tuple[int, float, int, int]: ...
    def take_log(self) -> list[tuple[int, int, float]]: ...

class DeviceTap:
    id: int
    input: bool
    blocks: int
    status_flags: int
    address: int
    def __init__(self, input: bool) -> None: ...
    def attach(self, ring: DeviceRing | None) -> None: ...
