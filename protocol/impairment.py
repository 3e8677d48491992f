"""Channel impairments for the loopback simulator (sans-I/O).

Theory of operation
-------------------
QA reproduces "the call froze when my session lagged" by giving the simulated
virtual channel the faults of a real one. A ``LinkModel`` takes each write with
the time it was made and answers when its bytes reach the other end:

* one-way latency plus random jitter (uniform in ±jitter);
* a bandwidth cap: bytes leave one after another at ``bandwidth_bps``, so a
  burst queues behind itself the way it does on a congested session;
* order is kept: a byte stream never reorders, so jitter only ever delays a
  write up to the delivery time of the one before it, never past it;
* cuts: scheduled windows ``(start_s, duration_s)`` (relative to the link's
  start) and, for ``flaky``, random cuts drawn from a seeded generator so a run
  can be replayed exactly.

The model owns no clock and no randomness source of its own beyond the seeded
``random.Random``; the asyncio driver in ``transports/loopback.py`` applies it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class ImpairmentProfile:
    """The faults of one simulated channel, both directions alike."""

    name: str = "lan"
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    #: Bits per second; 0 means unlimited.
    bandwidth_bps: int = 0
    #: Largest single write the channel accepts; None means unlimited.
    max_write: int | None = None
    #: Scheduled cuts as (start seconds, duration seconds) from the link's start.
    cuts: tuple[tuple[float, float], ...] = ()
    #: Mean seconds between random cuts (0: none) and how long each lasts.
    random_cut_every_s: float = 0.0
    random_cut_duration_s: float = 2.0

    def with_changes(self, **changes: object) -> ImpairmentProfile:
        return replace(self, **changes)  # type: ignore[arg-type]


#: Named profiles QA can pick with ``--profile``; each can be adjusted field by field.
PROFILES: dict[str, ImpairmentProfile] = {
    "lan": ImpairmentProfile("lan", latency_ms=0.2, jitter_ms=0.05, max_write=1600),
    "wan": ImpairmentProfile("wan", latency_ms=40.0, jitter_ms=5.0, max_write=1600),
    "satellite": ImpairmentProfile(
        "satellite", latency_ms=300.0, jitter_ms=30.0, bandwidth_bps=1_000_000, max_write=1600
    ),
    "congested": ImpairmentProfile(
        "congested", latency_ms=60.0, jitter_ms=25.0, bandwidth_bps=64_000, max_write=1600
    ),
    "flaky": ImpairmentProfile(
        "flaky",
        latency_ms=30.0,
        jitter_ms=10.0,
        max_write=1600,
        random_cut_every_s=10.0,
        random_cut_duration_s=2.0,
    ),
}


@dataclass
class LinkModel:
    """When each write arrives, and when the link is cut."""

    profile: ImpairmentProfile
    start: float
    seed: int = 0
    _rng: random.Random = field(init=False)
    _cut_rng: random.Random = field(init=False)
    _last_delivery: float = field(init=False)
    _wire_free_at: float = field(init=False)
    _random_cuts: list[tuple[float, float]] = field(init=False, default_factory=list)
    _horizon: float = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)
        # A separate generator, so the cut schedule does not depend on the traffic.
        self._cut_rng = random.Random(self.seed + 1)
        self._last_delivery = self.start
        self._wire_free_at = self.start
        self._horizon = self.start

    def delivery_time(self, nbytes: int, now: float) -> float:
        """Time at which a write of ``nbytes`` made at ``now`` reaches the peer."""
        p = self.profile
        sent = now
        if p.bandwidth_bps:
            sent = max(now, self._wire_free_at) + nbytes * 8 / p.bandwidth_bps
            self._wire_free_at = sent
        jitter = self._rng.uniform(-p.jitter_ms, p.jitter_ms) if p.jitter_ms else 0.0
        arrival = sent + max(0.0, p.latency_ms + jitter) / 1000
        self._last_delivery = max(self._last_delivery, arrival)
        return self._last_delivery

    def cut_until(self, now: float) -> float | None:
        """If the link is cut at ``now``, when it comes back; else None."""
        for start, end in self._cut_windows(now):
            if start <= now < end:
                return end
        return None

    def next_cut(self, now: float) -> tuple[float, float] | None:
        """The first cut window that has not ended by ``now``, if any."""
        upcoming = [w for w in self._cut_windows(now + 3600) if w[1] > now]
        return min(upcoming) if upcoming else None

    def _cut_windows(self, now: float) -> list[tuple[float, float]]:
        windows = [(self.start + s, self.start + s + d) for s, d in self.profile.cuts]
        return windows + self._random_windows(now)

    def _random_windows(self, now: float) -> list[tuple[float, float]]:
        every = self.profile.random_cut_every_s
        if not every:
            return []
        while self._horizon <= now:
            gap = self._cut_rng.expovariate(1 / every)
            start = self._horizon + gap
            self._random_cuts.append((start, start + self.profile.random_cut_duration_s))
            self._horizon = start + self.profile.random_cut_duration_s
        return self._random_cuts
