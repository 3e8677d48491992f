"""Answering an in-dialog request that pjsua2's Python API cannot answer (NOTIFY).

Why this exists: pjsua2 passes an in-dialog NOTIFY (BroadSoft/Genesys remote control,
``Event: talk`` / ``hold``) to ``Call.onCallTsxState`` but offers no way to reply, and
once the callback returns the dialog layer answers ``500 Unhandled by dialog usages``.
The wheel exports the pjsip C API, so the reply is built and sent here with ctypes,
inside the callback, on the engine thread: ``pjsip_endpt_create_response`` from the
request's ``pjsip_rx_data`` and ``pjsip_tsx_send_msg`` on its UAS transaction. Once the
transaction holds a final response, the dialog layer leaves it alone.

Keep this module tiny: it is the only place that touches raw pjsip pointers.
"""

from __future__ import annotations

import ctypes
from typing import Any

import pjsua2 as pj

_lib = ctypes.CDLL(pj._pjsua2.__file__)

_lib.pjsua_get_pjsip_endpt.restype = ctypes.c_void_p
_lib.pjsua_get_pjsip_endpt.argtypes = []
_lib.pjsip_endpt_create_response.restype = ctypes.c_int
_lib.pjsip_endpt_create_response.argtypes = [
    ctypes.c_void_p,
    ctypes.c_void_p,
    ctypes.c_int,
    ctypes.c_void_p,
    ctypes.POINTER(ctypes.c_void_p),
]
_lib.pjsip_tsx_send_msg.restype = ctypes.c_int
_lib.pjsip_tsx_send_msg.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
_lib.pj_log_set_level.restype = None
_lib.pj_log_set_level.argtypes = [ctypes.c_int]


class ReplyError(RuntimeError):
    """pjsip refused to build or send the response (status code in the message)."""


def _pointer(swig_object: Any) -> int:
    """Address held by a SWIG ``void*`` wrapper (0 for None)."""
    return int(swig_object) if swig_object is not None else 0


def reply(rx_data: Any, transaction: Any, status_code: int) -> None:
    """Send a final response with ``status_code`` to the request in ``rx_data``.

    ``rx_data`` is ``SipRxData.pjRxData`` and ``transaction`` is
    ``SipTransaction.pjTransaction`` from the same ``onCallTsxState`` event.
    """
    rdata, tsx = _pointer(rx_data), _pointer(transaction)
    if not rdata or not tsx:
        raise ReplyError("request or transaction pointer missing")
    tdata = ctypes.c_void_p()
    endpoint = _lib.pjsua_get_pjsip_endpt()
    status = _lib.pjsip_endpt_create_response(endpoint, rdata, status_code, None, tdata)
    if status != 0:
        raise ReplyError(f"pjsip_endpt_create_response failed ({status})")
    status = _lib.pjsip_tsx_send_msg(tsx, tdata)
    if status != 0:
        raise ReplyError(f"pjsip_tsx_send_msg failed ({status})")


def set_log_level(level: int) -> None:
    """Change pjlib's log level at run time (4 and above include whole SIP messages)."""
    _lib.pj_log_set_level(level)
