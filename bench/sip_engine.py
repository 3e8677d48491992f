"""SIP engine benchmark against sipp on 127.0.0.1.

1. Dial to INVITE: time from a Dial command entering the engine to sipp receiving the
   INVITE (sipp's own receive timestamp), over sequential calls.
2. NOTIFY Event: talk to answer: sipp calls the engine, sends NOTIFY talk while it
   rings; time from sipp sending the NOTIFY to sipp receiving the INVITE's 200 OK.
3. Soak: calls back to back against sipp; resident memory and open descriptors of this
   process after a warm-up and at the end.

Prints a table (median, p99); ``--json`` prints one flat JSON object instead.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.stats import percentile  # noqa: E402
from protocol import pb  # noqa: E402
from simulator.processes import stop_group  # noqa: E402
from vdi_adapter.engine import Engine  # noqa: E402
from vdi_adapter.event_sink import EventSink  # noqa: E402

SCENARIOS = REPO / "tests" / "integration" / "sip" / "scenarios"
ENGINE_PORT = 5072
SIPP_UAS_PORT = 5097
SIPP_UAC_PORT = 5098
#: Minimum spacing of calls: pjlib frees a closed socket's ioqueue slot only after 500 ms.
CALL_SPACING_S = 0.04
_STAMP = re.compile(r"^-{20,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)$")


class CallWatcher:
    """Waits for call states published by the engine."""

    def __init__(self, sink: EventSink) -> None:
        self._states: dict[str, set[int]] = {}
        self._changed = threading.Condition()
        sink.subscribe(self._on_event)

    def _on_event(self, event: pb.Event) -> None:
        if event.HasField("call"):
            with self._changed:
                call = event.call.call
                self._states.setdefault(call.call_id, set()).add(call.state)
                self._changed.notify_all()

    def wait(self, call_id: str, state: int, timeout: float = 5.0) -> None:
        with self._changed:
            reached = self._changed.wait_for(
                lambda: state in self._states.get(call_id, set()), timeout
            )
        if not reached:
            raise RuntimeError(f"call {call_id} did not reach {pb.CallState.Name(state)}")

    def first_call(self, state: int, exclude: set[str], timeout: float = 5.0) -> str:
        def found() -> str:
            for call_id, states in self._states.items():
                if call_id not in exclude and state in states:
                    return call_id
            return ""

        with self._changed:
            self._changed.wait_for(lambda: bool(found()), timeout)
            return found()


def start_sipp(
    scenario: str, port: int, workdir: Path, *args: str
) -> tuple[subprocess.Popen[bytes], Path]:
    messages = workdir / f"{port}.log"
    command = ["sipp", "-sf", str(SCENARIOS / scenario), "-i", "127.0.0.1", "-p", str(port)]
    command += ["-nostdin", "-trace_msg", "-message_file", str(messages), *args]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    time.sleep(0.3)
    return process, messages


def stop_sipp(process: subprocess.Popen[bytes]) -> None:
    stop_group(process)


def message_times(path: Path, first_line: re.Pattern[str], direction: str) -> list[float]:
    """sipp's timestamps of logged messages whose first line matches, in order."""
    times: list[float] = []
    lines = path.read_text(errors="replace").splitlines()
    for index, line in enumerate(lines):
        stamp = _STAMP.match(line)
        if not stamp or index + 3 >= len(lines) or direction not in lines[index + 1]:
            continue
        if first_line.match(lines[index + 3]):
            times.append(datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp())
    return times


class Bench:
    def __init__(self) -> None:
        self.sink = EventSink()
        self.watcher = CallWatcher(self.sink)
        self.engine = Engine(self.sink)
        self.requests = 0

    def run(self, **action: object) -> pb.Result:
        self.requests += 1
        command = pb.Command(request_id=str(self.requests), **action)  # type: ignore[arg-type]
        return self.engine.submit(command).result(10)

    def configure(self, remote_control: bool) -> None:
        network = pb.NetworkSettings(
            public_address="127.0.0.1",
            sip_port=ENGINE_PORT,
            rtp_port_min=41000,
            rtp_port_max=41398,
        )
        policy = pb.CallPolicy(remote_control=remote_control, max_calls=8)
        configuration = pb.Configuration(network=network, policy=policy)
        self.run(configure=pb.Configure(configuration=configuration))

    def one_call(self, target: str) -> float:
        """Dial, wait until connected, hang up, wait until ended; the dial's start time."""
        started = time.time()
        result = self.run(dial=pb.Dial(to=target))
        call_id = result.ok.dial.call_id
        self.watcher.wait(call_id, pb.CALL_STATE_CONNECTED)
        self.run(hangup=pb.Hangup(call_id=call_id))
        self.watcher.wait(call_id, pb.CALL_STATE_ENDED)
        time.sleep(max(0.0, CALL_SPACING_S - (time.time() - started)))
        return started


