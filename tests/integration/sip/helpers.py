"""Helpers for the SIP engine tests: event log, engine wrapper, configurations, sipp runner.

Ports: the engine listens on 127.0.0.1:5070, kamailio on 5060 (5062/5064 for failover),
far ends on 5080-5089, sipp on 5090-5099. RTP: engine 40000-40198, far ends 30000+.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np

from protocol import pb
from vdi_adapter.engine import Engine
from vdi_adapter.event_sink import EventSink

SCENARIOS = Path(__file__).parent / "scenarios"
ENGINE_PORT = 5070
REGISTRAR_PORT = 5060
USERS = {"7001": "agent-secret-7001", "7002": "agent-secret-7002", "8001": "cust-secret-8001"}


class EventLog:
    """Every event the engine published, with waits that time out."""

    def __init__(self, sink: EventSink) -> None:
        self.events: list[pb.Event] = []
        self._new: queue.Queue[pb.Event] = queue.Queue()
        self._lock = threading.Lock()
        sink.subscribe(self._on_event)

    def _on_event(self, event: pb.Event) -> None:
        with self._lock:
            self.events.append(event)
        self._new.put(event)

    def wait(self, match: Callable[[pb.Event], bool], timeout: float = 10.0) -> pb.Event:
        """The first event (already published or coming) that ``match`` accepts."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                for event in self.events:
                    if match(event):
                        return event
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                kinds = [
                    str(getattr(e, e.WhichOneof("kind"))).replace("\n", " ")[:80]
                    for e in self.events[-20:]
                ]
                raise AssertionError(f"no matching event in {timeout} s; last kinds: {kinds}")
            with contextlib.suppress(queue.Empty):
                self._new.get(timeout=min(remaining, 0.2))

    def wait_call(self, call_id: str, state: int, timeout: float = 10.0) -> pb.Call:
        event = self.wait(
            lambda e: (
                e.HasField("call") and e.call.call.call_id == call_id and e.call.call.state == state
            ),
            timeout,
        )
        return event.call.call

    def wait_new_call(
        self, state: int, timeout: float = 10.0, exclude: tuple[str, ...] = ()
    ) -> pb.Call:
        event = self.wait(
            lambda e: (
                e.HasField("call")
                and e.call.call.state == state
                and e.call.call.call_id not in exclude
            ),
            timeout,
        )
        return event.call.call

    def wait_registration(
        self, state: int, account_id: str = "", timeout: float = 10.0
    ) -> pb.Registration:
        event = self.wait(
            lambda e: (
                e.HasField("registration")
                and e.registration.registration.state == state
                and (not account_id or e.registration.registration.account_id == account_id)
            ),
            timeout,
        )
        return event.registration.registration

    def clear(self) -> None:
        with self._lock:
            self.events.clear()

    def calls(self, call_id: str) -> list[pb.Call]:
        with self._lock:
            return [
                e.call.call
                for e in self.events
                if e.HasField("call") and e.call.call.call_id == call_id
            ]

    def all_text(self) -> str:
        with self._lock:
            return "\n".join(str(e) for e in self.events)


class EngineUnderTest:
    """An engine with its event log and a ``run`` helper that waits for the Result."""

    def __init__(self, engine: Engine, log: EventLog) -> None:
        self.engine = engine
        self.log = log
        self._ids = 0

    def run(self, timeout: float = 10.0, **action: object) -> pb.Result:
        self._ids += 1
        command = pb.Command(request_id=f"r{self._ids}", **action)  # type: ignore[arg-type]
        result = self.engine.submit(command).result(timeout)
        assert result.request_id == command.request_id
        return result

    def ok(self, **action: object) -> pb.Result:
        result = self.run(**action)
        assert result.HasField("ok"), f"command failed: {result.error}"
        return result

    def configure(self, configuration: pb.Configuration) -> None:
        self.ok(configure=pb.Configure(configuration=configuration))

    def dial(self, to: str, account_id: str = "") -> str:
        return self.ok(dial=pb.Dial(to=to, account_id=account_id)).ok.dial.call_id


def base_configuration(**policy: object) -> pb.Configuration:
    """Standalone engine on 127.0.0.1:5070 with its own RTP range."""
    return pb.Configuration(
        network=pb.NetworkSettings(
            public_address="127.0.0.1", sip_port=ENGINE_PORT, rtp_port_min=40000, rtp_port_max=40198
        ),
        policy=pb.CallPolicy(**policy),  # type: ignore[arg-type]
    )


def agent_account(
    user: str = "7001",
    servers: tuple[str, ...] = (f"127.0.0.1:{REGISTRAR_PORT}",),
    transport: int = pb.SIP_TRANSPORT_UDP,
    expiry: int = 60,
    password: str | None = None,
) -> pb.Account:
    return pb.Account(
        account_id=f"agent-{user}",
        register=True,
        connectivities=[
            pb.Connectivity(
                user=user,
                server=server,
                transport=transport,  # type: ignore[arg-type]
                password=USERS[user] if password is None else password,
                registration_expiry_s=expiry,
            )
            for server in servers
        ],
    )


class Sipp:
    """One sipp process running a scenario; its messages are logged to a file."""

    def __init__(self, scenario: str, workdir: Path, port: int, *args: str) -> None:
        self.messages = workdir / f"{Path(scenario).stem}-{port}-messages.log"
        self.errors = workdir / f"{Path(scenario).stem}-{port}-errors.log"
        command = ["sipp", "-sf", str(SCENARIOS / scenario), "-i", "127.0.0.1", "-p", str(port)]
        command += ["-m", "1", "-nostdin", "-trace_msg", "-message_file", str(self.messages)]
        command += ["-trace_err", "-error_file", str(self.errors), "-timeout", "30s", *args]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            cwd=workdir,
        )

    def wait(self, timeout: float = 20.0) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(f"sipp did not finish in {timeout} s:\n{self.log()}") from None

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def log(self) -> str:
        text = self.messages.read_text(errors="replace") if self.messages.exists() else ""
        errors = self.errors.read_text(errors="replace") if self.errors.exists() else ""
        return f"{text[-6000:]}\n--- errors ---\n{errors[-2000:]}"

    def assert_success(self, timeout: float = 20.0) -> str:
        code = self.wait(timeout)
        assert code == 0, f"sipp scenario failed (exit {code}):\n{self.log()}"
        return self.messages.read_text(errors="replace")


def tone_level_db(path: Path, frequency: float) -> float:
    """Level (dB re full scale sine) of ``frequency`` in a 16-bit mono WAV recording."""
    wait_until_closed(path)
    with wave.open(str(path)) as recording:
        rate = recording.getframerate()
        samples = np.frombuffer(recording.readframes(recording.getnframes()), dtype="<i2")
    signal = samples.astype(np.float64) / 32768.0
    if len(signal) < rate // 10:
        return -120.0
    window = np.hanning(len(signal))
    spectrum = np.abs(np.fft.rfft(signal * window)) * 2 / window.sum()
    bins = np.fft.rfftfreq(len(signal), 1 / rate)
    band = (bins > frequency - 15) & (bins < frequency + 15)
    return float(20 * np.log10(spectrum[band].max() + 1e-12))


def wait_until_closed(path: Path) -> None:
    """pjmedia removes a recorder asynchronously; the RIFF sizes are written when it closes."""
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        header = path.read_bytes()[:12] if path.exists() else b""
        if len(header) == 12 and int.from_bytes(header[4:8], "little") > 0:
            return
        time.sleep(0.05)
