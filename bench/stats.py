"""Figures every benchmark reports, computed one way."""

from __future__ import annotations

from pathlib import Path


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by nearest rank: a value that was measured."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def process_cpu_s(pid: int) -> float:
    """CPU seconds the threads of process ``pid`` have run so far (Linux, /proc).

    Summed from each thread's scheduler statistics, in nanoseconds: ``/proc/PID/stat``
    counts in clock ticks (10 ms), too coarse for a few seconds of a process using a
    few percent of a core. Threads that have already ended are not counted.
    """
    total_ns = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total_ns += int((task / "schedstat").read_text().split()[0])
        except (OSError, IndexError, ValueError):
            continue  # the thread ended while being read
    return total_ns / 1e9
