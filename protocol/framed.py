"""A ``MessageChannel`` over any ``BytePipe``: framing plus protobuf, nothing else."""

from __future__ import annotations

from collections import deque

from google.protobuf.message import DecodeError

from protocol import pb
from protocol.bytepipe import BytePipe
from protocol.errors import ChannelClosed, MalformedMessage
from protocol.framing import DEFAULT_MAX_FRAME, FrameDecoder, encode_frame, split_writes


class FramedChannel:
    """Envelopes in and out of a byte pipe (loopback, socket, stdio, RDP, Citrix)."""

    def __init__(self, pipe: BytePipe, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        self.pipe = pipe
        self.kind = pipe.kind
        self._max_frame = max_frame
        self._decoder = FrameDecoder(max_frame)
        self._ready: deque[bytes] = deque()
        self._closed = False

    async def send(self, envelope: pb.Envelope) -> None:
        if self._closed:
            raise ChannelClosed("channel is closed")
        frame = encode_frame(envelope.SerializeToString(), self._max_frame)
        for chunk in split_writes(frame, self.pipe.max_write):
            await self.pipe.write(chunk)

    @property
    def can_send_nowait(self) -> bool:
        """Whether ``send_nowait`` works: only over pipes that can write without waiting."""
        return hasattr(self.pipe, "write_nowait")

    def send_nowait(self, envelope: pb.Envelope) -> None:
        """Write without waiting, for pipes that can (``write_nowait``); else raise."""
        write_nowait = getattr(self.pipe, "write_nowait", None)
        if self._closed or write_nowait is None:
            raise ChannelClosed("channel is closed" if self._closed else "pipe cannot write now")
        frame = encode_frame(envelope.SerializeToString(), self._max_frame)
        for chunk in split_writes(frame, self.pipe.max_write):
            write_nowait(chunk)

    async def drain(self) -> None:
        """Wait until the pipe has room again (flow control for ``send_nowait``)."""
        drain = getattr(self.pipe, "drain", None)
        if drain is not None:
            await drain()

    async def receive(self) -> pb.Envelope:
        while not self._ready:
            if self._closed:
                raise ChannelClosed("channel is closed")
            data = await self.pipe.read()
            if not data:
                self._closed = True
                self._decoder.close()  # raises TruncatedFrame if a frame was cut short
                raise ChannelClosed("peer closed the channel")
            self._ready.extend(self._decoder.feed(data))
        return _parse(self._ready.popleft())

    async def close(self) -> None:
        self._closed = True
        await self.pipe.close()


def _parse(payload: bytes) -> pb.Envelope:
    envelope = pb.Envelope()
    try:
        envelope.ParseFromString(payload)
    except DecodeError as error:
        raise MalformedMessage(
            f"frame of {len(payload)} bytes is not an envelope: {error}"
        ) from None
    if not payload:
        raise MalformedMessage("empty frame where an envelope was expected")
    # A non-empty envelope with no known body comes from a newer minor version:
    # the session core ignores it rather than dropping the channel.
    return envelope
