"""Numbering of the adapter's events.

Every event the adapter publishes gets the next sequence number, from any thread
(the engine thread, the device monitor). A snapshot records the last number it
reflects, so the app can drop the events it already has and notice gaps.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from protocol import pb


class EventSink:
    """Stamps events with a sequence number and hands them to subscribers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sequence = 0
        self._subscribers: list[Callable[[pb.Event], None]] = []

    @property
    def last_sequence(self) -> int:
        """Sequence number of the last event published (0: none yet)."""
        return self._sequence

    def subscribe(self, callback: Callable[[pb.Event], None]) -> None:
        """Call ``callback`` (from the publishing thread) for every later event."""
        with self._lock:
            self._subscribers.append(callback)

    def unsubscribe(self, callback: Callable[[pb.Event], None]) -> None:
        with self._lock:
            self._subscribers.remove(callback)

    def publish(self, event: pb.Event) -> pb.Event:
        """Stamp ``event`` with the next sequence number and time, deliver it, return it."""
        with self._lock:
            self._sequence += 1
            event.sequence = self._sequence
            if not event.unix_ms:
                event.unix_ms = int(time.time() * 1000)
            subscribers = list(self._subscribers)
            # Delivered under the lock so every subscriber sees events in sequence order.
            for callback in subscribers:
                callback(event)
        return event
