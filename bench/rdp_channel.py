"""The RDP virtual channel for real (xrdp + FreeRDP on loopback): raw bytes vs our stack.

Part 1, the channel: a probe inside an xrdp session opens the ``rdp2tcp`` channel
(``protocol.vchannel.wts``); FreeRDP starts ``vdi_adapter.rdp_relay`` on the
workstation side. Measured: bring-up (client start to first round trip), the raw
round trip of 64 bytes echoed at the relay's socket, then, after switching the
relay to a real ``AdapterService`` that answers at once, the command round trip
through the app's ``AdapterLink`` and the whole session stack.

Part 2, the product: ``softphone --headless`` in the session and the real adapter
(pjsua2) behind the relay, sipp as the far end. Measured: connector
``POST /v1/calls`` to the INVITE at sipp, and RDP reconnect to the app showing the
call that survived on the adapter.

    python bench/rdp_channel.py [--rounds N] [--calls N] [--reconnects N] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stats import percentile
from protocol import pb
from protocol.channel import MessageChannel
from protocol.transports.stream import serve_unix
from simulator.sipp import invite_times
from tests.integration.rdp.test_rdp_full_stack import adapter_start_script
from tests.integration.rdp.workstation import (
    PROBE,
    AdapterSocket,
    ConnectorClient,
    ProbeClient,
    SippUas,
    free_port,
    relay_command,
    wait_for_probe,
    wait_until,
)
from tests.support.rdp_harness import RdpHarness
from vdi_adapter.event_sink import EventSink
from vdi_adapter.service import AdapterService


class InstantHandler:
    """Answers every command at once: part 1 measures the channel and session stack only."""

    def submit(self, command: pb.Command) -> concurrent.futures.Future[pb.Result]:
        future: concurrent.futures.Future[pb.Result] = concurrent.futures.Future()
        future.set_result(pb.Result(ok=pb.Ok()))
        return future

    def snapshot(self) -> pb.Snapshot:
        return pb.Snapshot()


class ServiceThread:
    """An ``AdapterService`` on a Unix socket, on its own event loop thread."""

    def __init__(self, path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server: asyncio.Server | None = None
        asyncio.run_coroutine_threadsafe(self._start(path), self.loop).result(10)

    async def _start(self, path: Path) -> None:
        service = AdapterService(InstantHandler(), EventSink())

        async def on_channel(channel: MessageChannel) -> None:
            await service.serve_channel(channel)

        self.server = await serve_unix(path, on_channel)

    def stop(self) -> None:
        if self.server is not None:
            self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def checked(reply: dict[str, Any]) -> dict[str, Any]:
    if "error" in reply:
        raise RuntimeError(f"session probe: {reply['error']}: {reply.get('message')}")
    return reply


# ------------------------------------------------------------------- part 1
def measure_channel(rounds: int) -> dict[str, Any]:
    adapter = AdapterSocket("echo")
    workstation = Path(tempfile.mkdtemp(prefix="rdp-bench-"))
    service = ServiceThread(workstation / "adapter.sock")
    harness = RdpHarness([str(PROBE), "{session_dir}/probe.sock"], relay_command(adapter.path))
    probe: ProbeClient | None = None
    try:
        harness.server.start()
        started = time.monotonic()
        harness.client.connect()
        probe = wait_for_probe(harness)
        checked(probe.call("reopen", timeout=30.0))
        figures: dict[str, Any] = {"bringup_s": time.monotonic() - started}
        warmup = rounds // 10
        raw = checked(probe.call("rtt", size=64, count=rounds + warmup))["rtts_ms"][warmup:]
        figures["raw"] = raw
        probe.call("close")
        # Same channel, now to a real adapter service through the relay.
        harness.client.disconnect()
        harness.client.relay_command = relay_command(workstation / "adapter.sock")
        harness.client.connect()
        checked(probe.call("link_start"))
        checked(probe.call("link_wait", connects=1, timeout=30.0))
        stack = checked(probe.call("link_rtt", count=rounds + warmup))["rtts_ms"][warmup:]
        figures["stack"] = stack
        harness.client.disconnect()
        deadline = time.monotonic() + 10
        while probe.call("link_status")["state"] == "connected" and time.monotonic() < deadline:
            time.sleep(0.05)
        started = time.monotonic()
        harness.client.connect()
        checked(probe.call("link_wait", connects=2, timeout=30.0))
        figures["link_resync_s"] = time.monotonic() - started
        return figures
    finally:
        if probe is not None:
            with contextlib.suppress(OSError, AssertionError):
                probe.call("exit")
            probe.close()
        harness.stop()
        service.stop()
        adapter.stop()
        shutil.rmtree(workstation, ignore_errors=True)


# ------------------------------------------------------------------- part 2
@contextlib.contextmanager
def product() -> Iterator[tuple[RdpHarness, ConnectorClient]]:
    workstation = Path(tempfile.mkdtemp(prefix="rdp-bench-product-"))
    workstation.chmod(0o700)
    sock = workstation / "softphone" / "adapter.sock"
    relay = [*relay_command(sock), "--start-command", str(adapter_start_script(workstation, sock))]
    port = free_port()
    app = ["-m", "app_layer.cli", "--headless", "--transport", "rdp"]
    app += ["--connector-port", str(port), "--token-file", "{session_dir}/connector.token"]
    harness = RdpHarness(app, relay)
    client = ConnectorClient(port)
    try:
        harness.start()
        token = harness.session_dir / "connector.token"
        wait_until(token.exists, 30, harness.logs)
        client.token = token.read_text().strip()
        wait_until(lambda: client.link_state() == "connected", 30, harness.logs)
        yield harness, client
    finally:
        harness.stop()
        pid_file = workstation / "adapter.pid"
        if pid_file.exists():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid_file.read_text()), signal.SIGTERM)
            time.sleep(1.0)
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
        shutil.rmtree(workstation, ignore_errors=True)


def dial(client: ConnectorClient, uri: str) -> str:
    status, body = client.request("POST", "/v1/calls", {"to": uri})
    if status != 201:
        raise RuntimeError(f"POST /v1/calls: {status} {body}")
    return str(body["call_id"])


def connected(client: ConnectorClient, call_id: str) -> bool:
    call = client.call(call_id)
    return bool(call and call["state"] == "connected")


def hang_up(client: ConnectorClient, call_id: str) -> None:
    client.request("POST", f"/v1/calls/{call_id}/hangup")
    wait_until(lambda: (c := client.call(call_id)) is None or c["state"] == "ended", 10, str)


def measure_product(calls: int, reconnects: int) -> dict[str, Any]:
    sipp_dir = Path(tempfile.mkdtemp(prefix="rdp-bench-sipp-"))
    sipp = SippUas(sipp_dir, calls=calls + 1)
    try:
        with product() as (harness, client):
            to_invite = [time_to_invite(client, sipp, i) for i in range(calls)]
            call_id = dial(client, sipp.uri)
            wait_until(lambda: connected(client, call_id), 10, sipp.tail)
            resync = [time_to_resync(harness, client, call_id) for _ in range(reconnects)]
            hang_up(client, call_id)
            return {"to_invite": to_invite, "resync": resync}
    finally:
        sipp.stop()
        shutil.rmtree(sipp_dir, ignore_errors=True)


def time_to_invite(client: ConnectorClient, sipp: SippUas, index: int) -> float:
    """ms from POST /v1/calls to the INVITE at sipp (same clock, sipp's trace stamps)."""
    posted = time.time()
    call_id = dial(client, sipp.uri)
    seen = wait_until(lambda: len(t := invite_times(sipp.trace)) > index and t, 10, sipp.tail)
    wait_until(lambda: connected(client, call_id), 10, sipp.tail)
    hang_up(client, call_id)
    return float((seen[index] - posted) * 1000)


def time_to_resync(harness: RdpHarness, client: ConnectorClient, call_id: str) -> float:
    """s from the RDP client starting again to the app showing the surviving call."""
    harness.client.disconnect()
    wait_until(lambda: client.session()["link"]["state"] != "connected", 10, str)
    started = time.monotonic()
    harness.client.connect()
    wait_until(
        lambda: client.session()["link"]["state"] == "connected" and connected(client, call_id),
        30,
        harness.logs,
    )
    return time.monotonic() - started


# --------------------------------------------------------------------- report
def flat(channel: dict[str, Any], product_: dict[str, Any]) -> dict[str, float]:
    return {
        "rdp_raw_rtt_p50_ms": round(statistics.median(channel["raw"]), 4),
        "rdp_rtt_p50_ms": round(statistics.median(channel["stack"]), 4),
        "rdp_rtt_p99_ms": round(percentile(channel["stack"], 99), 4),
        "rdp_connector_to_invite_p50_ms": round(statistics.median(product_["to_invite"]), 2),
        "rdp_reconnect_to_resync_s": round(statistics.median(product_["resync"]), 3),
    }


def table(channel: dict[str, Any], product_: dict[str, Any]) -> None:
    print("RDP virtual channel, xrdp 0.9.21 + FreeRDP 2.11 on loopback")
    print(f"{'measure':<44} {'median':>9} {'p99':>9} {'n':>5}")
    rows = [
        ("raw round trip, 64 B (ms)", channel["raw"]),
        ("command round trip, our stack (ms)", channel["stack"]),
        ("connector POST /v1/calls to INVITE (ms)", product_["to_invite"]),
        ("RDP reconnect to surviving call shown (s)", product_["resync"]),
    ]
    for name, values in rows:
        median, p99 = statistics.median(values), percentile(values, 99)
        print(f"{name:<44} {median:>9.3f} {p99:>9.3f} {len(values):>5}")
    extra = statistics.median(channel["stack"]) - statistics.median(channel["raw"])
    print(f"our stack adds {extra:.3f} ms to the raw median")
    print(f"bring-up, client start to first round trip: {channel['bringup_s']:.2f} s")
    print(f"RDP reconnect to link resynced (no call): {channel['link_resync_s']:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1000, help="round trips per measure")
    parser.add_argument("--calls", type=int, default=20, help="calls for POST-to-INVITE")
    parser.add_argument("--reconnects", type=int, default=5, help="RDP reconnects with a live call")
    parser.add_argument("--json", action="store_true", help="print one flat JSON object")
    args = parser.parse_args()
    channel = measure_channel(args.rounds)
    product_ = measure_product(args.calls, args.reconnects)
    if args.json:
        print(json.dumps(flat(channel, product_)))
    else:
        table(channel, product_)


if __name__ == "__main__":
    main()
