"""Command round trip over each channel transport, against a raw socket baseline.

The app sends a command, the adapter's session core answers it (the handler
answers at once, so only the channel is measured). In the same run, the raw
baseline echoes the same number of bytes over a plain socket pair with no framing
or protobuf. The adapter side runs in a child process, as it does in the product.

    python bench/channel_rtt.py [--rounds N] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app_layer.link import AdapterLink
from bench.stats import percentile
from protocol import pb
from protocol.channel import MessageChannel
from protocol.framed import FramedChannel
from protocol.impairment import ImpairmentProfile
from protocol.transports.grpc_transport import GrpcServer, TlsFiles, connect_grpc
from protocol.transports.loopback import LoopbackLink
from protocol.transports.stream import connect_unix, serve_unix
from vdi_adapter.event_sink import EventSink
from vdi_adapter.service import AdapterService

TOKEN = "bench-token"
COMMAND = pb.Command(hold=pb.Hold(call_id="call-0001"))


class InstantHandler:
    """Answers every command at once: the benchmark measures the channel only."""

    def submit(self, command: pb.Command) -> concurrent.futures.Future[pb.Result]:
        future: concurrent.futures.Future[pb.Result] = concurrent.futures.Future()
        future.set_result(pb.Result(ok=pb.Ok()))
        return future

    def snapshot(self) -> pb.Snapshot:
        return pb.Snapshot()


# ------------------------------------------------------------------ adapter side
async def _adapter_main(
    sock_path: str, raw_fd: int, pki_dir: str, ready: multiprocessing.Queue
) -> None:  # type: ignore[type-arg]
    sink = EventSink()
    service = AdapterService(InstantHandler(), sink)

    async def on_channel(channel: MessageChannel) -> None:
        await service.serve_channel(channel)

    await serve_unix(sock_path, on_channel)
    pki = Path(pki_dir)
    grpc_server = GrpcServer(on_channel, TOKEN, TlsFiles(pki / "server.pem", pki / "server.key"))
    port = await grpc_server.start("127.0.0.1", 0)
    reader, writer = await asyncio.open_connection(sock=socket.socket(fileno=raw_fd))
    ready.put(port)
    while data := await reader.read(65536):  # the raw baseline: echo bytes back
        writer.write(data)
        await writer.drain()


def _adapter_process(
    sock_path: str, raw_fd: int, pki_dir: str, ready: multiprocessing.Queue
) -> None:  # type: ignore[type-arg]
    asyncio.run(_adapter_main(sock_path, raw_fd, pki_dir, ready))


# ---------------------------------------------------------------------- app side
async def time_link(link: AdapterLink, rounds: int) -> list[float]:
    runner = asyncio.create_task(link.run())
    while link.status.state != "connected":
        await asyncio.sleep(0.01)
    samples = []
    for i in range(rounds + rounds // 10):
        command = pb.Command()
        command.CopyFrom(COMMAND)
        start = time.perf_counter()
        result = await link.command(command)
        elapsed = time.perf_counter() - start
        assert result.WhichOneof("outcome") == "ok", result
        if i >= rounds // 10:  # warm-up rounds are not counted
            samples.append(elapsed * 1000)
    await link.close()
    runner.cancel()
    return samples


async def time_raw(sock: socket.socket, rounds: int) -> list[float]:
    reader, writer = await asyncio.open_connection(sock=sock)
    payload = pb.Envelope(command=COMMAND).SerializeToString() + b"\0" * 8  # same size as a frame
    samples = []
    for i in range(rounds + rounds // 10):
        start = time.perf_counter()
        writer.write(payload)
        await writer.drain()
        got = 0
        while got < len(payload):
            got += len(await reader.read(65536))
        if i >= rounds // 10:
            samples.append((time.perf_counter() - start) * 1000)
    writer.close()
    return samples


async def time_loopback(rounds: int) -> list[float]:
    link = LoopbackLink(ImpairmentProfile("ideal"))
    sink = EventSink()
    service = AdapterService(InstantHandler(), sink)

    sessions: set[asyncio.Task[object]] = set()

    async def accept() -> None:
        while True:
            pipe = await link.accept()
            task = asyncio.create_task(service.serve_channel(FramedChannel(pipe)))
            sessions.add(task)
            task.add_done_callback(sessions.discard)

    acceptor = asyncio.create_task(accept())

    async def connect() -> MessageChannel:
        return FramedChannel(await link.connect())

    samples = await time_link(AdapterLink(connect, transport="loopback"), rounds)
    acceptor.cancel()
    return samples


def make_pki(directory: Path) -> None:
    from tests.support.certs import make_pki as make

    make(directory)


async def run(rounds: int) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix="channel-bench-"))
    make_pki(tmp)
    sock_path = str(tmp / "adapter.sock")
    app_raw, adapter_raw = socket.socketpair()
    ready: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    child = multiprocessing.get_context("fork").Process(
        target=_adapter_process,
        args=(sock_path, adapter_raw.fileno(), str(tmp), ready),
        daemon=True,
    )
    child.start()
    adapter_raw.close()
    try:
        port = ready.get(timeout=20)
        results = {
            "raw": await time_raw(app_raw, rounds),
            "loopback": await time_loopback(rounds),
            "stream": await time_link(
                AdapterLink(lambda: connect_unix(sock_path), transport="unix"), rounds
            ),
            "grpc": await time_link(
                AdapterLink(
                    lambda: connect_grpc(f"127.0.0.1:{port}", TOKEN, TlsFiles(ca=tmp / "ca.pem")),
                    transport="grpc+tls",
                ),
                rounds,
            ),
        }
    finally:
        os.kill(child.pid, 9) if child.pid else None
        child.join(5)
    figures: dict[str, float] = {}
    for name, samples in results.items():
        figures[f"{name}_rtt_p50_ms"] = round(statistics.median(samples), 4)
        figures[f"{name}_rtt_p99_ms"] = round(percentile(samples, 99), 4)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--json", action="store_true", help="print one flat JSON object")
    args = parser.parse_args()
    figures = asyncio.run(run(args.rounds))
    if args.json:
        print(json.dumps(figures))
        return
    raw = figures["raw_rtt_p50_ms"]
    print(f"command round trip, {args.rounds} rounds each (ms)")
    print(f"{'transport':<10} {'median':>8} {'p99':>8} {'x raw':>7} {'+raw ms':>8}")
    for name in ("raw", "loopback", "stream", "grpc"):
        p50, p99 = figures[f"{name}_rtt_p50_ms"], figures[f"{name}_rtt_p99_ms"]
        print(f"{name:<10} {p50:>8.3f} {p99:>8.3f} {p50 / raw:>7.2f} {p50 - raw:>8.3f}")


if __name__ == "__main__":
    main()
