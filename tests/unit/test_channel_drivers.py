"""App link and adapter service over the loopback simulator: cuts, resync, exactly-once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from app_layer.link import AdapterLink, Backoff, LinkStatus
from protocol import pb
from protocol.framed import FramedChannel
from protocol.impairment import PROFILES
from protocol.transports.loopback import LoopbackLink
from tests.unit.phone_double import PhoneDouble
from vdi_adapter.event_sink import EventSink
from vdi_adapter.service import AdapterService

FAST = {"heartbeat_interval": 0.2, "peer_timeout": 0.8}


@dataclass
class Recorder:
    statuses: list[LinkStatus] = field(default_factory=list)
    snapshots: list[pb.Snapshot] = field(default_factory=list)
    events: list[pb.Event] = field(default_factory=list)

    def on_status(self, status: LinkStatus) -> None:
        self.statuses.append(status)

    def on_snapshot(self, snapshot: pb.Snapshot) -> None:
        self.snapshots.append(snapshot)

    def on_event(self, event: pb.Event) -> None:
        self.events.append(event)

    @property
    def state(self) -> str:
        return self.statuses[-1].state if self.statuses else "none"

    def calls(self) -> dict[str, pb.Call]:
        view = {c.call_id: c for c in self.snapshots[-1].calls} if self.snapshots else {}
        for event in self.events:
            if event.WhichOneof("kind") == "call" and (
                not self.snapshots or event.sequence > self.snapshots[-1].sequence
            ):
                view[event.call.call.call_id] = event.call.call
        return view


@dataclass
class Rig:
    link: LoopbackLink
    phone: PhoneDouble
    service: AdapterService
    app: AdapterLink
    seen: Recorder


async def until(predicate: object, timeout: float = 5.0) -> float:
    loop = asyncio.get_running_loop()
    start = loop.time()
    while not predicate():  # type: ignore[operator]
        if loop.time() - start > timeout:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
    return loop.time() - start


@contextlib.asynccontextmanager
async def rig(
    profile: str = "lan", delay_s: float = 0.0, app_protocol: tuple[int, int] = (1, 0)
) -> AsyncIterator[Rig]:
    link = LoopbackLink(PROFILES[profile], seed=7)
    sink = EventSink()
    phone = PhoneDouble(sink, delay_s)
    service = AdapterService(phone, sink, **FAST)
    app = AdapterLink(
        lambda: _connect(link),
        transport="loopback",
        backoff=Backoff(0.05, 0.3),
        protocol=app_protocol,
        **FAST,
    )
    seen = Recorder()
    app.add_listener(seen)
    accept = asyncio.create_task(_accept(link, service))
    running = asyncio.create_task(app.run())
    try:
        yield Rig(link, phone, service, app, seen)
    finally:
        await app.close()
        running.cancel()
        accept.cancel()
        await service.close()
        await link.aclose()


async def _connect(link: LoopbackLink) -> FramedChannel:
    return FramedChannel(await link.connect())


async def _accept(link: LoopbackLink, service: AdapterService) -> None:
    tasks = set()
    while True:
        pipe = await link.accept()
        task = asyncio.create_task(service.serve_channel(FramedChannel(pipe)))
        tasks.add(task)
        task.add_done_callback(tasks.discard)


async def test_connect_snapshot_command_and_event() -> None:
    async with rig() as r:
        await until(lambda: r.seen.snapshots)
        assert r.seen.state == "connected" and r.seen.statuses[-1].transport == "loopback"
        result = await r.app.command(pb.Command(dial=pb.Dial(to="sip:7002@127.0.0.1")))
        assert result.ok.dial.call_id == "c1"
        await until(lambda: "c1" in r.seen.calls())
        assert r.seen.calls()["c1"].remote_uri == "sip:7002@127.0.0.1"


async def test_cut_mid_call_reconnects_and_resyncs_what_changed_meanwhile() -> None:
    async with rig() as r:
        await until(lambda: r.seen.snapshots)
        call_id = (await r.app.command(pb.Command(dial=pb.Dial(to="7002")))).ok.dial.call_id
        r.link.cut(1.5)
        # The call changes on the adapter while the channel is down: no event can arrive.
        r.phone.submit(pb.Command(request_id="local:1", hold=pb.Hold(call_id=call_id))).result()
        await until(lambda: r.seen.state == "reconnecting", timeout=2.0)
        await until(lambda: r.seen.state == "connected" and len(r.seen.snapshots) >= 2, timeout=5.0)
        call = r.seen.calls()[call_id]
        assert call.on_hold and call.state == pb.CALL_STATE_CONNECTED
        assert r.service.sessions_served >= 2


@pytest.mark.parametrize("delay_s", [0.6, 2.0], ids=["done-before-reconnect", "still-running"])
async def test_command_in_flight_during_a_cut_is_executed_exactly_once(delay_s: float) -> None:
    async with rig(delay_s=delay_s) as r:
        await until(lambda: r.seen.snapshots)
        pending = asyncio.create_task(
            r.app.command(pb.Command(dial=pb.Dial(to="7003")), timeout=8.0)
        )
        await asyncio.sleep(0.2)  # the adapter has it, the result is not back yet
        r.link.cut(1.0)
        result = await pending
        assert result.WhichOneof("outcome") == "ok", result
        assert sum(r.phone.submitted.values()) == 1
        assert list(r.phone.calls) == [result.ok.dial.call_id]


async def test_incompatible_major_shows_both_versions() -> None:
    async with rig(app_protocol=(2, 0)) as r:
        await until(lambda: r.seen.state == "incompatible")
        detail = r.seen.statuses[-1].detail
        assert "2.0" in detail and "1.0" in detail and "upgrade the adapter" in detail
        result = await r.app.command(pb.Command(dial=pb.Dial(to="1")), timeout=0.3)
        assert result.error.code == pb.ERROR_CODE_CHANNEL_LOST


async def test_adapter_loss_is_reported_within_the_heartbeat_bound() -> None:
    async with rig() as r:
        await until(lambda: r.seen.snapshots)
        r.link.cut(30.0)  # reads hang, like a dead RDP handle: only heartbeats tell
        elapsed = await until(lambda: r.seen.state in ("reconnecting", "unreachable"), timeout=3.0)
        assert elapsed <= FAST["peer_timeout"] + 0.5
        result = await r.app.command(pb.Command(hangup=pb.Hangup(call_id="c1")), timeout=0.3)
        assert result.error.code == pb.ERROR_CODE_CHANNEL_LOST


async def test_wan_profile_delays_each_way() -> None:
    async with rig(profile="wan") as r:
        await until(lambda: r.seen.snapshots)
        loop = asyncio.get_running_loop()
        start = loop.time()
        await r.app.command(pb.Command(hangup=pb.Hangup(call_id="none")))
        elapsed_ms = (loop.time() - start) * 1000
        assert 70 <= elapsed_ms <= 200  # two 40 ms ± 5 ms hops


async def test_unknown_call_gives_a_typed_error() -> None:
    async with rig() as r:
        await until(lambda: r.seen.snapshots)
        result = await r.app.command(pb.Command(hold=pb.Hold(call_id="c99")))
        assert result.error.code == pb.ERROR_CODE_NOT_FOUND


@pytest.mark.parametrize("hang_up", [True, False], ids=["hang-up-after-grace", "keep-calls"])
async def test_calls_outlive_a_lost_session_for_the_grace_period(hang_up: bool) -> None:
    async with rig() as r:
        await until(lambda: r.seen.snapshots)
        r.service.grace_period_s = 0.5
        r.service.hangup_after_grace = hang_up
        call_id = (await r.app.command(pb.Command(dial=pb.Dial(to="7004")))).ok.dial.call_id
        await r.app.close()  # the agent's session is gone and does not come back
        await asyncio.sleep(0.3)
        assert r.phone.calls[call_id].state == pb.CALL_STATE_CONNECTED  # within the grace period
        await asyncio.sleep(0.6)
        ended = r.phone.calls[call_id].state == pb.CALL_STATE_ENDED
        assert ended is hang_up


@pytest.mark.parametrize("profile", ["lan", "wan", "congested"])
async def test_large_envelopes_cross_the_simulator_intact(profile: str) -> None:
    link = LoopbackLink(PROFILES[profile], seed=3)
    app = FramedChannel(await link.connect())
    adapter = FramedChannel(await link.accept())
    lines = [f"log line {i} " + "x" * (i % 90) for i in range(300)]  # ~20 KB, 13+ writes of 1,600
    big = pb.Envelope(
        result=pb.Result(request_id="r", ok=pb.Ok(diagnostics=pb.Diagnostics(log_lines=lines)))
    )
    for _ in range(3):
        await adapter.send(big)
    for _ in range(3):
        got = await asyncio.wait_for(app.receive(), 20)
        assert list(got.result.ok.diagnostics.log_lines) == lines
    await link.aclose()
