"""A fake of the four WFAPI virtual-channel functions, callable through ctypes.

Each function is a real C function pointer (``WINFUNCTYPE``/``CFUNCTYPE``) around
Python code, so the backend's prototypes, buffers and out-parameters go through
ctypes exactly as they would into ``wfapi64.dll``. The fake plays the Citrix
client: ``deliver`` queues bytes for the session to read, ``written`` collects
what the session wrote, and knobs make calls fail the ways the real API does.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass, field
from typing import Any

WAIT_TIMEOUT = 258
ERROR_BROKEN_PIPE = 109
ERROR_INVALID_HANDLE = 6
HANDLE = 0x5EED

_U32P = ctypes.POINTER(ctypes.c_uint32)
OPEN = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_char_p)
READ = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.c_void_p, ctypes.c_uint32, ctypes.c_void_p, ctypes.c_uint32, _U32P
)
WRITE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32, _U32P)
CLOSE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)


@dataclass
class FakeWfApi:
    """The client end of a fake ICA channel plus the four exports."""

    refuse_open: bool = False
    #: Largest write the fake takes at once (a partial write when smaller than asked).
    take_at_most: int = 1 << 30
    #: Echo every write back to the session (a client-side echo driver).
    echo: bool = False
    written: bytearray = field(default_factory=bytearray)
    writes: list[int] = field(default_factory=list)
    opened: list[tuple[int | None, int, bytes]] = field(default_factory=list)
    closes: int = 0
    read_calls: int = 0

    def __post_init__(self) -> None:
        self._inbound = bytearray()
        self._broken = 0
        self._changed = threading.Condition()
        self._errors = threading.local()
        self.WFVirtualChannelOpen = OPEN(self._open)
        self.WFVirtualChannelRead = READ(self._read)
        self.WFVirtualChannelWrite = WRITE(self._write)
        self.WFVirtualChannelClose = CLOSE(self._close)

    # The client side, for tests.
    def deliver(self, data: bytes) -> None:
        with self._changed:
            self._inbound += data
            self._changed.notify_all()

    def disconnect(self, error: int = ERROR_BROKEN_PIPE) -> None:
        """The ICA connection drops: reads and writes fail with ``error``."""
        with self._changed:
            self._broken = error
            self._changed.notify_all()

    def last_error(self) -> int:
        return int(getattr(self._errors, "code", 0))

    # The four exports.
    def _open(self, server: int | None, session: int, name: bytes) -> int | None:
        self.opened.append((server, session, name))
        if self.refuse_open:
            self._errors.code = ERROR_INVALID_HANDLE
            return None
        return HANDLE

    def _read(self, handle: int, timeout: int, buffer: int, size: int, count: Any) -> int:
        self.read_calls += 1
        with self._changed:
            self._changed.wait_for(lambda: self._inbound or self._broken, timeout / 1000)
            if self._broken:
                return self._fail(self._broken)
            if not self._inbound:
                return self._fail(WAIT_TIMEOUT)
            data = bytes(self._inbound[:size])
            del self._inbound[: len(data)]
        ctypes.memmove(buffer, data, len(data))
        count[0] = len(data)
        return 1

    def _write(self, handle: int, buffer: int, length: int, count: Any) -> int:
        if self._broken:
            return self._fail(self._broken)
        taken = min(length, self.take_at_most)
        data = ctypes.string_at(buffer, taken)
        self.written += data
        self.writes.append(taken)
        count[0] = taken
        if self.echo:
            self.deliver(data)
        return 1

    def _close(self, handle: int) -> int:
        self.closes += 1
        return 1

    def _fail(self, code: int) -> int:
        self._errors.code = code
        return 0


OPEN_EX = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_uint32, ctypes.c_char_p, ctypes.c_uint32)
QUERY = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p), _U32P
)
FREE = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


@dataclass
class FakeWtsApi(FakeWfApi):
    """The same fake client behind the WTS exports of ``wtsapi32.dll`` (Windows RDS/AVD)."""

    queries: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        self.WTSVirtualChannelOpenEx = OPEN_EX(self._open_ex)
        self.WTSVirtualChannelRead = self.WFVirtualChannelRead
        self.WTSVirtualChannelWrite = self.WFVirtualChannelWrite
        self.WTSVirtualChannelClose = self.WFVirtualChannelClose
        self.WTSVirtualChannelQuery = QUERY(self._query)
        self.WTSFreeMemory = FREE(lambda pointer: None)

    def _open_ex(self, session: int, name: bytes, flags: int) -> int | None:
        return self._open(None, session, name)

    def _query(self, handle: int, kind: int, buffer: object, size: object) -> int:
        self.queries += 1
        return 0
