"""Both halves of the phone in one process, joined by the loopback channel simulator.

``SimRig`` starts the real adapter (SIP engine behind an ``AdapterService``) and
the real app link, over a ``LoopbackLink`` with a named impairment profile. QA's
tools (channel demo, demo, scenarios, benchmarks) and the tests stand on it. The
far-end SIP peers run in their own processes (``simulator.far_end``), because
pjsua2 allows one endpoint per process.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from app_layer.link import AdapterLink, Backoff, LinkStatus
from protocol import pb
from protocol.channel import MessageChannel
from protocol.framed import FramedChannel
from protocol.impairment import PROFILES, ImpairmentProfile
from protocol.recording import RecordingChannel
from protocol.transports.loopback import LoopbackLink
from vdi_adapter.audio_backend import NullAudioBackend
from vdi_adapter.event_sink import EventSink
from vdi_adapter.service import AdapterService


@dataclass
class AgentView:
    """What the agent sees: the link status and the calls, from snapshots and events."""

    status: LinkStatus = field(default_factory=LinkStatus)
    calls: dict[str, pb.Call] = field(default_factory=dict)
    registrations: dict[str, pb.Registration] = field(default_factory=dict)
    quality: dict[str, pb.CallQuality] = field(default_factory=dict)
    levels: dict[str, pb.AudioLevel] = field(default_factory=dict)
    active_devices: pb.ActiveDevices = field(default_factory=pb.ActiveDevices)
    devices: list[str] = field(default_factory=list)
    dtmf: list[str] = field(default_factory=list)
    snapshots: int = 0
    on_change: Callable[[str], None] = lambda _text: None

    def on_status(self, status: LinkStatus) -> None:
        self.status = status
        self.on_change(f"link {status.state}" + (f" ({status.detail})" if status.detail else ""))

    def on_snapshot(self, snapshot: pb.Snapshot) -> None:
        self.snapshots += 1
        self.calls = {c.call_id: c for c in snapshot.calls}
        self.registrations = {r.account_id: r for r in snapshot.registrations}
        self.quality = {q.call_id: q for q in snapshot.quality}
        self.active_devices = snapshot.active_devices
        self.devices = [d.name for d in snapshot.devices]
        self.on_change(f"snapshot #{self.snapshots}: {describe_calls(self.calls)}")

    def on_event(self, event: pb.Event) -> None:
        kind = event.WhichOneof("kind")
        if kind == "call":
            call = event.call.call
            self.calls[call.call_id] = call
            self.on_change(f"call {call.call_id}: {describe_call(call)}")
        elif kind == "registration":
            reg = event.registration.registration
            self.registrations[reg.account_id] = reg
            state = pb.RegistrationState.Name(reg.state).removeprefix("REGISTRATION_STATE_").lower()
            self.on_change(
                f"line {reg.account_id}: {state} {reg.status_code or ''} {reg.reason}".rstrip()
            )
        elif kind == "quality":
            self.quality[event.quality.quality.call_id] = event.quality.quality
        elif kind == "audio_level":
            self.levels[event.audio_level.call_id] = event.audio_level
        elif kind == "dtmf":
            self.dtmf.append(event.dtmf.digit)
            self.on_change(f"DTMF {event.dtmf.digit!r} received on {event.dtmf.call_id}")
        elif kind == "active_devices":
            self.active_devices = event.active_devices.active
            active = self.active_devices
            self.on_change(
                f"devices: microphone {active.microphone or '-'}, speaker "
                f"{active.speaker or '-'} ({active.reason})"
            )
        elif kind == "device_list":
            self.devices = [d.name for d in event.device_list.devices]
            self.on_change(f"device list changed: {event.device_list.change}")
        elif kind == "warning":
            self.on_change(f"adapter warning: {event.warning.warning.message}")

    def active_calls(self) -> list[pb.Call]:
        return [c for c in self.calls.values() if c.state != pb.CALL_STATE_ENDED]


def describe_call(call: pb.Call) -> str:
    state = pb.CallState.Name(call.state).removeprefix("CALL_STATE_").lower()
    flags = [f for f, on in (("held", call.on_hold), ("muted", call.muted)) if on]
    text = f"{state}{' ' + '+'.join(flags) if flags else ''} with {call.remote_uri}"
    if call.codec:
        text += f" [{call.codec}]"
    if call.state == pb.CALL_STATE_ENDED:
        reason = pb.CallEndReason.Name(call.end_reason).removeprefix("CALL_END_REASON_").lower()
        text += f" ({reason}{' ' + str(call.end_sip_code) if call.end_sip_code else ''})"
    return text


def describe_calls(calls: dict[str, pb.Call]) -> str:
    live = [
        f"{cid} {describe_call(c)}" for cid, c in calls.items() if c.state != pb.CALL_STATE_ENDED
    ]
    return "; ".join(live) or "no calls"


class SimRig:
    """The adapter and the app link over a simulated virtual channel."""

    def __init__(
        self,
        profile: ImpairmentProfile | str = "lan",
        *,
        audio: Any = None,
        seed: int = 1,
        heartbeat_interval: float = 1.0,
        peer_timeout: float = 3.0,
        on_change: Callable[[str], None] | None = None,
        engine_factory: Callable[[EventSink, Any], Any] | None = None,
        attach: Callable[[AdapterLink], None] | None = None,
        record: IO[str] | None = None,
        sip_trace: bool = False,
        app_protocol: tuple[int, int] | None = None,
    ) -> None:
        self.profile = PROFILES[profile] if isinstance(profile, str) else profile
        self.seed = seed
        self.audio = audio or NullAudioBackend()
        self.view = AgentView(on_change=on_change or (lambda _t: None))
        self.sink = EventSink()
        self.heartbeat_interval = heartbeat_interval
        self.peer_timeout = peer_timeout
        self._engine_factory = engine_factory
        self._attach = attach
        self._record = record
        self._sip_trace = sip_trace
        self._app_protocol = app_protocol
        self._tasks: set[asyncio.Task[Any]] = set()
        self.engine: Any = None
        self.started_at = time.monotonic()

    async def __aenter__(self) -> SimRig:
        loop = asyncio.get_running_loop()
        self.link = LoopbackLink(self.profile, self.seed)
        self.engine = self._make_engine()
        await loop.run_in_executor(None, self.engine.start)
        self.service = self._service()
        self._adapter_up = asyncio.Event()
        self._adapter_up.set()
        extra: dict[str, Any] = {"protocol": self._app_protocol} if self._app_protocol else {}
        self.app = AdapterLink(
            self._connect,
            transport="loopback",
            backoff=Backoff(0.1, 2.0),
            heartbeat_interval=self.heartbeat_interval,
            peer_timeout=self.peer_timeout,
            **extra,
        )
        self.app.add_listener(self.view)
        if self._attach is not None:
            self._attach(self.app)  # e.g. the app layer's Phone, before any snapshot arrives
        self._spawn(self._accept())
        self._spawn(self.app.run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.close()
        await self.service.close()
        for task in list(self._tasks):
            task.cancel()
        await self.link.aclose()
        await asyncio.get_running_loop().run_in_executor(None, self.engine.stop)

    def _service(self) -> AdapterService:
        return AdapterService(
            self.engine,
            self.sink,
            heartbeat_interval=self.heartbeat_interval,
            peer_timeout=self.peer_timeout,
        )

    def _make_engine(self) -> Any:
        if self._engine_factory is not None:
            return self._engine_factory(self.sink, self.audio)
        from vdi_adapter.engine import Engine

        return Engine(self.sink, self.audio, sip_trace=self._sip_trace)

    async def command(self, command: pb.Command, timeout: float = 10.0) -> pb.Result:
        return await self.app.command(command, timeout)

    async def restart_adapter(self) -> None:
        """Stop the adapter (its calls end) and start a fresh one, as after a crash."""
        loop = asyncio.get_running_loop()
        self._adapter_up.clear()  # connections wait, as they would for a restarting service
        await self.service.close()
        await loop.run_in_executor(None, self.engine.stop)
        self.sink = EventSink()
        self.engine = self._make_engine()
        await loop.run_in_executor(None, self.engine.start)
        self.service = self._service()
        self._adapter_up.set()

    def cut(self, seconds: float) -> None:
        self.link.cut(seconds)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float, what: str) -> float:
        """Wait until the agent's view satisfies ``predicate``; return the seconds taken."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        while not predicate():
            if loop.time() - start > timeout:
                raise TimeoutError(f"{what}: not seen within {timeout:g} s")
            await asyncio.sleep(0.01)
        return loop.time() - start

    async def _connect(self) -> MessageChannel:
        channel: MessageChannel = FramedChannel(await self.link.connect())
        if self._record is not None:
            channel = RecordingChannel(channel, self._record, "app")
        return channel

    async def _accept(self) -> None:
        while True:
            pipe = await self.link.accept()
            await self._adapter_up.wait()
            self._spawn(self.service.serve_channel(FramedChannel(pipe)))

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
