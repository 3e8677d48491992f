"""The interface every transport offers: whole envelopes in, whole envelopes out.

Byte-pipe transports (loopback simulator, Unix/TCP sockets, child stdin/stdout,
the RDP and Citrix virtual channels) get there through ``protocol.framing``; the
gRPC fallback carries envelopes natively. The session drivers only see this.
"""

from __future__ import annotations

from typing import Protocol

from protocol import pb


class MessageChannel(Protocol):
    """An open, ordered, reliable channel of envelopes to one peer."""

    #: Short human name of the transport, shown to agents and IT ("loopback", "grpc+tls", "rdp").
    kind: str

    async def send(self, envelope: pb.Envelope) -> None:
        """Queue one envelope; raises ``ChannelClosed`` once the channel is gone."""
        ...

    async def receive(self) -> pb.Envelope:
        """Wait for the next envelope; raises ``ChannelClosed`` at the end, a
        ``RemoteProtocolError`` if the peer sent bad data."""
        ...

    async def close(self) -> None:
        """Close both directions; idempotent."""
        ...
