"""The Citrix ICA virtual channel inside the session (VDA side), through WFAPI.

Theory of operation: on a Citrix VDA, ``wfapi64.dll`` (``wfapi.dll`` on 32-bit)
exports ``WFVirtualChannelOpen``/``Read``/``Write``/``Close``, the same shape as
the WTS functions, so everything but loading and opening is shared with the RDP
backend (``protocol.vchannel.capi`` and ``protocol.vchannel.pipe``). Its handles
cannot be polled from asyncio, so a reader thread reads with a short timeout.

On the workstation, Citrix Workspace app hands the channel to a virtual-channel
driver (a DLL built with the Citrix Virtual Channel SDK) that must relay the
bytes to the adapter service, as ``vdi_adapter.rdp_relay`` does for FreeRDP; see
``docs/citrix.md``. Channel names are at most 7 ASCII characters.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
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
from protocol.vchannel.pipe import VirtualChannelPipe, VirtualChannelUnavailable
from protocol.vchannel.wts import check_static_name

DEFAULT_CHANNEL = "SOFTPH"
#: Bytes per write; ICA clients take at least this much per virtual-channel packet.
CITRIX_CHUNK = 1600
WF_CURRENT_SERVER_HANDLE = None
WF_CURRENT_SESSION = 0xFFFFFFFF
#: A read that timed out fails with one of these (WAIT_TIMEOUT, ERROR_IO_INCOMPLETE).
READ_TIMEOUT_ERRORS = (258, 996)


class WfApiLibrary:
    """The four WFAPI virtual-channel functions of a loaded library (or a fake of them)."""

    def __init__(self, dll: Any, error_code: Callable[[], int] = last_error) -> None:
        self.dll = dll
        self._open = dll.WFVirtualChannelOpen
        bind(self._open, [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_char_p], ctypes.c_void_p)
        bind(dll.WFVirtualChannelRead, READ_ARGTYPES)
        bind(dll.WFVirtualChannelWrite, WRITE_ARGTYPES)
        bind(dll.WFVirtualChannelClose, CLOSE_ARGTYPES)
        self.functions = ChannelFunctions(
            dll.WFVirtualChannelRead,
            dll.WFVirtualChannelWrite,
            dll.WFVirtualChannelClose,
            READ_TIMEOUT_ERRORS,
            error_code,
        )

    def open(self, name: str) -> NativeChannel:
        handle = self._open(WF_CURRENT_SERVER_HANDLE, WF_CURRENT_SESSION, check_static_name(name))
        if not handle:
            error = self.functions.last_error()
            raise VirtualChannelUnavailable(
                f"cannot open Citrix virtual channel {name!r} (error {error}): not in a"
                " Citrix session, or no client virtual-channel driver for it"
            )
        return NativeChannel(self.functions, handle)


def load_library() -> WfApiLibrary:
    """Load the VDA's WFAPI (only on Windows, inside a Citrix session host)."""
    if sys.platform != "win32":
        raise VirtualChannelUnavailable("the Citrix virtual channel exists only on a Windows VDA")
    for name in ("wfapi64", "wfapi"):
        try:
            return WfApiLibrary(ctypes.WinDLL(name, use_last_error=True))  # type: ignore[attr-defined,unused-ignore]
        except OSError:
            continue
    raise VirtualChannelUnavailable("wfapi64.dll not found: this is not a Citrix VDA")


async def open_citrix_channel(
    name: str = DEFAULT_CHANNEL, library: WfApiLibrary | None = None
) -> VirtualChannelPipe:
    """Open the ICA virtual channel ``name`` as a ``BytePipe``.

    Raises ``VirtualChannelUnavailable`` (a ``ChannelClosed``) outside a Citrix session.
    """
    wfapi = library or load_library()
    return VirtualChannelPipe(wfapi.open(name), kind="citrix", max_write=CITRIX_CHUNK)
