"""App layer benchmark: connector-to-command latency and the footprint of one agent session.

    .venv/bin/python bench/app_footprint.py [--json] [--requests N] [--idle-seconds S]

1. ``POST /v1/calls`` on the connector until the Dial command is written to the
   adapter channel (a Unix socket to an adapter service), measured per request
   in one process: the HTTP client runs on a thread, the time the envelope
   leaves is taken where the channel's ``send`` is called.
2. ``softphone --headless`` and the window (offscreen Qt) as real processes,
   each connected to a real adapter (``softphone-adapter --audio null``): resident
   memory and CPU while idle (heartbeats only), and then during a call to sipp.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app_layer.connector import Connector  # noqa: E402
from app_layer.link import AdapterLink  # noqa: E402
from app_layer.phone import Phone  # noqa: E402
from app_layer.settings import ConnectorSettings, Settings  # noqa: E402
from bench.stats import percentile, process_cpu_s  # noqa: E402
from protocol import pb  # noqa: E402
from protocol.transports.stream import connect_unix, serve_unix  # noqa: E402
from vdi_adapter.event_sink import EventSink  # noqa: E402
from vdi_adapter.service import AdapterService  # noqa: E402

# -- 1. connector to command --------------------------------------------------------------


class _Answerer:
    """Adapter-side handler that answers every command at once (no SIP involved)."""

    def __init__(self, sink: EventSink) -> None:
        self.sink = sink
        self.count = 0

    def submit(self, command: pb.Command) -> Any:
        import concurrent.futures

        future: concurrent.futures.Future[pb.Result] = concurrent.futures.Future()
        self.count += 1
        ok = pb.Ok()
        if command.WhichOneof("action") == "dial":
            ok.dial.call_id = f"c{self.count}"
        future.set_result(pb.Result(request_id=command.request_id, ok=ok))
        return future

    def snapshot(self) -> pb.Snapshot:
        return pb.Snapshot(sequence=self.sink.last_sequence)


class _Stamped:
    """A channel that notes when each Dial leaves the app."""

    def __init__(self, inner: Any, stamps: list[float]) -> None:
        self._inner = inner
        self._stamps = stamps
        self.kind = inner.kind

    async def send(self, envelope: pb.Envelope) -> None:
        if envelope.WhichOneof("body") == "command" and envelope.command.HasField("dial"):
            self._stamps.append(time.perf_counter())
        await self._inner.send(envelope)

    def send_nowait(self, envelope: pb.Envelope) -> None:
        if envelope.WhichOneof("body") == "command" and envelope.command.HasField("dial"):
            self._stamps.append(time.perf_counter())
        self._inner.send_nowait(envelope)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


async def _latency_rig(tmp: Path, requests: int) -> list[float]:
    sink = EventSink()
    service = AdapterService(_Answerer(sink), sink)  # type: ignore[arg-type]
    sock = tmp / "bench.sock"
    server = await serve_unix(sock, service.serve_channel)  # type: ignore[arg-type]
    stamps: list[float] = []

    async def connect() -> Any:
        channel = await connect_unix(sock)
        return _Stamped(channel, stamps) if hasattr(channel, "send") else channel

    link = AdapterLink(connect, transport="unix")
    phone = Phone(link, Settings())
    connector = Connector(phone, ConnectorSettings(port=0), tmp / "token")
    port = await connector.start()
    running = asyncio.create_task(link.run())
    while not phone.state.synced:
        await asyncio.sleep(0.01)
    starts: list[float] = []
    worker = threading.Thread(target=_post_calls, args=(port, connector.token, requests, starts))
    worker.start()
    while worker.is_alive():
        await asyncio.sleep(0.05)
    await connector.close()
    await link.close()
    running.cancel()
    await service.close()
    server.close()
    return [(end - start) * 1000 for start, end in zip(starts, stamps, strict=True)]


def _post_calls(port: int, token: str, requests: int, starts: list[float]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps({"to": "sip:7002@127.0.0.1"})
    for _ in range(requests):
        starts.append(time.perf_counter())
        conn.request("POST", "/v1/calls", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 201, response.status
    conn.close()


# -- 2. footprint of real processes ------------------------------------------------------


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _measure(pid: int, seconds: float) -> tuple[float, float]:
    """(peak RSS in MB, CPU in % of one core) over ``seconds``."""
    cpu0, t0 = process_cpu_s(pid), time.monotonic()
    peak = 0.0
    while time.monotonic() - t0 < seconds:
        peak = max(peak, _rss_mb(pid))
        time.sleep(0.5)
    cpu = (process_cpu_s(pid) - cpu0) / (time.monotonic() - t0) * 100
    return max(peak, _rss_mb(pid)), cpu


def _start(args: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _app_footprint(tmp: Path, sock: Path, window: bool, idle_s: float) -> dict[str, float]:
    args = [sys.executable, "-m", "app_layer.cli", "--transport", f"unix:{sock}"]
    args += ["--connector-port", "0", "--token-file", str(tmp / "token")]
    args += [] if window else ["--headless"]
    env = {"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp / "cfg")}
    name = "window" if window else "headless"
    proc = _start(args, tmp / f"{name}.log", env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if "listening" not in line:
            raise RuntimeError(f"{name} did not start: {(tmp / f'{name}.log').read_text()[-800:]}")
        port = int(line.strip().rsplit(":", 1)[1])
        time.sleep(3.0)  # let start-up work (imports, snapshot, first paint) settle
        rss, cpu = _measure(proc.pid, idle_s)
        call_rss, call_cpu = _in_call(tmp, port, proc.pid, idle_s)
    finally:
        _stop(proc)
    return {"rss": rss, "cpu": cpu, "call_rss": call_rss, "call_cpu": call_cpu}


def _in_call(tmp: Path, port: int, pid: int, seconds: float) -> tuple[float, float]:
    sip_port = _free_udp_port()
    sipp = _start(
        ["sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", str(sip_port), "-m", "1", "-nostdin"],
        tmp / "sipp.log",
    )
    try:
        token = (tmp / "token").read_text().strip()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Authorization": f"Bearer {token}"}
        body = json.dumps({"to": f"sip:bench@127.0.0.1:{sip_port}"})
        conn.request("POST", "/v1/calls", body=body, headers=headers)
        call_id = json.loads(conn.getresponse().read())["call_id"]
        _wait_connected(conn, headers, call_id)
        result = _measure(pid, seconds)
        conn.request("POST", f"/v1/calls/{call_id}/hangup", headers=headers)
        conn.getresponse().read()
        conn.close()
        return result
    finally:
        _stop(sipp)


def _wait_connected(
    conn: http.client.HTTPConnection, headers: dict[str, str], call_id: str
) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        conn.request("GET", "/v1/session", headers=headers)
        calls = json.loads(conn.getresponse().read())["calls"]
        if any(c["id"] == call_id and c["state"] == "connected" for c in calls):
            return
        time.sleep(0.1)
    raise RuntimeError("the benchmark call to sipp never connected")


def footprint(idle_s: float) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        sock = tmp / "adapter.sock"
        adapter = _start(
            [sys.executable, "-m", "vdi_adapter.cli", "--unix", str(sock), "--audio", "null"],
            tmp / "adapter.log",
        )
        try:
            deadline = time.monotonic() + 20
            while not sock.exists():
                if time.monotonic() > deadline:
                    raise RuntimeError("the adapter did not start")
                time.sleep(0.1)
            return {
                "headless": _app_footprint(tmp, sock, window=False, idle_s=idle_s),
                "window": _app_footprint(tmp, sock, window=True, idle_s=idle_s),
            }
        finally:
            _stop(adapter)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one flat JSON object")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--idle-seconds", type=float, default=20.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        latencies = asyncio.run(_latency_rig(Path(tmp), args.requests))
    feet = footprint(args.idle_seconds)
    result = {
        "connector_to_command_p50_ms": round(statistics.median(latencies), 3),
        "connector_to_command_p99_ms": round(percentile(latencies, 99), 3),
        "headless_rss_mb": round(feet["headless"]["rss"], 1),
        "window_rss_mb": round(feet["window"]["rss"], 1),
        "headless_idle_cpu_pct": round(feet["headless"]["cpu"], 2),
        "window_idle_cpu_pct": round(feet["window"]["cpu"], 2),
    }
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"connector POST /v1/calls -> Dial on the channel ({len(latencies)} requests)")
    print(f"  median {result['connector_to_command_p50_ms']:.3f} ms")
    print(f"  p99    {result['connector_to_command_p99_ms']:.3f} ms")
    columns = ("idle RSS MB", "idle CPU %", "call RSS MB", "call CPU %")
    print("\n" + f"{'process':<10}" + "".join(f"{c:>13}" for c in columns))
    for name, f in feet.items():
        values = (f["rss"], f["cpu"], f["call_rss"], f["call_cpu"])
        print(f"{name:<10}" + "".join(f"{v:>13.2f}" for v in values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
