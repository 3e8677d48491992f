"""``softphone-sim demo``: the whole product on one machine, in about half a minute.

A simulated customer calls the agent; the call is answered through the connector
API (as a CTI application would), audio flows both ways (MOS and levels shown),
DTMF is sent, the call is held and retrieved, the virtual channel is cut for a few
seconds and comes back with the call intact, then the call is transferred to a
supervisor and ends. A summary with timings closes the run; any step that fails
stops the demo with a clear message and a non-zero exit status.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from protocol import pb
from simulator.audio_check import dominant_frequency, strongest_frequency
from simulator.rig import describe_call
from simulator.sound_server import stop_player
from simulator.steps import StepFailed, StepRunner
from simulator.timeline import Timeline
from simulator.world import SimWorld

#: The agent's virtual headset when the demo runs with sound devices.
HEADSET = "Jabra EVOLVE 40"


class DemoFailed(StepFailed):
    """A step of the demo did not happen as it should."""


@dataclass
class Summary:
    rows: list[tuple[str, float, str]] = field(default_factory=list)

    def add(self, step: str, seconds: float, note: str = "") -> None:
        self.rows.append((step, seconds * 1000, note))

    def print(self) -> None:
        print("\nsummary")
        print(f"  {'step':<44} {'ms':>8}  note")
        for step, ms, note in self.rows:
            print(f"  {step:<44} {ms:>8.1f}  {note}")


class Demo:
    def __init__(self, world: SimWorld, timeline: Timeline) -> None:
        self.world = world
        self.view = world.rig.view
        self.timeline = timeline
        self.summary = Summary()
        self.steps = StepRunner(world, timeline.note)

    # The scenario runner's helpers: the same waits, the same failure messages.
    async def until(self, predicate: Callable[[], bool], what: str, timeout: float = 10.0) -> float:
        return await self.steps.until(predicate, what, timeout)

    async def peer(self, name: str, op: str, **fields: Any) -> dict[str, Any]:
        return await self.steps.peer_op(name, op, **fields)

    async def peer_event(
        self, name: str, event: str, match: Callable[[dict[str, Any]], bool], timeout: float = 10.0
    ) -> dict[str, Any]:
        return await self.steps.peer_wait(name, event, match, timeout)

    async def connector(self, step: str, path: str, body: Any = None) -> float:
        self.timeline.note("cti app", f"POST {path} {body or ''}".rstrip())
        start = time.perf_counter()
        reply = await self.world.client.post(path, body)
        if not reply.ok:
            raise DemoFailed(f"{step}: connector answered {reply.describe()}")
        return time.perf_counter() - start

    def call(self, call_id: str) -> pb.Call:
        return self.view.calls[call_id]

    # ------------------------------------------------------------------ steps
    async def run(self, cut_s: float) -> None:
        await self.until(lambda: _registered(self.view.registrations), "agent registered", 15)
        self.summary.add("start -> line registered", time.monotonic() - self.timeline.start)
        call_id = await self.incoming_call()
        await self.answer(call_id)
        await self.audio(call_id)
        await self.dtmf(call_id)
        await self.hold_and_retrieve(call_id)
        await self.channel_cut(call_id, cut_s)
        await self.transfer(call_id)

    async def incoming_call(self) -> str:
        self.timeline.note("customer", f"calls the agent at {self.world.agent_uri}")
        start = time.perf_counter()
        await self.peer("customer", "call", uri=self.world.agent_uri)
        await self.until(lambda: _ringing(self.view.calls) is not None, "incoming call ringing")
        self.summary.add("customer dials -> agent sees it ringing", time.perf_counter() - start)
        call_id = _ringing(self.view.calls)
        assert call_id is not None
        return call_id

    async def answer(self, call_id: str) -> None:
        start = time.perf_counter()
        await self.connector("answer", f"/v1/calls/{call_id}/answer")
        await self.until(
            lambda: self.call(call_id).state == pb.CALL_STATE_CONNECTED, "call connected"
        )
        await self.peer_event("customer", "state", lambda e: e["state"] == "CONFIRMED")
        self.summary.add("connector answer -> connected", time.perf_counter() - start)
        await self.peer_event("customer", "media", lambda e: e["status"] == "active")

    async def audio(self, call_id: str) -> None:
        await self.peer("customer", "tone", call=0, frequency=440)
        self.timeline.note("customer", "speaks (a 440 Hz tone) while the quality report comes in")
        # The first report comes at connect; wait for one that has measured some audio.
        measured = lambda: _measured(self.view.quality.get(call_id))  # noqa: E731
        took = await self.until(measured, "a quality report with measurements", 15)
        q = self.view.quality[call_id]
        self.timeline.agent_saw(
            f"quality: {q.codec} MOS {q.mos:.2f}, jitter rx {q.jitter_rx_ms:.1f} ms, "
            f"loss rx {q.loss_rx_pct:.1f} %, RTT {q.rtt_ms:.1f} ms"
        )
        self.summary.add(
            "tone starts -> measured quality report", took, f"MOS {q.mos:.2f} ({q.codec})"
        )
        if self.world.sound is not None:
            await self.both_ways(call_id)

    async def both_ways(self, call_id: str) -> None:
        """With sound devices: the agent's headset hears the customer; then, the customer
        silent, the customer hears the agent's microphone (a 300 Hz tone played into it).
        One talker at a time, as people take turns: with both talking at once the echo
        canceller holds the agent's voice down (see docs/perf/audio.md, double talk)."""
        sound = self.world.sound
        headset = sound.devices[HEADSET]
        rate = 48000
        heard = await asyncio.to_thread(sound.record, headset.output_sink, 1.5)
        await self.peer("customer", "tone_stop", call=0)
        self.timeline.note("customer", "stops talking")
        t = np.arange(rate * 4) / rate
        # Syllable-like bursts (4 per second): noise suppression keeps them, a steady tone not.
        envelope = (np.sin(2 * np.pi * 4 * t) > 0).astype(np.float64)
        voice = (np.sin(2 * np.pi * 300 * t) * envelope * 8000).astype(np.int16)
        player = sound.start_playing(headset.input_sink, voice)
        try:
            self.timeline.note("agent", "speaks into the headset (a 300 Hz tone)")
            wav = self.world.workdir / "customer-hears.wav"
            await self.peer("customer", "record", call=0, wav=str(wav))
            await asyncio.sleep(1.5)
            await self.peer("customer", "record_stop", call=0)
        finally:
            stop_player(player)
        await self.peer("customer", "tone", call=0, frequency=440)
        agent_hears = strongest_frequency(heard, rate) or 0.0
        customer_hears = dominant_frequency(wav) or 0.0
        self.timeline.note("agent", f"hears {agent_hears:.0f} Hz in the headset")
        self.timeline.note("customer", f"hears {customer_hears:.0f} Hz")
        if abs(agent_hears - 440) > 15 or abs(customer_hears - 300) > 15:
            raise DemoFailed(
                f"audio did not flow both ways ({agent_hears:.0f} / {customer_hears:.0f} Hz)"
            )
        level = self.view.levels.get(call_id)
        if level is not None:
            self.timeline.agent_saw(
                f"levels: microphone {level.microphone_dbfs:.0f} dBFS, "
                f"speaker {level.speaker_dbfs:.0f} dBFS"
            )
        self.summary.add(
            "audio both ways through the headset",
            0.0,
            f"agent hears {agent_hears:.0f} Hz, customer hears {customer_hears:.0f} Hz",
        )

    async def dtmf(self, call_id: str) -> None:
        start = time.perf_counter()
        await self.connector("dtmf", f"/v1/calls/{call_id}/dtmf", {"digits": "42#"})
        for digit in "42#":
            await self.peer_event("customer", "dtmf", lambda e, d=digit: e["digit"] == d)  # type: ignore[misc]
        self.timeline.note("customer", "heard DTMF 4, 2, #")
        self.summary.add("connector DTMF -> customer hears 3 digits", time.perf_counter() - start)

    async def hold_and_retrieve(self, call_id: str) -> None:
        start = time.perf_counter()
        await self.connector("hold", f"/v1/calls/{call_id}/hold")
        await self.until(lambda: self.call(call_id).on_hold, "call on hold")
        self.summary.add("connector hold -> agent sees held", time.perf_counter() - start)
        start = time.perf_counter()
        await self.connector("retrieve", f"/v1/calls/{call_id}/retrieve")
        await self.until(lambda: not self.call(call_id).on_hold, "call retrieved")
        self.summary.add("connector retrieve -> agent sees connected", time.perf_counter() - start)

    async def channel_cut(self, call_id: str, cut_s: float) -> None:
        before = self.call(call_id).connected_unix_ms
        self.timeline.note(
            "sim", f"the remote session hiccups: virtual channel cut for {cut_s:g} s"
        )
        self.world.rig.cut(cut_s)
        noticed = await self.until(
            lambda: self.view.status.state != "connected", "link loss noticed", 6
        )
        back = await self.until(
            lambda: self.view.status.state == "connected", "link back", cut_s + 15
        )
        await self.until(lambda: self.view.snapshots >= 2, "resync snapshot")
        call = self.call(call_id)
        if call.state != pb.CALL_STATE_CONNECTED or call.connected_unix_ms != before:
            raise DemoFailed(f"the call did not survive the cut: {describe_call(call)}")
        self.timeline.agent_saw(f"call {call_id} still {describe_call(call)}, duration kept")
        self.summary.add("channel cut -> loss noticed", noticed)
        self.summary.add("loss noticed -> resynced, call intact", back, f"cut {cut_s:g} s")

    async def transfer(self, call_id: str) -> None:
        start = time.perf_counter()
        await self.connector(
            "transfer",
            f"/v1/calls/{call_id}/transfer",
            {"to": "5002", "mode": "blind"},
        )
        ended = lambda: self.call(call_id).state == pb.CALL_STATE_ENDED  # noqa: E731
        await self.until(ended, "agent's call ended", 15)
        await self.peer_event("supervisor", "state", lambda e: e["state"] == "CONFIRMED", 15)
        self.timeline.note("supervisor", "is now talking with the customer")
        reason = pb.CallEndReason.Name(self.call(call_id).end_reason).removeprefix(
            "CALL_END_REASON_"
        )
        self.summary.add(
            "blind transfer -> supervisor has the customer",
            time.perf_counter() - start,
            f"agent's call ended: {reason.lower()}",
        )
        await self.peer("supervisor", "hangup", call=0)


