"""A ``BytePipe`` over a remote-display virtual channel, whatever API opened it.

Theory of operation: the RDP (WTS API) and Citrix (WFAPI) virtual-channel APIs
look alike: open a named channel in the current session, then read with a
timeout, write whole buffers, close. Each backend wraps its C library in a small
``ChannelHandle`` (see ``ChannelHandle`` below) and ``VirtualChannelPipe`` does the
rest, once, for all of them:

* reading: when the handle gives a pollable file descriptor (xrdp's channel server
  socket), the event loop waits on it and reads without blocking, which keeps the
  round trip near the channel's own latency. Otherwise (Windows and Citrix handles
  are not pollable from asyncio) one thread reads with a short timeout and hands
  the bytes to the loop.
* writing: data is cut into ``max_write`` chunks (RDP static channels carry 1,600
  bytes per chunk). ``write_nowait`` hands chunks to a pollable handle at once
  (the session core writes envelopes synchronously); what the handle cannot take
  right now (0 bytes written), and everything on a thread-driven handle, waits in
  an ordered outbox that one task flushes; ``drain`` waits for it. A failed write
  means the client is gone: it is raised by this or the next write or drain.
* ending: a read that finds the channel closed returns ``b""`` (the ``BytePipe``
  contract); every later write raises ``ChannelClosed``. On xrdp this is exactly
  what a client disconnect looks like: the handle reads nothing, the next write
  fails. The caller then closes the pipe and opens a new one (with backoff) once
  the client is back.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections import deque
from collections.abc import Callable
from typing import NoReturn, Protocol

from protocol.errors import ChannelClosed

#: RDP static virtual channels carry at most this many bytes per chunk.
RDP_CHUNK = 1600
#: How long a reader thread waits in one read call, so that ``close`` is prompt.
THREAD_READ_TIMEOUT_MS = 100
#: Give up on a write the channel has refused to take for this long.
WRITE_STALL_TIMEOUT_S = 10.0
_READ_SIZE = 64 * 1024


class VirtualChannelUnavailable(ChannelClosed):
    """No virtual channel could be opened here (not in such a session, or not allowed)."""


class ChannelHandle(Protocol):
    """One open channel of a virtual-channel C API, in Python terms."""

    def fileno(self) -> int | None:
        """A descriptor that polls readable when ``read(0)`` has news, or None."""
        ...

    def read(self, timeout_ms: int) -> bytes | None:
        """Bytes read (maybe after waiting ``timeout_ms``); None if none yet; b"" when closed."""
        ...

    def write(self, data: bytes) -> int:
        """Bytes taken (0: try again later); raises ``ChannelClosed`` when the channel is gone."""
        ...

    def close(self) -> None:
        """Release the handle; called once."""
        ...


class VirtualChannelPipe:
    """The ``BytePipe`` of one open virtual channel (see the module docstring)."""

    def __init__(self, handle: ChannelHandle, kind: str, max_write: int | None) -> None:
        self.kind = kind
        self.max_write = max_write
        self._handle = handle
        self._fd = handle.fileno()
        self._closed = False
        self._eof = False
        self._failure: ChannelClosed | None = None
        self._outbox: deque[bytes] = deque()
        self._flusher: asyncio.Task[None] | None = None
        self._waiters: set[asyncio.Future[None]] = set()
        self._reader: _ThreadReader | None = None
        self._writer: concurrent.futures.ThreadPoolExecutor | None = None
        if self._fd is None:
            self._reader = _ThreadReader(handle, asyncio.get_running_loop())
            self._writer = concurrent.futures.ThreadPoolExecutor(1, f"{kind}-channel-write")

    async def read(self) -> bytes:
        if self._closed:
            raise ChannelClosed(f"{self.kind} channel is closed")
        if self._eof:
            return b""
        data = await (self._reader.next() if self._reader else self._read_fd())
        if self._closed:  # closed by us while this read waited
            raise ChannelClosed(f"{self.kind} channel is closed")
        self._eof = not data
        return data

    async def write(self, data: bytes) -> None:
        self.write_nowait(data)
        await self.drain()

    def write_nowait(self, data: bytes) -> None:
        """Write without waiting: at once where the handle takes it, else queued in order."""
        self._check_writable()
        if not self._outbox and self._writer is None:
            data = data[self._write_inline(data) :]
        if data:
            self._outbox.append(data)
            if self._flusher is None or self._flusher.done():
                self._flusher = asyncio.get_running_loop().create_task(self._flush())

    async def drain(self) -> None:
        """Wait until the channel has taken everything written so far."""
        if self._flusher is not None and not self._flusher.done():
            await asyncio.shield(self._flusher)
        self._check_writable()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._flusher is not None:
            self._flusher.cancel()
        self._stop_waiting()
        if self._reader:
            await self._reader.stop()
        if self._writer:
            await _shutdown(self._writer)
        self._handle.close()

    def _stop_waiting(self) -> None:
        """Unregister our descriptor (its number may soon be reused) and wake waiting I/O."""
        if self._fd is not None:
            loop = asyncio.get_running_loop()
            loop.remove_reader(self._fd)
            loop.remove_writer(self._fd)
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _read_fd(self) -> bytes:
        assert self._fd is not None
        while True:
            data = self._handle.read(0)
            if data is not None:
                return data
            await self._wait_fd(readable=True)
            if self._closed:
                raise ChannelClosed(f"{self.kind} channel is closed")

    def _check_writable(self) -> None:
        if self._closed or self._eof:
            raise self._failure or ChannelClosed(f"{self.kind} channel is closed")

    def _write_inline(self, data: bytes) -> int:
        """Hand ``data`` to a pollable handle now, chunk by chunk; return the bytes taken."""
        step, done = self.max_write or len(data), 0
        while done < len(data):
            chunk = data[done : done + step]
            taken = self._call_write(chunk)
            done += taken
            if taken < len(chunk):
                break
        return done

    async def _flush(self) -> None:
        step = self.max_write or _READ_SIZE
        try:
            while self._outbox:
                data = self._outbox[0]
                for start in range(0, len(data), step):
                    await self._write_chunk(data[start : start + step])
                self._outbox.popleft()
        except ChannelClosed:
            self._outbox.clear()

    async def _write_chunk(self, chunk: bytes) -> None:
        deadline = asyncio.get_running_loop().time() + WRITE_STALL_TIMEOUT_S
        while chunk:
            taken = await self._write_once(chunk)
            if taken:
                chunk = chunk[taken:]
                continue
            if asyncio.get_running_loop().time() > deadline:
                stalled = f"{self.kind} channel took no data for {WRITE_STALL_TIMEOUT_S:g} s"
                self._fail(ChannelClosed(stalled))
            await self._wait_writable()

    async def _write_once(self, chunk: bytes) -> int:
        if self._writer is None:
            return self._call_write(chunk)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer, self._call_write, chunk)

    def _call_write(self, chunk: bytes) -> int:
        try:
            return self._handle.write(chunk)
        except ChannelClosed as error:
            self._fail(error)
        return 0  # not reached: _fail raises

    def _fail(self, error: ChannelClosed) -> NoReturn:
        self._eof = True
        self._failure = error
        raise error

    async def _wait_writable(self) -> None:
        if self._fd is None:
            await asyncio.sleep(0.005)
        else:
            await self._wait_fd(readable=False)

    async def _wait_fd(self, readable: bool) -> None:
        """Wait until our descriptor polls readable (or writable), or the pipe closes."""
        assert self._fd is not None
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        add, remove = (
            (loop.add_reader, loop.remove_reader)
            if readable
            else (loop.add_writer, loop.remove_writer)
        )
        add(self._fd, _wake, ready)
        self._waiters.add(ready)
        try:
            await ready
        finally:
            self._waiters.discard(ready)
            if not self._closed:
                remove(self._fd)


def _wake(ready: asyncio.Future[None]) -> None:
    if not ready.done():
        ready.set_result(None)


async def _shutdown(writer: concurrent.futures.ThreadPoolExecutor) -> None:
    """Let a write in progress finish (briefly) before the handle goes away."""
    writer.shutdown(wait=False, cancel_futures=True)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.to_thread(writer.shutdown, wait=True), 1.0)


class _ThreadReader:
    """Reads a non-pollable handle on one thread and hands the bytes to the loop."""

    def __init__(self, handle: ChannelHandle, loop: asyncio.AbstractEventLoop) -> None:
        self._handle = handle
        self._loop = loop
        self._queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="channel-read", daemon=True)
        self._thread.start()

    async def next(self) -> bytes:
        return await self._queue.get()

    async def stop(self) -> None:
        self._stopping.set()
        self._queue.put_nowait(b"")  # wakes a read waiting in next()
        await asyncio.to_thread(self._thread.join, 5 * THREAD_READ_TIMEOUT_MS / 1000)

    def _run(self) -> None:
        while not self._stopping.is_set():
            data = self._read_or_closed()
            if data is None:
                continue
            self._deliver(data)
            if not data:
                return

    def _read_or_closed(self) -> bytes | None:
        try:
            return self._handle.read(THREAD_READ_TIMEOUT_MS)
        except ChannelClosed:
            return b""

    def _deliver(self, data: bytes) -> None:
        put: Callable[[bytes], None] = self._queue.put_nowait
        with contextlib.suppress(RuntimeError):  # the loop is already gone
            self._loop.call_soon_threadsafe(put, data)
