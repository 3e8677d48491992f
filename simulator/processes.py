"""Stopping the servers the simulator and the tests start, by their process group."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any


def stop_group(
    process: subprocess.Popen[bytes] | subprocess.Popen[str], *, term: bool = True
) -> None:
    """Stop a process started with ``start_new_session=True`` and everything it forked.

    SIGTERM first (unless ``term`` is False: the caller already asked it to quit), then
    SIGKILL if it is still there after 5 s. Never leaves a process behind.
    """
    if term and process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def wait_until(predicate: Callable[[], Any], timeout: float, why: Callable[[], str]) -> Any:
    """Poll ``predicate`` until it returns something true; fail with ``why()`` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout} s: {why()}")
