"""Cheap access to pjmedia frames from ``pj.AudioMediaPort`` callbacks.

Theory of operation: pjmedia calls a Python port twice per 20 ms on its clock thread
(``onFrameReceived``, ``onFrameRequested``), for every call. Three things made each of
those upcalls cost far more than the work inside it:

* SWIG enters Python with ``PyGILState_Ensure`` and leaves with ``PyGILState_Release``.
  pjmedia's thread is not a Python thread, so each upcall created a fresh Python thread
  state and its frame stack (an ``mmap``, page faults) and tore both down again.
  ``keep_thread_state`` takes one extra reference on the thread's state the first time
  a thread calls in, so it lives as long as the thread: what cffi does for its own
  callbacks (and so for PortAudio's threads).
* Reading a ``pj.ByteVector`` element by element costs ~0.4 ms per frame; ``read_bytes``
  copies its storage in one go.
* ``pj.ByteVector(data)`` converts its argument one byte at a time (~16 us per frame);
  ``VectorWriter`` fills one kept vector in place instead.

The vector's storage is found from the ``std::vector`` header (begin and end pointers
first, as in libstdc++ and MSVC's STL); each fast path is checked once against the
slow one at import and abandoned, with a warning, if they ever disagree.
"""

from __future__ import annotations

import ctypes
import logging
import threading
from typing import Any

import pjsua2 as pj

log = logging.getLogger(__name__)

_kept_threads: set[int] = set()
_kept_lock = threading.Lock()


def keep_thread_state() -> None:
    """Keep the calling native thread's Python state alive between upcalls.

    Call it inside an upcall (the GIL is held). The extra ``PyGILState_Ensure`` is never
    released, so SWIG's own release at the end of each upcall only lets go of the GIL.
    """
    ident = threading.get_ident()
    if ident in _kept_threads:
        return
    with _kept_lock:
        if ident not in _kept_threads:
            ctypes.pythonapi.PyGILState_Ensure()
            _kept_threads.add(ident)


def _storage(vector: Any) -> tuple[int, int]:
    begin, end = ctypes.cast(int(vector.this), ctypes.POINTER(ctypes.c_void_p))[0:2]
    if not begin or end is None or end < begin:
        return 0, 0
    return begin, end - begin


def _read_fast(vector: Any) -> bytes:
    begin, size = _storage(vector)
    return ctypes.string_at(begin, size) if size else b""


def _read_slow(vector: Any) -> bytes:
    return bytes(bytearray(vector))


class VectorWriter:
    """A ``pj.ByteVector`` kept per port and refilled in place for each frame."""

    fast = True
    """Whether vectors are filled in place (checked at import)."""

    def __init__(self) -> None:
        self._vector: Any = None
        self._size = -1

    def vector(self, data: bytes) -> Any:
        """A vector holding ``data`` (the same object each time while sizes match)."""
        if not self.fast:
            return pj.ByteVector(data)
        if len(data) != self._size:
            self._vector, self._size = pj.ByteVector(data), len(data)
            return self._vector
        begin, size = _storage(self._vector)
        ctypes.memmove(begin, data, size)
        return self._vector


def _fast_paths_work() -> bool:
    probe = bytes(range(7)) * 3
    try:
        writer = VectorWriter()
        writer.vector(bytes(len(probe)))
        filled = writer.vector(probe)
        return _read_fast(pj.ByteVector(probe)) == probe and _read_slow(filled) == probe
    except (OSError, ValueError, TypeError):
        return False


if _fast_paths_work():
    read_bytes = _read_fast
else:  # pragma: no cover - only with an STL whose vector header differs
    log.warning("pjsua2 byte vectors are read and written the slow way")
    read_bytes = _read_slow
    VectorWriter.fast = False
