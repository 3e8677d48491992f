"""The asyncio side of the window, on a worker thread, talking to Qt only through signals.

Why a worker thread rather than PySide6.QtAsyncio: the link, the phone and the
connector are the same asyncio code that runs headless, and QtAsyncio is still a
technical preview that does not cover everything asyncio streams and gRPC need.
So the asyncio loop keeps its own thread; Qt signals emitted there are queued to
the GUI thread (Qt's automatic connection), and the GUI hands coroutines to the
loop with ``run_coroutine_threadsafe``. No widget ever touches the loop or the link.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

from app_layer.phone import Phone, Report
from app_layer.ui.signals import emit

log = logging.getLogger(__name__)


class Backend(Protocol):
    """What the bridge runs on its loop: something that yields a ``Phone``."""

    phone: Phone | None

    async def start(self) -> int: ...

    async def close(self) -> None: ...


class AsyncBridge(QObject):
    """Runs a backend's asyncio loop on a thread; reports come back as signals."""

    #: A ``Report`` from the phone (link status, snapshot, event).
    reported = Signal(object)
    #: The backend started; the connector's port.
    started = Signal(int)
    #: The backend could not start; why, in words for the agent.
    failed = Signal(str)
    #: A command finished: (label, pb.Result or an exception).
    finished = Signal(str, object)
    #: A desktop application chose a language through the connector.
    language = Signal(str)

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="softphone-asyncio", daemon=True)
        self._stopped = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.create_task(self._start_backend())
        try:
            self.loop.run_forever()
        finally:
            self.loop.close()
            self._stopped.set()

    async def _start_backend(self) -> None:
        try:
            port = await self.backend.start()
        except Exception as exc:
            log.warning("the phone could not start: %s", exc)
            emit(self.failed, str(exc))
            return
        assert self.backend.phone is not None
        self.backend.phone.subscribe(lambda report: emit(self.reported, report))
        connector = getattr(self.backend, "connector", None)
        if connector is not None:
            connector.api.on_language(lambda language: emit(self.language, language))
        # Reports sent before we subscribed are summed up by the current state.
        emit(self.reported, Report("link", link=self.backend.phone.state.link))
        emit(self.started, port)

    def submit(self, label: str, action: Callable[[Phone], Awaitable[Any]]) -> None:
        """Run ``action(phone)`` on the loop; its outcome comes back as ``finished``."""
        phone = self.backend.phone
        if phone is None:
            emit(self.finished, label, RuntimeError("the phone is not running"))
            return
        future = asyncio.run_coroutine_threadsafe(_awaited(action(phone)), self.loop)
        future.add_done_callback(lambda f: self._done(label, f))

    def _done(self, label: str, future: concurrent.futures.Future[Any]) -> None:
        try:
            outcome = future.result()
        except Exception as exc:
            outcome = exc
        emit(self.finished, label, outcome)

    def stop(self, timeout: float = 10.0) -> None:
        """Close the backend and end the loop's thread."""
        if not self._thread.is_alive():
            return
        future = asyncio.run_coroutine_threadsafe(self.backend.close(), self.loop)
        try:
            future.result(timeout)
        except Exception as exc:
            log.warning("closing the phone: %s", exc)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)


async def _awaited(awaitable: Awaitable[Any]) -> Any:
    return await awaitable
