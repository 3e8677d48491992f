"""Emitting Qt signals from Python without corrupting the interpreter.

PySide6 6.12.0's ``SignalInstance.emit`` returns ``True`` without taking a
reference to it, so every emit from Python drops one reference to ``True``; a
window that emits a few signals a second runs the count to zero within hours and
the interpreter aborts ("bool_dealloc: deallocating True or False"). ``emit``
gives the reference back when, and only when, the installed PySide6 is measured
to leak, so a fixed PySide6 needs no change here.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal


class _Probe(QObject):
    ping = Signal()


def _emit_leaks() -> bool:
    """Measure: does ``emit`` lose a reference to its result?"""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(16):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    _give_back(lost)
    return lost >= 16


def _give_back(count: int) -> None:
    for _ in range(max(0, count)):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))


_LEAKS = _emit_leaks()


def emit(signal: Any, *args: Any) -> None:
    """``signal.emit(*args)``, compensating PySide6's lost reference when it loses one."""
    result = signal.emit(*args)
    if _LEAKS and result is True:
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
