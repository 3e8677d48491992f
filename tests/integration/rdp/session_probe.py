"""Runs inside the xrdp session (as its alternate shell) and works the WTS channel.

The test drives it over a Unix socket with one JSON object per line and gets one
JSON reply per line. It uses the product's own ``protocol.vchannel.wts`` backend,
so what the tests see is what the app layer would see in a real session.
Ops: open, write, read_exact, close, rtt, reopen, write_until_closed, framed_rtt, and
link_start, link_wait, link_status, link_rtt, link_abandon, link_stop (the app's
``AdapterLink``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from app_layer.link import AdapterLink, Backoff
from protocol import pb
from protocol.bytepipe import BytePipe
from protocol.errors import ChannelClosed, ChannelError
from protocol.framed import FramedChannel
from protocol.vchannel.wts import open_wts_channel


class Probe:
    """The session side of the tests: one channel at a time."""

    def __init__(self) -> None:
        self.pipe: BytePipe | None = None
        self.pending = b""
        self.link: AdapterLink | None = None
        self.link_task: asyncio.Task[None] | None = None

    async def op_link_start(
        self, heartbeat: float = 0.5, peer_timeout: float = 1.5
    ) -> dict[str, Any]:
        """Run the app's ``AdapterLink`` over the RDP channel (as ``softphone`` does)."""

        async def connect() -> FramedChannel:
            return FramedChannel(await open_wts_channel())

        self.link = AdapterLink(
            connect,
            transport="rdp",
            heartbeat_interval=heartbeat,
            peer_timeout=peer_timeout,
            backoff=Backoff(first=0.1, ceiling=1.0),
        )
        self.link_task = asyncio.ensure_future(self.link.run())
        return {"ok": True}

    async def op_link_wait(self, connects: int = 1, timeout: float = 20.0) -> dict[str, Any]:
        """Wait until the link is connected and resynced for the ``connects``-th time."""
        assert self.link is not None, "link_start first"
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            link = self.link
            if (
                link.status.state == "connected"
                and link.connects >= connects
                and link.snapshots >= connects
            ):
                return {"ok": True, "seconds": time.monotonic() - start, **self._link_status()}
            await asyncio.sleep(0.005)
        return {"error": "Timeout", "message": "link not resynced", **self._link_status()}

    async def op_link_status(self) -> dict[str, Any]:
        return self._link_status()

    async def op_link_rtt(self, count: int = 200, command: str = "hold") -> dict[str, Any]:
        """Command round trips through the whole session stack (result from the adapter)."""
        assert self.link is not None, "link_start first"
        rtts = []
        for _ in range(count):
            start = time.perf_counter()
            result = await self.link.command(_command(command))
            if result.WhichOneof("outcome") != "ok":
                return {"error": "CommandFailed", "message": str(result)}
            rtts.append((time.perf_counter() - start) * 1000)
        return {"rtts_ms": rtts}

    async def op_link_abandon(self) -> dict[str, Any]:
        """The app dies: its task stops and its channel handle closes, no Goodbye."""
        assert self.link_task is not None, "link_start first"
        self.link_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.link_task
        self.link = None
        return {"ok": True}

    async def op_link_stop(self) -> dict[str, Any]:
        if self.link is not None:
            await self.link.close()
        self.link = None
        return {"ok": True}

    def _link_status(self) -> dict[str, Any]:
        assert self.link is not None
        status = self.link.status
        return {
            "state": status.state,
            "transport": status.transport,
            "detail": status.detail,
            "connects": self.link.connects,
            "snapshots": self.link.snapshots,
        }

    async def op_open(self, name: str = "rdp2tcp") -> dict[str, Any]:
        await self.op_close()
        self.pipe = await open_wts_channel(name)
        return {"ok": True, "max_write": self.pipe.max_write, "kind": self.pipe.kind}

    async def op_write(self, data: str) -> dict[str, Any]:
        assert self.pipe is not None, "open first"
        payload = bytes.fromhex(data)
        step = self.pipe.max_write or len(payload)
        for start in range(0, len(payload), step):
            await self.pipe.write(payload[start : start + step])
        return {"ok": True}

    async def op_read_exact(self, size: int, timeout: float = 5.0) -> dict[str, Any]:
        try:
            data = await asyncio.wait_for(self._read_exact(size), timeout)
        except TimeoutError:
            got, self.pending = self.pending, b""
            return {"timeout": True, "data": got.hex()}
        return {"data": data.hex(), "eof": len(data) < size}

    async def op_close(self) -> dict[str, Any]:
        if self.pipe is not None:
            await self.pipe.close()
        self.pipe, self.pending = None, b""
        return {"ok": True}

    async def op_rtt(self, size: int = 64, count: int = 200) -> dict[str, Any]:
        message = bytes(range(256)) * (size // 256) + bytes(size % 256)
        rtts = []
        for _ in range(count):
            start = time.perf_counter()
            await self.op_write(message.hex())
            if await self._read_exact(size) != message:
                return {"error": "EchoMismatch", "message": "echo differs"}
            rtts.append((time.perf_counter() - start) * 1000)
        return {"rtts_ms": rtts}

    async def op_reopen(self, timeout: float = 15.0) -> dict[str, Any]:
        """Open until a round trip works (an open with no client connected dies at use)."""
        start, attempts = time.monotonic(), 0
        while time.monotonic() - start < timeout:
            attempts += 1
            if await self._try_round_trip():
                return {"ok": True, "attempts": attempts, "seconds": time.monotonic() - start}
            await self.op_close()
            await asyncio.sleep(0.1)
        return {"error": "Timeout", "message": f"no working channel after {attempts} opens"}

    async def op_write_until_closed(self, timeout: float = 5.0) -> dict[str, Any]:
        """Write a byte every 100 ms (a heartbeat's job) until the channel says it is closed."""
        assert self.pipe is not None, "open first"
        start, writes = time.monotonic(), 0
        while time.monotonic() - start < timeout:
            writes += 1
            try:
                await self.pipe.write(b"\0")
            except ChannelClosed:
                return {"closed": True, "writes": writes, "seconds": time.monotonic() - start}
            await asyncio.sleep(0.1)
        return {"closed": False, "writes": writes}

    async def op_framed_rtt(self, count: int = 200, size: int = 64) -> dict[str, Any]:
        """Envelopes through the product framing, echoed by a framed peer."""
        assert self.pipe is not None, "open first"
        channel = FramedChannel(self.pipe)
        rtts = []
        for i in range(count):
            sent = pb.Envelope(command=pb.Command(request_id=f"{i:08d}" + "x" * size))
            start = time.perf_counter()
            await channel.send(sent)
            if (await channel.receive()).SerializeToString() != sent.SerializeToString():
                return {"error": "EchoMismatch", "message": "envelope differs"}
            rtts.append((time.perf_counter() - start) * 1000)
        return {"rtts_ms": rtts}

    async def _try_round_trip(self) -> bool:
        try:
            await self.op_open()
            await self.op_write(b"hello?".hex())
            return await asyncio.wait_for(self._read_exact(6), 1.0) == b"hello?"
        except (ChannelError, TimeoutError):
            return False

    async def _read_exact(self, size: int) -> bytes:
        assert self.pipe is not None, "open first"
        while len(self.pending) < size:
            data = await self.pipe.read()
            if not data:
                break
            self.pending += data
        data, self.pending = self.pending[:size], self.pending[size:]
        return data


def _command(name: str) -> pb.Command:
    if name == "snapshot":
        return pb.Command(get_snapshot=pb.GetSnapshot())
    return pb.Command(hold=pb.Hold(call_id="call-0001"))


async def serve(path: Path) -> None:
    probe = Probe()
    done = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while line := await reader.readline():
            request = json.loads(line)
            op = request.pop("op")
            reply = await run(probe, op, request)
            writer.write(json.dumps(reply).encode() + b"\n")
            await writer.drain()
            if op == "exit":
                done.set()
        writer.close()

    server = await asyncio.start_unix_server(handle, str(path), limit=64 * 1024 * 1024)
    os.chmod(path, 0o600)
    print(f"probe ready on {path}, DISPLAY={os.environ.get('DISPLAY')}", flush=True)
    async with server:
        await done.wait()


async def run(probe: Probe, op: str, args: dict[str, Any]) -> dict[str, Any]:
    if op == "exit":
        return {"ok": True}
    try:
        result: dict[str, Any] = await getattr(probe, f"op_{op}")(**args)
        return result
    except Exception as error:  # the test wants every failure by name
        return {"error": type(error).__name__, "message": str(error)}


if __name__ == "__main__":
    asyncio.run(serve(Path(sys.argv[1])))
