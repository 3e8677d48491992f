"""A byte pipe: what a virtual channel, a socket or a child's stdin/stdout gives us.

It keeps no message boundaries and may cap each write (RDP static channels take
1,600-byte chunks, rdp2tcp 16 KiB). ``protocol.framing`` turns one into a
``MessageChannel``. Every byte-pipe backend implements this small interface.
"""

from __future__ import annotations

from typing import Protocol


class BytePipe(Protocol):
    """An ordered, reliable stream of bytes to one peer."""

    #: Largest single write the backend accepts, or None when unlimited.
    max_write: int | None
    #: Short human name of the transport ("loopback", "unix", "rdp", "citrix").
    kind: str

    async def read(self) -> bytes:
        """Return the next bytes available (any amount); b"" once the peer closed."""
        ...

    async def write(self, data: bytes) -> None:
        """Write ``data`` (at most ``max_write`` bytes); raises ``ChannelClosed`` when gone."""
        ...

    async def close(self) -> None:
        """Close the pipe; idempotent."""
        ...
