"""The channel's error family.

Split the h11 way: a *local* error means this side misused the API (a bug here);
a *remote* error means the peer sent something wrong. Each names what was wrong in
words an administrator can act on.
"""

from __future__ import annotations


class ChannelError(Exception):
    """Base of every error raised by the channel."""


class LocalProtocolError(ChannelError):
    """This side broke the protocol (e.g. sent a command before the handshake)."""


class RemoteProtocolError(ChannelError):
    """The peer sent something we cannot accept; the channel closes."""


class FrameTooLarge(RemoteProtocolError):
    """A frame header announced more bytes than the configured maximum."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"frame of {size} bytes exceeds the {limit}-byte limit")
        self.size = size
        self.limit = limit


class BadFrameHeader(RemoteProtocolError):
    """The bytes where a frame header should start are not one (garbage on the pipe)."""

    def __init__(self, header: bytes) -> None:
        super().__init__(f"not a softphone frame (header bytes {header.hex(' ')})")
        self.header = header


class TruncatedFrame(RemoteProtocolError):
    """The pipe closed in the middle of a frame."""

    def __init__(self, have: int, need: int) -> None:
        super().__init__(f"channel closed inside a frame ({have} of {need} bytes received)")
        self.have = have
        self.need = need


class MalformedMessage(RemoteProtocolError):
    """A frame arrived whole but its payload is not a valid envelope."""


class IncompatibleVersion(RemoteProtocolError):
    """The peer speaks a protocol major we do not."""

    def __init__(self, ours: tuple[int, int], theirs: tuple[int, int], peer_software: str) -> None:
        super().__init__(
            f"protocol {theirs[0]}.{theirs[1]} (software {peer_software or 'unknown'}) "
            f"is incompatible with ours, {ours[0]}.{ours[1]}"
        )
        self.ours = ours
        self.theirs = theirs
        self.peer_software = peer_software


class ChannelClosed(ChannelError):
    """The channel is closed; nothing more can be sent or received."""


class Unauthorized(ChannelError):
    """The peer refused our credentials (gRPC token) or we refused theirs."""
