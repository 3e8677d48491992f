"""The virtual-channel C APIs (WTS on RDP, WFAPI on Citrix) seen through ctypes.

Theory of operation: Microsoft's ``WTSVirtualChannel*`` functions, xrdp's
``libxrdpapi`` copy of them and Citrix's ``WFVirtualChannel*`` functions share
one shape::

    HANDLE Open(...);                                        NULL on failure
    BOOL   Read(HANDLE, ULONG timeout_ms, PCHAR buf, ULONG size, PULONG read);
    BOOL   Write(HANDLE, PCHAR buf, ULONG length, PULONG written);
    BOOL   Close(HANDLE);

so one ``NativeChannel`` turns any of them into a ``ChannelHandle`` for
``VirtualChannelPipe``; the backends only load their library and open. A read
that fails means the channel is closed, except for the "timed out" codes a
backend names (Windows reports a read timeout as an error). A write that fails
means the client is gone.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from protocol.errors import ChannelClosed

_READ_SIZE = 64 * 1024

# Argument and result types of the shared shape, applied to each library's functions.
READ_ARGTYPES = [
    ctypes.c_void_p,
    ctypes.c_uint32,
    ctypes.c_char_p,
    ctypes.c_uint32,
    ctypes.POINTER(ctypes.c_uint32),
]
_U32_P = ctypes.POINTER(ctypes.c_uint32)
WRITE_ARGTYPES = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint32, _U32_P]
CLOSE_ARGTYPES = [ctypes.c_void_p]


def bind(function: Any, argtypes: Sequence[object], restype: object = ctypes.c_int) -> None:
    """Declare a C function's prototype so ctypes converts arguments and results right."""
    function.argtypes = list(argtypes)
    function.restype = restype


def last_error() -> int:
    """The calling thread's Windows error code (0 where there is none, off Windows)."""
    get = getattr(ctypes, "get_last_error", None)
    return int(get()) if get else 0


@dataclass
class ChannelFunctions:
    """The read/write/close functions of one C API (any ctypes-callable)."""

    read: Callable[..., int]
    write: Callable[..., int]
    close: Callable[..., int]
    #: Error codes a failed read reports when it merely timed out.
    timeout_errors: Collection[int] = ()
    #: Where to fetch the error code of the last failed call.
    last_error: Callable[[], int] = last_error


class NativeChannel:
    """A ``ChannelHandle`` over one open handle of a WTS-shaped C API."""

    def __init__(self, functions: ChannelFunctions, handle: int, fd: int | None = None) -> None:
        self._functions = functions
        self._handle = ctypes.c_void_p(handle)
        self._fd = fd
        self._buffer = ctypes.create_string_buffer(_READ_SIZE)
        self._closed = False

    def fileno(self) -> int | None:
        return self._fd

    def read(self, timeout_ms: int) -> bytes | None:
        if self._closed:
            return b""
        count = ctypes.c_uint32(0)
        ok = self._functions.read(
            self._handle, timeout_ms, self._buffer, _READ_SIZE, ctypes.byref(count)
        )
        if not ok:
            return None if self._functions.last_error() in self._functions.timeout_errors else b""
        return self._buffer.raw[: count.value] if count.value else None

    def write(self, data: bytes) -> int:
        if self._closed:
            raise ChannelClosed("virtual channel handle is closed")
        written = ctypes.c_uint32(0)
        if not self._functions.write(self._handle, data, len(data), ctypes.byref(written)):
            raise ChannelClosed(
                f"virtual channel write failed (error {self._functions.last_error()}): "
                "the remote-display client is gone"
            )
        return min(written.value, len(data))

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._functions.close(self._handle)
