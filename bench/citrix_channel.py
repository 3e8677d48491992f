"""The Citrix virtual channel in QA's ICA engine emulator: our driver against the raw bytes.

Part 1, the channel: the emulated VDA's WFAPI (what ``protocol/vchannel/citrix.py``
loads in the session) writes 64 bytes, an echo listener on the adapter's Unix socket
returns them. Two engines in the same run move the same bytes: one through our SOFTPH
driver (Load, DriverOpen, DriverPoll, ICADataArrival, QueueVirtualWrite), one with no
driver at all (``--raw``, the engine relays the socket itself). Rounds alternate
between the two so both see the same machine.

Part 2, the product: ``softphone --headless --transport auto`` in the emulated session,
the driver starting the real adapter (pjsua2), sipp as the far end. Measured: connector
``POST /v1/calls`` to the INVITE at sipp, and session reconnect (driver loaded afresh)
to the app showing the call that survived on the adapter.

    python bench/citrix_channel.py [--rounds N] [--calls N] [--reconnects N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stats import percentile
from protocol.vchannel.capi import NativeChannel
from protocol.vchannel.citrix import load_library_file
from simulator.ica_engine import WFAPI, IcaEngine
from simulator.ica_engine.adapter_standin import EchoAdapter
from simulator.ica_engine.stack import CitrixStack, citrix_stack
from simulator.processes import wait_until
from simulator.sipp import SippUas, invite_times

MESSAGE = os.urandom(64)
BLOCK = 100  # round trips per turn before switching engines


def open_session(engine: IcaEngine) -> NativeChannel:
    os.environ["SOFTPHONE_ICA_ENGINE"] = f"127.0.0.1:{engine.port}"
    return load_library_file(str(WFAPI)).open("SOFTPH")


def round_trip_ms(channel: NativeChannel) -> float:
    started = time.perf_counter_ns()
    channel.write(MESSAGE)
    got = b""
    while len(got) < len(MESSAGE):
        got += channel.read(1000) or b""
    elapsed = (time.perf_counter_ns() - started) / 1e6
    if got != MESSAGE:
        raise RuntimeError("the echo came back changed")
    return elapsed


def measure_channel(rounds: int) -> dict[str, list[float]]:
    folder = Path(tempfile.mkdtemp(prefix="citrix-bench-"))
    folder.chmod(0o700)
    (folder / "softphone").mkdir(mode=0o700)
    sock = folder / "softphone" / "adapter.sock"
    echo = EchoAdapter(sock)
    env = {"SOFTPHONE_ADAPTER_SOCKET": str(sock), "SOFTPHONE_DRIVER_LOG": str(folder / "log")}
    driver = IcaEngine(env=env).start()
    raw = IcaEngine(raw_socket=sock).start()
    try:
        channels = {"driver": open_session(driver), "raw": open_session(raw)}
        for channel in channels.values():  # warm up: connections made, caches hot
            for _ in range(50):
                round_trip_ms(channel)
        times: dict[str, list[float]] = {"driver": [], "raw": []}
        while len(times["driver"]) < rounds:
            for name, channel in channels.items():
                times[name] += [round_trip_ms(channel) for _ in range(BLOCK)]
        for channel in channels.values():
            channel.close()
        return times
    finally:
        driver.stop()
        raw.stop()
        echo.stop()
        shutil.rmtree(folder, ignore_errors=True)


def measure_product(calls: int, reconnects: int) -> dict[str, list[float]]:
    sipp_dir = Path(tempfile.mkdtemp(prefix="citrix-bench-sipp-"))
    sipp = SippUas(sipp_dir, calls=calls + 1)
    try:
        with citrix_stack() as stack:
            to_invite = [time_to_invite(stack, sipp, i) for i in range(calls)]
            call_id = stack.dial(sipp.uri)
            wait_until(lambda: stack.connected(call_id), 10, sipp.tail)
            resync = [time_to_resync(stack, call_id) for _ in range(reconnects)]
            stack.act(call_id, "hangup")
            return {"to_invite": to_invite, "resync": resync}
    finally:
        sipp.stop()
        shutil.rmtree(sipp_dir, ignore_errors=True)


def time_to_invite(stack: CitrixStack, sipp: SippUas, index: int) -> float:
    """ms from POST /v1/calls to the INVITE at sipp (same clock, sipp's trace stamps)."""
    posted = time.time()
    call_id = stack.dial(sipp.uri)
    seen = wait_until(lambda: len(t := invite_times(sipp.trace)) > index and t, 10, sipp.tail)
    wait_until(lambda: stack.connected(call_id), 10, sipp.tail)
    stack.act(call_id, "hangup")
    wait_until(lambda: stack.call(call_id).get("state", "ended") == "ended", 10, stack.why)
    return float((seen[index] - posted) * 1000)


def time_to_resync(stack: CitrixStack, call_id: str) -> float:
    """s from the session reconnecting (fresh driver load) to the app showing the call."""
    stack.engine.cut()
    wait_until(lambda: stack.link()["state"] != "connected", 10, stack.why)
    started = time.monotonic()
    stack.engine.reconnect()
    wait_until(
        lambda: stack.link()["state"] == "connected" and stack.connected(call_id), 30, stack.why
    )
    return time.monotonic() - started


def flat(channel: dict[str, list[float]], product: dict[str, list[float]]) -> dict[str, float]:
    return {
        "citrix_rtt_p50_ms": round(statistics.median(channel["driver"]), 4),
        "citrix_rtt_p99_ms": round(percentile(channel["driver"], 99), 4),
        "citrix_raw_rtt_p50_ms": round(statistics.median(channel["raw"]), 4),
        "citrix_connector_to_invite_p50_ms": round(statistics.median(product["to_invite"]), 2),
        "citrix_reconnect_to_resync_s": round(statistics.median(product["resync"]), 3),
    }


def table(channel: dict[str, list[float]], product: dict[str, list[float]]) -> None:
    print("Citrix virtual channel, ICA engine emulator with the SOFTPH driver, on loopback")
    print(f"{'measure':<48} {'median':>9} {'p99':>9} {'n':>5}")
    rows: list[tuple[str, Any]] = [
        ("raw round trip, 64 B, no driver (ms)", channel["raw"]),
        ("round trip, 64 B, through our driver (ms)", channel["driver"]),
        ("connector POST /v1/calls to INVITE (ms)", product["to_invite"]),
        ("session reconnect to surviving call shown (s)", product["resync"]),
    ]
    for name, values in rows:
        median, p99 = statistics.median(values), percentile(values, 99)
        print(f"{name:<48} {median:>9.3f} {p99:>9.3f} {len(values):>5}")
    extra = statistics.median(channel["driver"]) - statistics.median(channel["raw"])
    print(f"our driver adds {extra:.3f} ms to the raw median (target: at most 0.3 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000, help="round trips per path")
    parser.add_argument("--calls", type=int, default=20, help="calls for POST-to-INVITE")
    parser.add_argument("--reconnects", type=int, default=5, help="reconnects with a live call")
    parser.add_argument("--json", action="store_true", help="print one flat JSON object")
    args = parser.parse_args()
    channel = measure_channel(args.rounds)
    product = measure_product(args.calls, args.reconnects)
    if args.json:
        print(json.dumps(flat(channel, product)))
    else:
        table(channel, product)


if __name__ == "__main__":
    main()