def dial_to_invite(bench: Bench, workdir: Path, calls: int) -> list[float]:
    sipp, messages = start_sipp("uas_answer.xml", SIPP_UAS_PORT, workdir, "-m", str(calls))
    try:
        target = f"sip:service@127.0.0.1:{SIPP_UAS_PORT}"
        starts = [bench.one_call(target) for _ in range(calls)]
        sipp.wait(timeout=10)
    finally:
        stop_sipp(sipp)
    received = message_times(messages, re.compile(r"^INVITE sip:service@"), "received")
    return [(r - s) * 1000 for s, r in zip(starts, received, strict=False)]


def notify_talk_to_answer(bench: Bench, workdir: Path, calls: int) -> list[float]:
    sipp, messages = start_sipp(
        "uac_notify_talk.xml",
        SIPP_UAC_PORT,
        workdir,
        "-m",
        str(calls),
        "-r",
        "10",
        "-s",
        "agent",
        f"127.0.0.1:{ENGINE_PORT}",
    )
    try:
        sipp.wait(timeout=calls / 10 + 30)
    finally:
        stop_sipp(sipp)
    notifies = message_times(messages, re.compile(r"^NOTIFY "), "sent")
    answers = invite_oks(messages)
    return [(a - n) * 1000 for n, a in zip(notifies, answers, strict=False)]


def invite_oks(path: Path) -> list[float]:
    """Receive times of 200 OK responses to INVITE (CSeq: 1 INVITE) in a sipp log."""
    text = path.read_text(errors="replace")
    times = []
    for block in re.split(r"\n(?=-{20,} )", text):
        head = block.splitlines()
        if len(head) <= 3 or "received" not in head[1] or not head[3].startswith("SIP/2.0 200"):
            continue
        stamp = _STAMP.match(head[0])
        if stamp and re.search(r"^CSeq: *1 INVITE", block, re.MULTILINE):
            moment = datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S.%f")
            times.append(moment.timestamp())
    return times


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def soak(bench: Bench, workdir: Path, calls: int) -> tuple[float, int]:
    warmup = 20
    sipp, _ = start_sipp("uas_answer.xml", SIPP_UAS_PORT, workdir, "-m", str(calls + warmup))
    target = f"sip:service@127.0.0.1:{SIPP_UAS_PORT}"
    try:
        for _ in range(warmup):
            bench.one_call(target)
        time.sleep(1)
        rss, fds = resident_mb(), open_fds()
        for _ in range(calls):
            bench.one_call(target)
        time.sleep(1)
        return resident_mb() - rss, open_fds() - fds
    finally:
        stop_sipp(sipp)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--calls", type=int, default=200, help="calls for dial to INVITE")
    parser.add_argument("--notify-calls", type=int, default=100)
    parser.add_argument("--soak-calls", type=int, default=500)
    args = parser.parse_args()
    bench = Bench()
    bench.engine.start()
    try:
        with tempfile.TemporaryDirectory(prefix="sip-bench-") as directory:
            workdir = Path(directory)
            bench.configure(remote_control=True)
            dial = dial_to_invite(bench, workdir, args.calls)
            talk = notify_talk_to_answer(bench, workdir, args.notify_calls)
            rss_growth, fd_growth = soak(bench, workdir, args.soak_calls)
    finally:
        bench.engine.stop()
    figures = {
        "dial_to_invite_p50_ms": round(statistics.median(dial), 3),
        "dial_to_invite_p99_ms": round(percentile(dial, 99), 3),
        "notify_talk_to_answer_p50_ms": round(statistics.median(talk), 3),
        "notify_talk_to_answer_p99_ms": round(percentile(talk, 99), 3),
        "soak_calls": args.soak_calls,
        "soak_rss_growth_mb": round(rss_growth, 2),
        "soak_fd_growth": fd_growth,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{'measure':<34}{'median':>10}{'p99':>10}  samples")
        print(
            f"{'dial -> INVITE at sipp (ms)':<34}{figures['dial_to_invite_p50_ms']:>10.2f}"
            f"{figures['dial_to_invite_p99_ms']:>10.2f}  {len(dial)}"
        )
        print(
            f"{'NOTIFY talk -> 200 OK (ms)':<34}{figures['notify_talk_to_answer_p50_ms']:>10.2f}"
            f"{figures['notify_talk_to_answer_p99_ms']:>10.2f}  {len(talk)}"
        )
        print(
            f"soak: {args.soak_calls} calls, RSS growth {rss_growth:.2f} MB, "
            f"descriptor growth {fd_growth}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
