"""The RDP static virtual channel inside the session, through the WTS API.

Theory of operation: in an xrdp session ``libxrdpapi.so.0`` offers the WTS
functions; it talks to the session's channel server (``xrdp-chansrv``) over a
Unix socket that ``WTSVirtualChannelQuery(WTSVirtualFileHandle)`` hands out, so
the event loop can poll it. On Windows RDS/AVD ``wtsapi32.dll`` offers the same
functions, but its file handle is for overlapped I/O, so a reader thread is used
instead. Both become a ``VirtualChannelPipe`` (``protocol.vchannel.pipe``).

The channel is named ``rdp2tcp`` by default so that a stock FreeRDP client
carries it (``xfreerdp /rdp2tcp:<relay command>``); xrdp must list
``rdp2tcp=true`` under ``[Channels]`` in ``xrdp.ini``, otherwise writes vanish.

What was seen on xrdp 0.9.21 with FreeRDP 2.11: when the client disconnects the
handle reads end-of-stream and the next write fails; an open while no client is
connected succeeds but dies at its first write; once the client is back (about
1.2 to 1.6 s after it starts) a new open works. Callers therefore reopen with
backoff and prove the channel alive with their own heartbeat.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from protocol.vchannel.capi import (
    CLOSE_ARGTYPES,
    READ_ARGTYPES,
    WRITE_ARGTYPES,
    ChannelFunctions,
    NativeChannel,
    bind,
    last_error,
)
from protocol.vchannel.pipe import RDP_CHUNK, VirtualChannelPipe, VirtualChannelUnavailable

DEFAULT_CHANNEL = "rdp2tcp"
XRDP_LIBRARY = "/usr/lib/x86_64-linux-gnu/xrdp/libxrdpapi.so.0"
WTS_CURRENT_SESSION = 0xFFFFFFFF
WTS_VIRTUAL_FILE_HANDLE = 1
#: Windows reports a read that timed out as a failure with one of these codes.
_WINDOWS_READ_TIMEOUTS = (258, 996)  # WAIT_TIMEOUT, ERROR_IO_INCOMPLETE


def check_static_name(name: str) -> bytes:
    """The channel name as the API wants it; static channel names are 1-7 ASCII chars."""
    if not (1 <= len(name) <= 7) or not name.isascii() or not name.isprintable():
        raise ValueError(f"virtual channel name {name!r} must be 1 to 7 printable ASCII characters")
    return name.encode("ascii")


class WtsLibrary:
    """The WTS virtual-channel functions of one loaded library."""

    def __init__(
        self, dll: Any, pollable: bool, error_code: Callable[[], int] = last_error
    ) -> None:
        self.dll = dll
        self.pollable = pollable
        bind(dll.WTSVirtualChannelOpenEx, [ctypes.c_uint32, ctypes.c_char_p, ctypes.c_uint32])
        dll.WTSVirtualChannelOpenEx.restype = ctypes.c_void_p
        bind(dll.WTSVirtualChannelRead, READ_ARGTYPES)
        bind(dll.WTSVirtualChannelWrite, WRITE_ARGTYPES)
        bind(dll.WTSVirtualChannelClose, CLOSE_ARGTYPES)
        query_args = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p)]
        bind(dll.WTSVirtualChannelQuery, [*query_args, ctypes.POINTER(ctypes.c_uint32)])
        bind(dll.WTSFreeMemory, [ctypes.c_void_p], None)
        self.functions = ChannelFunctions(
            read=dll.WTSVirtualChannelRead,
            write=dll.WTSVirtualChannelWrite,
            close=dll.WTSVirtualChannelClose,
            timeout_errors=() if pollable else _WINDOWS_READ_TIMEOUTS,
            last_error=error_code,
        )

    def open(self, name: str) -> NativeChannel:
        handle = self.dll.WTSVirtualChannelOpenEx(WTS_CURRENT_SESSION, check_static_name(name), 0)
        if not handle:
            raise VirtualChannelUnavailable(_why_no_handle(name))
        fd = self._query_fd(handle) if self.pollable else None
        if fd is None and self.pollable:
            self.dll.WTSVirtualChannelClose(ctypes.c_void_p(handle))
            raise VirtualChannelUnavailable(_why_no_chansrv(name))
        return NativeChannel(self.functions, handle, fd)

    def _query_fd(self, handle: int) -> int | None:
        buffer = ctypes.c_void_p()
        size = ctypes.c_uint32(0)
        handle_p = ctypes.c_void_p(handle)
        query = self.dll.WTSVirtualChannelQuery
        if not query(handle_p, WTS_VIRTUAL_FILE_HANDLE, ctypes.byref(buffer), ctypes.byref(size)):
            return None
        try:
            return int(ctypes.cast(buffer, ctypes.POINTER(ctypes.c_int))[0]) if buffer else None
        finally:
            self.dll.WTSFreeMemory(buffer)


def load_library(path: str | None = None) -> WtsLibrary:
    """Load xrdp's ``libxrdpapi.so.0`` (Linux) or ``wtsapi32.dll`` (Windows)."""
    if sys.platform == "win32":
        return WtsLibrary(ctypes.WinDLL("wtsapi32", use_last_error=True), pollable=False)  # type: ignore[attr-defined,unused-ignore]
    candidates = [path] if path else [XRDP_LIBRARY, "libxrdpapi.so.0"]
    for candidate in candidates:
        try:
            return WtsLibrary(ctypes.CDLL(candidate), pollable=True)
        except OSError:
            continue
    raise VirtualChannelUnavailable(
        f"the xrdp channel library ({candidates[0]}) is not installed: install the xrdp package"
    )


async def open_wts_channel(
    name: str = DEFAULT_CHANNEL, library: WtsLibrary | None = None
) -> VirtualChannelPipe:
    """Open the session's static virtual channel ``name`` as a ``BytePipe``.

    Raises ``VirtualChannelUnavailable`` (a ``ChannelClosed``) when this is no RDP
    session or its channel server does not answer; retry after a reconnect.
    """
    wts = library or load_library()
    return VirtualChannelPipe(wts.open(name), kind="rdp", max_write=RDP_CHUNK)


def _why_no_handle(name: str) -> str:
    if sys.platform == "win32":
        return f"cannot open RDP channel {name!r}: not in an RDP session, or the channel is refused"
    if not os.environ.get("DISPLAY"):
        return f"cannot open RDP channel {name!r}: DISPLAY is not set (not inside an xrdp session)"
    return _why_no_chansrv(name)


def _why_no_chansrv(name: str) -> str:
    display = os.environ.get("DISPLAY", "")
    number = display.rpartition(":")[2].partition(".")[0]
    socket_hint = Path("/run/xrdp/sockdir") / f"xrdpapi_{number}"
    return (
        f"cannot open RDP channel {name!r}: no xrdp channel server answers for DISPLAY "
        f"{display} ({socket_hint}); this is not an xrdp session or xrdp-chansrv is not running"
    )
