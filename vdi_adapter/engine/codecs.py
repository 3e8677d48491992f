"""Codec enable list and priority order, as a pure function of names.

Theory of operation: the administrator lists codecs by the seed product's names
("PCMU/8000", "G722/16000", "opus/48000", ...) in priority order. pjsua2 names its
codecs "PCMU/8000/1". A listed codec gets a priority that falls with its position;
every codec not listed is disabled (priority 0), so the SDP offer carries exactly the
list, in that order. A listed name the engine does not have is reported, with what is
available, instead of being silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Highest pjmedia codec priority.
TOP_PRIORITY = 255


@dataclass(frozen=True)
class CodecPlan:
    """Priorities to apply and names that could not be honoured."""

    #: pjsua2 codec id -> priority (0 disables).
    priorities: dict[str, int]
    #: Configured names the engine does not have.
    missing: tuple[str, ...]
    #: Available codecs by their configuration names, e.g. "PCMU/8000".
    available: tuple[str, ...]


def config_name(codec_id: str) -> str:
    """'PCMU/8000/1' -> 'PCMU/8000' (the channel count is implied)."""
    parts = codec_id.split("/")
    return "/".join(parts[:2])


def _matches(name: str, codec_id: str) -> bool:
    wanted = name.strip().lower().split("/")
    have = codec_id.lower().split("/")
    return wanted == have[: len(wanted)]


def plan(order: list[str], codec_ids: list[str]) -> CodecPlan:
    """Priorities for ``codec_ids`` following ``order``; an empty order keeps defaults."""
    available = tuple(dict.fromkeys(config_name(c) for c in codec_ids))
    if not order:
        return CodecPlan(priorities={}, missing=(), available=available)
    priorities = dict.fromkeys(codec_ids, 0)
    missing: list[str] = []
    for position, name in enumerate(order):
        found = [c for c in codec_ids if _matches(name, c)]
        if not found:
            missing.append(name)
        for codec_id in found:
            if priorities[codec_id] == 0:
                priorities[codec_id] = max(1, TOP_PRIORITY - position)
    return CodecPlan(priorities=priorities, missing=tuple(missing), available=available)


def missing_warning(plan_: CodecPlan) -> str:
    """One sentence naming what is missing and what can be used instead."""
    names = ", ".join(plan_.missing)
    return (
        f"Codec(s) {names} not available in this adapter and left out; "
        f"available: {', '.join(plan_.available)}"
    )
