"""Impaired media between the agent and the far ends: a symmetric UDP relay.

``tc netem`` is not available here, so media is impaired in user space. Every
endpoint advertises the relay's address (127.0.0.2) in its SDP and keeps its real
socket on 127.0.0.1 with the same port. The relay binds 127.0.0.2 on every media
port in play and applies one rule, whichever way a packet goes:

    received on 127.0.0.2:X from 127.0.0.1:Y  ->  send to 127.0.0.1:X from 127.0.0.2:Y

So each endpoint sees its peer's packets come from the address the peer advertised,
and symmetric-RTP address switching never bypasses the relay. On the way, a packet
is dropped with probability ``loss_pct`` and delayed by 0..``jitter_ms`` (packets may
overtake each other, as on a real network). A seeded generator makes runs repeatable.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass

RELAY_HOST = "127.0.0.2"
REAL_HOST = "127.0.0.1"


@dataclass(frozen=True)
class MediaImpairment:
    """Faults of the media path, both directions alike."""

    loss_pct: float = 0.0
    jitter_ms: float = 0.0

    @property
    def active(self) -> bool:
        return self.loss_pct > 0 or self.jitter_ms > 0


class _Port(asyncio.DatagramProtocol):
    def __init__(self, relay: MediaRelay, port: int) -> None:
        self.relay = relay
        self.port = port
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.relay.forward(self.port, data, addr[1])


class MediaRelay:
    """Relays and impairs every media port it was given."""

    def __init__(self, impairment: MediaImpairment, seed: int = 5) -> None:
        self.impairment = impairment
        self._random = random.Random(seed)
        self._ports: dict[int, _Port] = {}
        self.forwarded = 0
        self.dropped = 0

    async def add_ports(self, ports: range) -> None:
        loop = asyncio.get_running_loop()
        for port in ports:
            if port in self._ports:
                continue
            protocol = _Port(self, port)
            await loop.create_datagram_endpoint(lambda p=protocol: p, local_addr=(RELAY_HOST, port))  # type: ignore[misc]
            self._ports[port] = protocol

    def forward(self, received_on: int, data: bytes, sender_port: int) -> None:
        if self._random.random() * 100 < self.impairment.loss_pct:
            self.dropped += 1
            return
        out = self._ports.get(sender_port)
        if out is None or out.transport is None:
            return  # a sender whose port we do not relay for: not part of the media path
        delay = self._random.uniform(0, self.impairment.jitter_ms) / 1000
        target = (REAL_HOST, received_on)
        transport = out.transport
        if delay:
            asyncio.get_running_loop().call_later(delay, transport.sendto, data, target)
        else:
            transport.sendto(data, target)
        self.forwarded += 1

    def close(self) -> None:
        for port in self._ports.values():
            if port.transport is not None:
                port.transport.close()
        self._ports.clear()
