"""The one thread that owns pjsua2's Endpoint, for the whole life of the process.

Theory of operation: pjsua2's ``Endpoint`` is a process singleton, and with
``mainThreadOnly`` pjsua2 delivers callbacks only on the thread that called
``libCreate``. ``libDestroy`` can corrupt the heap after a Python ``AudioMediaPort``
was bridged into a call, and a second ``libCreate`` after it is not supported. So the
Endpoint is created once, on a dedicated thread, and never destroyed: ``Engine.start``
and ``Engine.stop`` create and tear down what *can* be torn down safely (accounts,
calls, tone generators), in order, on this thread; SIP transports and the in-band
DTMF listening ports are kept for reuse (see ``setup`` and ``inband``). At interpreter
exit the loop is stopped and the Endpoint is deliberately leaked; the operating system
reclaims its sockets and memory.

The loop: run queued jobs (commands from other threads), then ``libHandleEvents``
(SIP, timers, pjsua2 callbacks, with ``threadCnt = 0``), then each subscriber's tick
(timers of the engines: auto-answer, quality reports). Callbacks only record facts and
queue follow-up jobs, so replies such as a NOTIFY's 200 leave before the actions they
trigger.
"""

from __future__ import annotations

import atexit
import collections
import concurrent.futures
import contextlib
import ctypes
import logging
import socket
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pjsua2 as pj

from vdi_adapter.engine import sip_text, tsx_reply

T = TypeVar("T")
log = logging.getLogger(__name__)

#: Milliseconds libHandleEvents may block waiting for network events. Commands from
#: other threads do not wait for it: ``post`` wakes the poll with a CRLF keep-alive
#: (RFC 5626 section 3.5.1) to our own UDP port, which pjsip reads and ignores.
POLL_MS = 20
WAKE_DATAGRAM = b"\r\n\r\n"
LOG_LINES = 500
TRACE_MESSAGES = 400


def _guarded(job: Callable[[], None]) -> None:
    """Run a job or tick; its failure is logged and must not stop the SIP thread."""
    try:
        job()
    except Exception:
        log.exception("SIP thread job failed")


class _LogWriter(pj.LogWriter):
    """Keeps recent pjlib log lines and (when tracing) whole SIP messages, redacted."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: collections.deque[str] = collections.deque(maxlen=LOG_LINES)
        self.trace: collections.deque[str] = collections.deque(maxlen=TRACE_MESSAGES)

    def write(self, entry: Any) -> None:
        text = sip_text.redact(str(entry.msg).rstrip())
        if " bytes Request msg " in text or " bytes Response msg " in text:
            self.trace.append(text)
        elif entry.level <= 3:
            self.lines.append(text)


class PjHost:
    """The Endpoint's thread: runs jobs and ticks between ``libHandleEvents`` polls."""

    _instance: PjHost | None = None
    _instance_lock = threading.Lock()

    def __init__(self) -> None:
        self._jobs: collections.deque[Callable[[], None]] = collections.deque()
        self._ticks: list[Callable[[], None]] = []
        self._ready = threading.Event()
        self._stopping = False
        self._start_error: BaseException | None = None
        self.endpoint: Any = None
        self.log = _LogWriter()
        self.tracing = 0
        self._thread = threading.Thread(target=self._run, name="pjsua2", daemon=True)
        self._wake_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._wake_address: tuple[str, int] | None = None

    @classmethod
    def instance(cls) -> PjHost:
        """The process's host, started on first use."""
        with cls._instance_lock:
            if cls._instance is None:
                host = cls()
                host._thread.start()
                host._ready.wait(15)
                if host._start_error is not None:
                    raise RuntimeError(f"SIP stack failed to start: {host._start_error}")
                cls._instance = host
                atexit.register(host._shutdown)
            return cls._instance

    @property
    def on_host_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def post(self, job: Callable[[], None]) -> None:
        """Run ``job`` on the host thread soon (callable from any thread)."""
        self._jobs.append(job)
        if self._wake_address is not None and not self.on_host_thread:
            with contextlib.suppress(OSError):
                self._wake_socket.sendto(WAKE_DATAGRAM, self._wake_address)

    def set_wake_port(self, port: int) -> None:
        """Our own SIP UDP port: a CRLF keep-alive sent there ends the current poll."""
        self._wake_address = ("127.0.0.1", port) if port else None

    def call(self, function: Callable[[], T], timeout: float = 10.0) -> T:
        """Run ``function`` on the host thread and return its result (or raise its error)."""
        if self.on_host_thread:
            return function()
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def job() -> None:
            try:
                future.set_result(function())
            except BaseException as error:
                future.set_exception(error)

        self.post(job)
        return future.result(timeout)

    def add_tick(self, tick: Callable[[], None]) -> None:
        self._ticks.append(tick)

    def remove_tick(self, tick: Callable[[], None]) -> None:
        if tick in self._ticks:
            self._ticks.remove(tick)

    def pump(self, milliseconds: int = POLL_MS) -> None:
        """Let pjsua2 handle events once (host thread only, e.g. while tearing down)."""
        self.endpoint.libHandleEvents(milliseconds)

    def set_tracing(self, on: bool) -> None:
        """Count engines that want SIP traces; pjlib logs messages at level 4."""
        self.tracing += 1 if on else -1
        tsx_reply.set_log_level(4 if self.tracing > 0 else 3)

    def _run(self) -> None:
        try:
            self._create_endpoint()
        except BaseException as error:
            self._start_error = error
            self._ready.set()
            return
        self._ready.set()
        while not self._stopping:
            self._run_jobs()
            self.endpoint.libHandleEvents(POLL_MS)
            for tick in list(self._ticks):
                _guarded(tick)

    def _run_jobs(self) -> None:
        while self._jobs:
            _guarded(self._jobs.popleft())

    def _create_endpoint(self) -> None:
        tsx_reply.set_log_level(0)
        endpoint = pj.Endpoint()
        endpoint.libCreate()
        config = pj.EpConfig()
        config.uaConfig.threadCnt = 0
        config.uaConfig.mainThreadOnly = True
        config.uaConfig.maxCalls = 32
        config.uaConfig.userAgent = "VDI Softphone Adapter"
        config.medConfig.threadCnt = 1
        config.medConfig.noVad = True
        config.logConfig.level = 3
        config.logConfig.consoleLevel = 5
        config.logConfig.msgLogging = True
        config.logConfig.writer = self.log
        endpoint.libInit(config)
        endpoint.audDevManager().setNullDev()
        endpoint.libStart()
        self.endpoint = endpoint

    def _shutdown(self) -> None:
        """At exit: stop the loop and leak the Endpoint on purpose (see module comment)."""
        self._stopping = True
        self._thread.join(timeout=3)
        for keep in (self.endpoint, self.log):
            if keep is not None:
                ctypes.pythonapi.Py_IncRef(ctypes.py_object(keep))
