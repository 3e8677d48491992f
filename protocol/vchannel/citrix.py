"""The Citrix ICA virtual channel inside the session (VDA side), through WFAPI.

Theory of operation: on a Citrix VDA, ``wfapi64.dll`` (``wfapi.dll`` on 32-bit)
exports ``WFVirtualChannelOpen``/``Read``/``Write``/``Close``, the same shape as
the WTS functions, so everything but loading and opening is shared with the RDP
backend (``protocol.vchannel.capi`` and ``protocol.vchannel.pipe``). Its handles
cannot be polled from asyncio, so a reader thread reads with a short timeout.

On the workstation, Citrix Workspace app hands the channel to our virtual-channel
driver (``vdi_adapter/citrix_driver``), which relays the bytes to the adapter
service as ``vdi_adapter.rdp_relay`` does for FreeRDP; see ``docs/citrix.md``.
Channel names are at most 7 ASCII characters.

A WFAPI library can also be named by path (``SOFTPHONE_WFAPI_LIBRARY``): QA's ICA
engine emulator (``simulator/ica_engine``) ships one for Linux, so the code under
test is this module unchanged. Off Windows there is no ``GetLastError``; such a
library reports the same Windows error codes through ``errno``.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
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
#: Path of a WFAPI library to load instead of the VDA's (QA's emulated session).
LIBRARY_ENV = "SOFTPHONE_WFAPI_LIBRARY"


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


def load_library(path: str | None = None) -> WfApiLibrary:
    """The WFAPI named by ``path`` or ``$SOFTPHONE_WFAPI_LIBRARY``, else the VDA's own."""
    path = path or os.environ.get(LIBRARY_ENV) or None
    if path:
        return load_library_file(path)
    if sys.platform != "win32":
        raise VirtualChannelUnavailable("the Citrix virtual channel exists only on a Windows VDA")
    for name in ("wfapi64", "wfapi"):
        try:
            return WfApiLibrary(ctypes.WinDLL(name, use_last_error=True))  # type: ignore[attr-defined,unused-ignore]
        except OSError:
            continue
    raise VirtualChannelUnavailable("wfapi64.dll not found: this is not a Citrix VDA")


def load_library_file(path: str) -> WfApiLibrary:
    """A WFAPI library at ``path``: Windows error codes from GetLastError, else errno."""
    try:
        if sys.platform == "win32":
            return WfApiLibrary(ctypes.WinDLL(path, use_last_error=True))  # type: ignore[attr-defined,unused-ignore]
        return WfApiLibrary(ctypes.CDLL(path, use_errno=True), error_code=ctypes.get_errno)
    except (OSError, AttributeError) as error:
        raise VirtualChannelUnavailable(f"cannot load the WFAPI library {path}: {error}") from None


async def open_citrix_channel(
    name: str = DEFAULT_CHANNEL, library: WfApiLibrary | None = None
) -> VirtualChannelPipe:
    """Open the ICA virtual channel ``name`` as a ``BytePipe``.

    Raises ``VirtualChannelUnavailable`` (a ``ChannelClosed``) outside a Citrix session.
    """
    wfapi = library or load_library()
    # Opening waits for the client's driver to answer: keep the event loop free meanwhile.
    handle = await asyncio.to_thread(wfapi.open, name)
    return VirtualChannelPipe(handle, kind="citrix", max_write=CITRIX_CHUNK)
