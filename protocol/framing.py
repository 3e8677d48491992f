"""Framing: whole messages over a byte pipe that keeps no boundaries.

Theory of operation
-------------------
A virtual channel (RDP static channel, rdp2tcp, Citrix ICA) or a socket delivers
bytes, not messages: it may split one message across many reads, merge several
into one, and cap each write (1,600 bytes on RDP static channels). Each message
therefore travels as a frame::

    +------+---------+-------+----------------+----------------+
    | 'S'  |  'P'    | ver=1 | flags=0        | length (u32 BE)|  payload ...
    +------+---------+-------+----------------+----------------+

The two magic bytes and the version let the decoder tell a softphone frame from
garbage at once (a stray shell prompt on a relay's stdout, a wrong program on the
other end) instead of waiting for four gigabytes that will never come. The length
is checked against the configured maximum *before* any payload is buffered, so
memory stays bounded whatever the peer sends.

``FrameDecoder`` is sans-I/O: feed it bytes, it returns whole payloads or raises a
typed ``RemoteProtocolError``; ``close()`` tells it the pipe ended, which is an
error if a frame was cut short. After an error the decoder stays failed: the
channel must close, because a byte stream has no way to resynchronise.
"""

from __future__ import annotations

import struct

from protocol.errors import (
    BadFrameHeader,
    FrameTooLarge,
    LocalProtocolError,
    RemoteProtocolError,
    TruncatedFrame,
)

MAGIC = b"SP"
VERSION = 1
HEADER = struct.Struct(">2sBBI")
HEADER_SIZE = HEADER.size
#: Default largest payload accepted (64 KiB); snapshots of a busy phone fit easily.
DEFAULT_MAX_FRAME = 64 * 1024


def encode_frame(payload: bytes, max_frame: int = DEFAULT_MAX_FRAME) -> bytes:
    """Return ``payload`` as one frame; refuse to send what the peer would refuse."""
    if len(payload) > max_frame:
        raise LocalProtocolError(
            f"message of {len(payload)} bytes exceeds the {max_frame}-byte limit"
        )
    return HEADER.pack(MAGIC, VERSION, 0, len(payload)) + payload


def split_writes(data: bytes, max_write: int | None) -> list[bytes]:
    """Cut ``data`` into chunks a pipe with a per-write cap accepts."""
    if not max_write or len(data) <= max_write:
        return [data]
    return [data[i : i + max_write] for i in range(0, len(data), max_write)]


class FrameDecoder:
    """Reassembles frames from arbitrary chunks of bytes."""

    def __init__(self, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        self.max_frame = max_frame
        self._buffer = bytearray()
        self._error: RemoteProtocolError | None = None

    @property
    def buffered(self) -> int:
        """Bytes held waiting for the rest of a frame."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes from the pipe; return every payload now complete, in order."""
        if self._error is not None:
            raise self._error
        self._buffer += data
        payloads = []
        while (payload := self._next_payload()) is not None:
            payloads.append(payload)
        return payloads

    def close(self) -> None:
        """The pipe ended: fine between frames, an error inside one."""
        if self._error is None and self._buffer:
            self._fail(TruncatedFrame(len(self._buffer), self._needed()))
        if self._error is not None:
            raise self._error

    def _next_payload(self) -> bytes | None:
        if len(self._buffer) < HEADER_SIZE:
            self._check_partial_header()
            return None
        magic, version, _flags, length = HEADER.unpack_from(self._buffer)
        if magic != MAGIC or version != VERSION:
            self._fail(BadFrameHeader(bytes(self._buffer[:HEADER_SIZE])))
        if length > self.max_frame:
            self._fail(FrameTooLarge(length, self.max_frame))
        end = HEADER_SIZE + length
        if len(self._buffer) < end:
            return None
        payload = bytes(self._buffer[HEADER_SIZE:end])
        del self._buffer[:end]
        return payload

    def _check_partial_header(self) -> None:
        # Refuse garbage as soon as its first bytes show it, not when 8 have arrived.
        prefix = bytes(self._buffer[:3])
        if prefix and not (MAGIC + bytes([VERSION])).startswith(prefix):
            self._fail(BadFrameHeader(prefix))

    def _needed(self) -> int:
        if len(self._buffer) < HEADER_SIZE:
            return HEADER_SIZE
        return HEADER_SIZE + int(HEADER.unpack_from(self._buffer)[3])

    def _fail(self, error: RemoteProtocolError) -> None:
        self._error = error
        self._buffer.clear()
        raise error
