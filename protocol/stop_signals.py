"""Stopping a long-running half (app or adapter) cleanly when the system asks, on any OS.

Theory of operation: on Unix the event loop takes SIGTERM and SIGINT itself
(``add_signal_handler``). Windows event loops cannot (``NotImplementedError``): there
Ctrl+C (SIGINT) and Ctrl+Break (SIGBREAK, what a service manager or ``taskkill``'s
console-close sends) arrive through ``signal.signal`` on the main thread, and the
handler hands the stop to the loop with ``call_soon_threadsafe``. Either way the
caller just awaits ``stop``, then hangs up, unregisters and exits.
"""

from __future__ import annotations

import asyncio
import signal
from typing import Any


def stop_signals() -> list[signal.Signals]:
    """The signals that mean "stop" here: SIGTERM/SIGINT, plus SIGBREAK on Windows."""
    names = ("SIGTERM", "SIGINT", "SIGBREAK")
    return [getattr(signal, name) for name in names if hasattr(signal, name)]


def install_stop_handlers(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> str:
    """Make every stop signal set ``stop``; returns how ("loop" or "signal")."""
    try:
        for sig in stop_signals():
            loop.add_signal_handler(sig, stop.set)
        return "loop"
    except (NotImplementedError, RuntimeError):
        pass  # a Windows loop (or not the main thread's): fall back to signal.signal

    def handler(_signum: int, _frame: Any) -> None:
        loop.call_soon_threadsafe(stop.set)

    for sig in stop_signals():
        signal.signal(sig, handler)
    return "signal"
