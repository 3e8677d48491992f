"""A readable timeline: who did what, when, and what the agent saw."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class Entry:
    at_s: float
    actor: str
    text: str


@dataclass
class Timeline:
    """Prints each entry as it happens and keeps them for the report."""

    out: TextIO | None = field(default_factory=lambda: sys.stdout)
    start: float = field(default_factory=time.monotonic)
    entries: list[Entry] = field(default_factory=list)

    def note(self, actor: str, text: str) -> None:
        entry = Entry(time.monotonic() - self.start, actor, text)
        self.entries.append(entry)
        if self.out is not None:
            print(f"{entry.at_s:8.3f}s  {actor:<8} {text}", file=self.out, flush=True)

    def agent_saw(self, text: str) -> None:
        self.note("agent", text)