def _measured(quality: pb.CallQuality | None) -> bool:
    return quality is not None and quality.rtt_ms > 0 and quality.mos > 0


def _registered(registrations: dict[str, pb.Registration]) -> bool:
    return any(r.state == pb.REGISTRATION_STATE_REGISTERED for r in registrations.values())


def _ringing(calls: dict[str, pb.Call]) -> str | None:
    for call_id, call in calls.items():
        if call.state == pb.CALL_STATE_RINGING:
            return call_id
    return None


def sound_devices(audio: str) -> tuple[str, ...] | None:
    """The virtual devices for ``--audio``: a headset on a private PulseAudio, or none."""
    if audio == "null" or (audio == "auto" and shutil.which("pulseaudio") is None):
        return None
    return (HEADSET,)


async def run_demo(profile: str = "lan", cut_s: float = 4.0, audio: str = "auto") -> int:
    timeline = Timeline()
    timeline.note("sim", "starting registrar, adapter, app layer and simulated peers")
    peers = {"customer": "5001", "supervisor": "5002"}
    devices = sound_devices(audio)
    try:
        async with SimWorld(
            profile,
            peers,
            on_change=timeline.agent_saw,
            peer_auto_answer={"supervisor": 200},
            sound=devices,
        ) as world:
            if devices is None:
                timeline.note("sim", "no sound server: calls run without devices (--audio null)")
            timeline.note(
                "sim",
                f"connector API on 127.0.0.1:{world.connector_port}, "
                f"registrar on {world.registrar.address}, channel profile {profile!r}",
            )
            demo = Demo(world, timeline)
            await demo.run(cut_s)
    except StepFailed as error:
        print(f"\ndemo failed: {error}")
        return 1
    timeline.note("sim", "everything stopped")
    demo.summary.print()
    return 0


def run(main: Callable[[], Awaitable[int]]) -> int:
    return asyncio.run(main())  # type: ignore[arg-type]
