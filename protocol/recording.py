"""A channel that keeps a timestamped log of every envelope, for bug reports.

``softphone-sim --record`` wraps the simulated channel with it: the log shows what
crossed the channel, in which direction and when, next to the SIP trace.
"""

from __future__ import annotations

import json
import time
from typing import IO

from google.protobuf import json_format

from protocol import pb
from protocol.channel import MessageChannel

#: Fields never written to a log: they hold secrets.
_SECRET_KEYS = ("password",)


def redact(value: object) -> object:
    if isinstance(value, dict):
        return {k: "***" if k in _SECRET_KEYS and v else redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


class RecordingChannel:
    """Passes envelopes through and writes one JSON line per envelope."""

    def __init__(self, inner: MessageChannel, log: IO[str], side: str) -> None:
        self.inner = inner
        self.kind = inner.kind
        self._log = log
        self._side = side

    def _write(self, direction: str, envelope: pb.Envelope) -> None:
        body = redact(json_format.MessageToDict(envelope, preserving_proto_field_name=True))
        entry = {"t": round(time.time(), 6), "side": self._side, "dir": direction, "envelope": body}
        self._log.write(json.dumps(entry) + "\n")
        self._log.flush()

    async def send(self, envelope: pb.Envelope) -> None:
        self._write("out", envelope)
        await self.inner.send(envelope)

    def send_nowait(self, envelope: pb.Envelope) -> None:
        self._write("out", envelope)
        self.inner.send_nowait(envelope)  # type: ignore[attr-defined]

    async def receive(self) -> pb.Envelope:
        envelope = await self.inner.receive()
        self._write("in", envelope)
        return envelope

    async def close(self) -> None:
        await self.inner.close()

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)
